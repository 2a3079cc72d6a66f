/** `registry[:port]/path/repo[:tag|@digest]`, split the way the OCI Distribution API needs it. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function parseReference(text: string): ImageReference {
  const slash = text.indexOf('/');
  if (slash <= 0)
    throw new Error(
      `${JSON.stringify(text)} names no registry; write it as registry.example.org/team/app:1.0.0 (or 127.0.0.1:5000/app:1.0.0)`,
    );
  const registry = text.slice(0, slash);
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[a-f0-9]{64}$/.test(digest))
      throw new Error(`${JSON.stringify(digest)} in ${JSON.stringify(text)} is not a sha256 digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      throw new Error(
        `${JSON.stringify(tag)} in ${JSON.stringify(text)} is not a valid tag (letters, digits, _ . -, at most 128)`,
      );
  }
  if (!REPOSITORY.test(rest))
    throw new Error(
      `${JSON.stringify(rest)} in ${JSON.stringify(text)} is not a valid repository name (lower case, / separated)`,
    );
  return { registry, repository: rest, tag, digest };
}

/** Loopback registries speak plain HTTP unless told otherwise; every other registry HTTPS. */
export function defaultScheme(registry: string): 'http' | 'https' {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host) ? 'http' : 'https';
}
