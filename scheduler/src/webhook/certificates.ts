/**
 * A throwaway CA and a server certificate signed by it, made with the `openssl` CLI (node:crypto
 * signs but cannot build X.509 certificates). Used by the tests, the bench and `serve --dev` when
 * no certificate is given; in a cluster the certificates come from cert-manager or from the chart.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { accessSync, constants } from 'node:fs';

const run = promisify(execFile);

export interface CertificateFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function findOpenssl(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      accessSync(path.join(dir, 'openssl'), constants.X_OK);
      return path.join(dir, 'openssl');
    } catch {
      /* keep looking */
    }
  }
  return null;
}

/**
 * Writes ca.crt, tls.crt and tls.key into `dir`. `hosts` become subjectAltNames (IP addresses or
 * DNS names); the first one is also the common name. `days` < 1 is allowed for expiry tests.
 */
export async function generateCertificates(
  dir: string,
  hosts: string[] = ['127.0.0.1', 'localhost'],
  days = 2,
): Promise<CertificateFiles> {
  const openssl = findOpenssl();
  if (openssl === null)
    throw new Error('openssl is not installed (apt-get install openssl); it is needed to make test certificates');
  await mkdir(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  await writeFile(
    f('ext.cnf'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  const opts = { timeout: 30_000 };
  await run(openssl, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key')], opts);
  await run(
    openssl,
    [
      'req',
      '-x509',
      '-new',
      '-key',
      f('ca.key'),
      '-sha256',
      '-days',
      String(days),
      '-subj',
      '/CN=nmaas-test-ca',
      '-out',
      f('ca.crt'),
    ],
    opts,
  );
  await run(openssl, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('tls.key.tmp')], opts);
  // PKCS#8 so node:tls reads it whatever the openssl version's default is.
  await run(openssl, ['pkcs8', '-topk8', '-nocrypt', '-in', f('tls.key.tmp'), '-out', f('tls.key')], opts);
  await run(
    openssl,
    ['req', '-new', '-key', f('tls.key'), '-subj', `/CN=${hosts[0] ?? 'localhost'}`, '-out', f('tls.csr')],
    opts,
  );
  await run(
    openssl,
    [
      'x509',
      '-req',
      '-in',
      f('tls.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      String(days),
      '-sha256',
      '-extfile',
      f('ext.cnf'),
      '-out',
      f('tls.crt'),
    ],
    opts,
  );
  return { caFile: f('ca.crt'), certFile: f('tls.crt'), keyFile: f('tls.key') };
}
