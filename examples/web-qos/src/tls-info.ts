/**
 * What a probe reports about TLS, defined as blackbox_exporter defines it:
 * - earliest expiry among the certificates the server presented (`probe_ssl_earliest_cert_expiry`);
 * - earliest expiry of the verified chain, trust anchor included (`probe_ssl_last_chain_expiry_timestamp_seconds`;
 *   Node verifies one chain, so "last chain" is that chain);
 * - the protocol version as blackbox spells it (`TLS 1.3`).
 *
 * Node's `getPeerCertificate(true)` completes the presented chain from the local trust store, so
 * the presented part is the chain up to (not including) the first trust anchor. A server that also
 * sends the anchor itself cannot be told apart from the store's copy: that anchor is not counted as
 * presented (blackbox would count it).
 */
import tls from 'node:tls';

export interface TlsInfo {
  /** `TLS 1.2`, `TLS 1.3`… as in blackbox's `probe_tls_version_info{version}`. */
  version: string;
  cipher: string;
  /** Unix time (seconds) at which the first of the certificates the server presented expires. */
  earliestCertExpiry: number;
  /** Unix time (seconds) at which the first certificate of the verified chain (anchor included) expires. */
  lastChainExpiry: number;
  /** Certificates the server presented (as far as they can be told from the trust store's). */
  presentedCertificates: number;
  subject: string;
  issuer: string;
}

interface TrustStore {
  context: tls.SecureContext;
  /** Base64 DER of every trust anchor, to tell store certificates from presented ones. */
  anchors: Set<string>;
}

const stores = new Map<string, TrustStore>();

/** The store for an extra CA bundle (or none), built once per process: ~150 roots cost tens of ms. */
function trustStoreFor(ca: string | undefined): TrustStore {
  const key = ca ?? '';
  let store = stores.get(key);
  if (!store) {
    const pems = ca ? [...tls.rootCertificates, ...splitPem(ca)] : [...tls.rootCertificates];
    // Without `ca` Node adds its cached root store itself; with it, the roots must be listed.
    const context = ca ? tls.createSecureContext({ ca: pems }) : tls.createSecureContext();
    store = { context, anchors: new Set(pems.map(pemBody)) };
    stores.set(key, store);
  }
  return store;
}

export function secureContextFor(ca: string | undefined): tls.SecureContext {
  return trustStoreFor(ca).context;
}

/** Builds the TLS contexts and anchor sets ahead of the first probe. */
export function warmTrustStore(ca: string | undefined): void {
  trustStoreFor(ca);
}

function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

export function describePeerChain(socket: tls.TLSSocket, ca: string | undefined): TlsInfo {
  const { anchors } = trustStoreFor(ca);
  const chain: tls.DetailedPeerCertificate[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  let presented = chain.findIndex((c, i) => i > 0 && c.raw !== undefined && anchors.has(c.raw.toString('base64')));
  if (presented === -1) presented = chain.length;
  const expiry = (c: tls.PeerCertificate) => Date.parse(c.valid_to) / 1000;
  const earliest = (certs: tls.PeerCertificate[]) => {
    const values = certs.map(expiry).filter(Number.isFinite);
    return values.length > 0 ? Math.min(...values) : 0;
  };
  const leaf = chain[0];
  return {
    version: blackboxVersionName(socket.getProtocol()),
    cipher: socket.getCipher()?.name ?? '',
    earliestCertExpiry: earliest(chain.slice(0, presented)),
    lastChainExpiry: earliest(chain),
    presentedCertificates: presented,
    subject: firstValue(leaf?.subject?.CN),
    issuer: firstValue(leaf?.issuer?.CN),
  };
}

/** Node says `TLSv1.3`, blackbox (Go) says `TLS 1.3`. */
export function blackboxVersionName(protocol: string | null): string {
  const m = /^TLSv(\d\.\d)$/.exec(protocol ?? '');
  return m ? `TLS ${m[1]}` : (protocol ?? '');
}

function firstValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
