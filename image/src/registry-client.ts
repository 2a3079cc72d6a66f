/**
 * A small OCI Distribution (v2) client: the requests `push` and `pull` need, with the two auth
 * schemes registries use: Basic, and Bearer tokens fetched from the realm named in the
 * WWW-Authenticate challenge (Docker token spec). Every error says which registry and what to do.
 */
import { InputError } from '@nmaas/sdk/kit';
import { defaultScheme } from './reference.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  registry: string;
  repository: string;
  credentials?: Credentials;
  scheme?: 'http' | 'https';
  /** Extra repositories the token must cover (blob mounts read from them). */
  extraPullScopes?: string[];
  timeoutMs?: number;
}

// An input error (exit 1): the push was well formed, the registry refused it or could not be reached.
export class RegistryError extends InputError {
  override name = 'RegistryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([A-Za-z]+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return { scheme, params };
}

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;

  constructor(private readonly options: RegistryClientOptions) {
    this.base = `${options.scheme ?? defaultScheme(options.registry)}://${options.registry}`;
  }

  url(path: string): string {
    return path.startsWith('http://') || path.startsWith('https://') ? path : `${this.base}${path}`;
  }

  repoPath(suffix: string): string {
    return `/v2/${this.options.repository}/${suffix}`;
  }

  /** Sends a request; on a 401 answers the challenge once and retries. */
  async request(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<Response> {
    let response = await this.send(method, path, init);
    if (response.status === 401) {
      const challenge = response.headers.get('www-authenticate');
      await response.body?.cancel();
      if (!challenge)
        throw new RegistryError(
          `${this.options.registry} refused ${method} ${path} (401) without saying how to authenticate`,
          401,
        );
      await this.authenticate(challenge);
      response = await this.send(method, path, init);
      if (response.status === 401) {
        await response.body?.cancel();
        throw new RegistryError(
          `${this.options.registry} rejected the credentials for ${this.options.repository}: check the user name and password (--username, --password-stdin)`,
          401,
        );
      }
    }
    if (response.status === 403) {
      await response.body?.cancel();
      throw new RegistryError(
        `${this.options.registry} denied ${method} on ${this.options.repository} (403): the account lacks push/pull rights there`,
        403,
      );
    }
    return response;
  }

  private async send(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: Buffer },
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.authorization) headers.authorization = this.authorization;
    try {
      return await fetch(this.url(path), {
        method,
        headers,
        body: init.body,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new RegistryError(
        `cannot reach registry ${this.base} (${why}): check the address, that it is running, and http vs https (--plain-http)`,
      );
    }
  }

  private async authenticate(challengeHeader: string): Promise<void> {
    const { scheme, params } = parseChallenge(challengeHeader);
    const credentials = this.options.credentials;
    if (scheme === 'basic') {
      if (!credentials)
        throw new RegistryError(
          `${this.options.registry} needs a user name and password (--username, --password-stdin)`,
          401,
        );
      this.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      return;
    }
    if (scheme !== 'bearer' || !params.realm)
      throw new RegistryError(`${this.options.registry} asks for unsupported authentication: ${challengeHeader}`, 401);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    const scopes = new Set([
      `repository:${this.options.repository}:pull,push`,
      ...(this.options.extraPullScopes ?? []).map((r) => `repository:${r}:pull`),
    ]);
    if (params.scope) scopes.add(params.scope);
    for (const scope of scopes) tokenUrl.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (credentials)
      headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(tokenUrl, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000) });
    } catch (error) {
      throw new RegistryError(
        `cannot reach the token service ${tokenUrl.origin} of ${this.options.registry}: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new RegistryError(
        `the token service of ${this.options.registry} refused a token (${response.status})${credentials ? ': check the user name and password' : ': it needs credentials (--username, --password-stdin)'}`,
        401,
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service of ${this.options.registry} answered without a token`);
    this.authorization = `Bearer ${token}`;
  }
}

/** The registry's error text (OCI error body) for messages. */
export async function errorText(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    if (body.errors?.length) return body.errors.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    /* not JSON */
  }
  return text.slice(0, 300) || `HTTP ${response.status}`;
}
