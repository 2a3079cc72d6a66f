/**
 * Test PKI: a throw-away CA and a server certificate for the given names, made with the openssl
 * command (Node can make keys but not certificates). Used only by tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestPki {
  caCert: string;
  cert: string;
  key: string;
}

export function makeTestPki(
  openssl: string,
  names: { dns: string[]; ip: string[] },
  days: { ca: number; server: number },
): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'nmaas-pki-'));
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    run(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      String(days.ca),
      '-subj',
      '/CN=NMaaS test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    run(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      `/CN=${names.dns[0] ?? names.ip[0]}`,
    );
    const san = [...names.dns.map((d) => `DNS:${d}`), ...names.ip.map((i) => `IP:${i}`)].join(',');
    writeFileSync(
      path.join(dir, 'ext.cnf'),
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    run(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      String(days.server),
      '-extfile',
      'ext.cnf',
    );
    return {
      caCert: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'server.pem'), 'utf8'),
      key: readFileSync(path.join(dir, 'server.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestChainPki {
  /** The trust anchor (self-signed). */
  rootCert: string;
  /** A leaf signed by the root directly: served alone, the client completes the chain from its store. */
  leafOnly: { cert: string; key: string };
  /** A leaf signed by an intermediate: `cert` holds leaf then intermediate, as a server sends a full chain. */
  fullChain: { cert: string; key: string; leafCert: string; intermediateCert: string };
}

/** A root, an intermediate and two leaves with the given lifetimes (days), for chain-expiry tests. */
export function makeTestChainPki(
  openssl: string,
  names: { dns: string[]; ip: string[] },
  days: { root: number; intermediate: number; leaf: number },
): TestChainPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'nmaas-pki-'));
  const run = (...args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    run(
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      String(days.root),
      '-subj',
      '/CN=NMaaS test root',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n',
    );
    run('req', ...newKey, '-keyout', 'inter.key', '-out', 'inter.csr', '-subj', '/CN=NMaaS test intermediate');
    run(
      'x509',
      '-req',
      '-in',
      'inter.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'inter.pem',
      '-days',
      String(days.intermediate),
      '-extfile',
      'ca.cnf',
    );
    const san = [...names.dns.map((d) => `DNS:${d}`), ...names.ip.map((i) => `IP:${i}`)].join(',');
    writeFileSync(
      path.join(dir, 'leaf.cnf'),
      `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
    );
    const subject = `/CN=${names.dns[0] ?? names.ip[0]}`;
    run('req', ...newKey, '-keyout', 'leaf1.key', '-out', 'leaf1.csr', '-subj', subject);
    run(
      'x509',
      '-req',
      '-in',
      'leaf1.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'leaf1.pem',
      '-days',
      String(days.leaf),
      '-extfile',
      'leaf.cnf',
    );
    run('req', ...newKey, '-keyout', 'leaf2.key', '-out', 'leaf2.csr', '-subj', subject);
    run(
      'x509',
      '-req',
      '-in',
      'leaf2.csr',
      '-CA',
      'inter.pem',
      '-CAkey',
      'inter.key',
      '-CAcreateserial',
      '-out',
      'leaf2.pem',
      '-days',
      String(days.leaf),
      '-extfile',
      'leaf.cnf',
    );
    return {
      rootCert: read('root.pem'),
      leafOnly: { cert: read('leaf1.pem'), key: read('leaf1.key') },
      fullChain: {
        cert: read('leaf2.pem') + read('inter.pem'),
        key: read('leaf2.key'),
        leafCert: read('leaf2.pem'),
        intermediateCert: read('inter.pem'),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
