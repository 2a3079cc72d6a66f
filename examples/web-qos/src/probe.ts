/**
 * One HTTP(S) probe in the manner of blackbox_exporter's http prober: a fresh connection per hop
 * (no pooling, so every phase is paid and measured), redirects followed by hand, and phase times
 * summed over hops: resolve (DNS through the configured resolver), connect (TCP), tls (handshake),
 * processing (request sent to first response byte: the time to first byte) and transfer (first
 * response byte to the end of the body).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { makeLookup, type IpFamily, type ResolverHandle } from '@nmaas/example-web-cartography/hosts';

export const PHASES = ['resolve', 'connect', 'tls', 'processing', 'transfer'] as const;
export type Phase = (typeof PHASES)[number];

export interface ProbeOptions {
  resolver: ResolverHandle;
  family: IpFamily;
  method: 'GET' | 'HEAD';
  timeoutMs: number;
  signal?: AbortSignal;
  isExpectedStatus: (status: number) => boolean;
  followRedirects: boolean;
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM) on top of Node's bundled roots. */
  ca?: string;
  userAgent?: string;
}

export interface TlsInfo {
  version: string;
  cipher: string;
  /** Unix time (seconds) at which the first certificate of the presented chain expires. */
  earliestCertExpiry: number;
  subject: string;
  issuer: string;
}

export interface HopResult {
  url: string;
  status: number;
  address: string;
  phases: Record<Phase, number>;
}

export interface ProbeResult {
  target: string;
  success: boolean;
  /** Why the probe failed, when it did. */
  failure?: string;
  status: number;
  httpVersion: string;
  redirects: number;
  /** Seconds per phase, summed over redirect hops. */
  phases: Record<Phase, number>;
  durationSeconds: number;
  bodyBytes: number;
  ipProtocol: 4 | 6 | 0;
  address: string;
  tls?: TlsInfo;
  hops: HopResult[];
}

const zeroPhases = (): Record<Phase, number> => ({ resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 });

export async function probeHttp(target: string, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const result: ProbeResult = { target, success: false, status: 0, httpVersion: '', redirects: 0, phases: zeroPhases(), durationSeconds: 0, bodyBytes: 0, ipProtocol: 0, address: '', hops: [] };
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ...result, failure: `${target} is not a URL` };
  }
  try {
    for (;;) {
      const hop = await oneHop(url, options, signal);
      result.hops.push({ url: url.href, status: hop.status, address: hop.address, phases: hop.phases });
      for (const phase of PHASES) result.phases[phase] += hop.phases[phase];
      Object.assign(result, { status: hop.status, httpVersion: hop.httpVersion, bodyBytes: hop.bodyBytes, address: hop.address, ipProtocol: net.isIP(hop.address) as 4 | 6 | 0 });
      if (hop.tls) result.tls = hop.tls;
      else delete result.tls;
      if (options.followRedirects && hop.status >= 300 && hop.status < 400 && hop.location) {
        if (result.redirects >= (options.maxRedirects ?? 10)) throw new Error(`more than ${options.maxRedirects ?? 10} redirects`);
        result.redirects += 1;
        url = new URL(hop.location, url);
        continue;
      }
      break;
    }
    result.success = options.isExpectedStatus(result.status);
    if (!result.success) result.failure = `status ${result.status} is not an expected status code`;
  } catch (error) {
    result.failure = deadline.aborted ? `no complete answer within ${options.timeoutMs} ms` : (error as Error).message;
  }
  result.durationSeconds = (performance.now() - started) / 1000;
  return result;
}

interface Hop {
  status: number;
  httpVersion: string;
  location?: string;
  bodyBytes: number;
  address: string;
  phases: Record<Phase, number>;
  tls?: TlsInfo;
}

function oneHop(url: URL, options: ProbeOptions, signal: AbortSignal): Promise<Hop> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new Error(`${url.href}: only http:// and https:// are supported`));
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const t = { start: NaN, resolved: NaN, connected: NaN, secured: NaN, firstByte: NaN, end: NaN };
    let tlsInfo: TlsInfo | undefined;
    const lookup = makeLookup(options.resolver, options.family, ({ seconds }) => {
      t.resolved = performance.now();
      t.start = t.resolved - seconds * 1000;
    });
    const requestOptions: https.RequestOptions = {
      method: options.method,
      agent: false,
      lookup,
      signal,
      headers: { 'user-agent': options.userAgent ?? 'nmaas-web-qos/0.1', accept: '*/*' },
      ...(options.family === 'ipv4' ? { family: 4 } : options.family === 'ipv6' ? { family: 6 } : {}),
      ...(secure && options.ca ? { secureContext: secureContextFor(options.ca) } : {}),
    };
    const request = (secure ? https : http).request(url, requestOptions);
    request.on('socket', (socket: net.Socket) => {
      // The clock starts when the socket exists: building the TLS context is set-up, not network time.
      if (Number.isNaN(t.start)) t.start = performance.now();
      socket.once('connect', () => {
        t.connected = performance.now();
      });
      if (secure) {
        socket.once('secureConnect', () => {
          t.secured = performance.now();
          tlsInfo = describeTls(socket as tls.TLSSocket);
        });
      }
    });
    request.on('error', reject);
    request.on('response', (response) => {
      t.firstByte = performance.now();
      let bodyBytes = 0;
      response.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.length;
      });
      response.on('error', reject);
      response.on('end', () => {
        t.end = performance.now();
        // An IP literal skips the lookup: its resolve phase is zero.
        const resolved = Number.isNaN(t.resolved) ? t.start : t.resolved;
        const connected = Number.isNaN(t.connected) ? resolved : t.connected;
        const ready = secure && !Number.isNaN(t.secured) ? t.secured : connected;
        resolve({
          status: response.statusCode ?? 0,
          httpVersion: response.httpVersion,
          ...(typeof response.headers.location === 'string' ? { location: response.headers.location } : {}),
          bodyBytes,
          address: response.socket?.remoteAddress ?? '',
          phases: {
            resolve: (resolved - t.start) / 1000,
            connect: (connected - resolved) / 1000,
            tls: (ready - connected) / 1000,
            processing: (t.firstByte - ready) / 1000,
            transfer: (t.end - t.firstByte) / 1000,
          },
          ...(tlsInfo ? { tls: tlsInfo } : {}),
        });
      });
    });
    request.end();
  });
}

const contexts = new Map<string, tls.SecureContext>();
/** One TLS context per extra CA bundle: loading ~150 roots costs tens of ms, which is no phase of the probe. */
function secureContextFor(ca: string): tls.SecureContext {
  let context = contexts.get(ca);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ca] });
    contexts.set(ca, context);
  }
  return context;
}

function describeTls(socket: tls.TLSSocket): TlsInfo {
  const chain: tls.DetailedPeerCertificate[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  const seen = new Set<string>();
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  const expiries = chain.map((c) => Date.parse(c.valid_to) / 1000).filter(Number.isFinite);
  const leaf = chain[0];
  return {
    version: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    earliestCertExpiry: expiries.length > 0 ? Math.min(...expiries) : 0,
    subject: firstValue(leaf?.subject?.CN),
    issuer: firstValue(leaf?.issuer?.CN),
  };
}

function firstValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
