import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadChartDir } from './chart-source.js';
import { provenanceBody, readSigningKey, signProvenance } from './provenance.js';
import { fixture } from './testing/helpers.js';

describe('provenance', () => {
  it('clear-signs Helm body: Chart.yaml metadata, the YAML end marker, then the file digest', async () => {
    const { metadata } = await loadChartDir(fixture('web-probe'));
    const body = provenanceBody(metadata, 'web-probe-1.2.0.tgz', 'ab'.repeat(32));
    const [meta, files] = body.split('\n...\n');
    expect(parseAllDocuments(meta!)[0]!.toJS()).toMatchObject({
      name: 'web-probe',
      version: '1.2.0',
      appVersion: '1.2.0',
    });
    expect(parseAllDocuments(files!)[0]!.toJS()).toEqual({
      files: { 'web-probe-1.2.0.tgz': `sha256:${'ab'.repeat(32)}` },
    });
    expect(body).not.toMatch(/^---$/m); // illegal inside a clear-signed block

    const { privateKey, publicKey } = await openpgp.generateKey({
      type: 'rsa',
      rsaBits: 2048,
      userIDs: [{ name: 'T' }],
      format: 'armored',
    });
    const key = await readSigningKey(privateKey);
    expect(key.compatibilityWarning).toBeUndefined();
    const signed = await signProvenance(key, metadata, 'web-probe-1.2.0.tgz', 'ab'.repeat(32));
    expect(signed).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n/);
    const message = await openpgp.readCleartextMessage({ cleartextMessage: signed });
    const verified = await openpgp.verify({
      message,
      verificationKeys: await openpgp.readKey({ armoredKey: publicKey }),
    });
    await expect(verified.signatures[0]!.verified).resolves.toBe(true);
    expect(message.getText()).toBe(body);
  });

  it('decrypts protected keys with the passphrase and says what is wrong otherwise', async () => {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'T' }],
      passphrase: 'secret words',
      format: 'armored',
    });
    await expect(readSigningKey(privateKey, undefined, 'key.asc')).rejects.toThrow(
      /key\.asc is protected by a passphrase; pass it with --sign-passphrase-file/,
    );
    await expect(readSigningKey(privateKey, 'wrong', 'key.asc')).rejects.toThrow(
      /the passphrase does not decrypt the key/,
    );
    const key = await readSigningKey(privateKey, 'secret words', 'key.asc');
    // helm-repo.test.ts checks this against the real binaries: helm 3.17 cannot read EdDSA keyrings, helm 4.1 can
    expect(key.compatibilityWarning).toMatch(/helm 3 cannot read it/);
    await expect(readSigningKey('garbage', undefined, 'key.asc')).rejects.toThrow(
      /key\.asc is not an armored PGP private key/,
    );
  });
});
