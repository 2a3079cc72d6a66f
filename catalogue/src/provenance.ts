/**
 * Helm provenance files (helm/helm pkg/provenance/sign.go): a PGP clear-signed message whose
 * body is the chart's metadata as YAML, the YAML end marker `...` (a `---` line is not legal
 * inside a clear-signed block), then `files: {<name>-<version>.tgz: sha256:<hex>}`. Signed with
 * SHA-512 like Helm. `helm verify --keyring <binary keyring>` checks the signature and the digest.
 */
import type * as OpenPgp from 'openpgp';
import { toYamlSorted } from './yaml-emit.js';
import type { ChartMetadata } from './chart-metadata.js';

export interface SigningKey {
  key: OpenPgp.PrivateKey;
  /** Primary key fingerprint, for reports. */
  fingerprint: string;
  userIds: string[];
  /** Set when helm 3 cannot verify this key's signatures (its keyring reader knows RSA, DSA and ECDSA only). */
  compatibilityWarning?: string;
}

/** Reads an armored private key; `passphrase` decrypts it when it is protected. */
export async function readSigningKey(armored: string, passphrase?: string, where = 'signing key'): Promise<SigningKey> {
  // openpgp is large: loaded only when a build signs, so unsigned builds start faster.
  const openpgp = await import('openpgp');
  let key: OpenPgp.PrivateKey;
  if (armored.trim() === '')
    throw new Error(`${where} is empty; export an armored key with \`gpg --armor --export-secret-keys <id>\``);
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (error) {
    throw new Error(
      `${where} is not an armored PGP private key (${(error as Error).message}); export one with \`gpg --armor --export-secret-keys <id>\``,
    );
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined)
      throw new Error(
        `${where} is protected by a passphrase; pass it with --sign-passphrase-file or NMAAS_SIGN_PASSPHRASE`,
      );
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch (error) {
      throw new Error(`${where}: the passphrase does not decrypt the key (${(error as Error).message})`);
    }
  }
  const algorithm = key.getAlgorithmInfo().algorithm;
  const result: SigningKey = { key, fingerprint: key.getFingerprint().toUpperCase(), userIds: key.getUserIDs() };
  if (!String(algorithm).startsWith('rsa')) {
    // Checked with the real binaries: helm 3.17 fails with "unsupported feature: public key type: 22" on EdDSA keyrings; helm 4.1 accepts them.
    result.compatibilityWarning = `${where} is a ${String(algorithm)} key: helm 4 verifies its signatures, helm 3 cannot read it from a keyring; use an RSA key for helm 3 users`;
  }
  return result;
}

/** The clear-signed body Helm expects. */
export function provenanceBody(metadata: ChartMetadata, fileName: string, digest: string): string {
  const meta = toYamlSorted({ ...metadata });
  const files = toYamlSorted({ files: { [fileName]: `sha256:${digest}` } });
  return `${meta}\n...\n${files}`;
}

export async function signProvenance(
  key: SigningKey,
  metadata: ChartMetadata,
  fileName: string,
  digest: string,
  date?: Date,
): Promise<string> {
  const openpgp = await import('openpgp');
  const message = await openpgp.createCleartextMessage({ text: provenanceBody(metadata, fileName, digest) });
  return openpgp.sign({
    message,
    signingKeys: key.key,
    ...(date ? { date } : {}),
    config: { preferredHashAlgorithm: openpgp.enums.hash.sha512 },
  });
}
