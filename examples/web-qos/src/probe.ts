/**
 * One HTTP(S) probe in the manner of blackbox_exporter's http prober: a fresh connection per hop
 * (no pooling, so every phase is paid and measured) and redirects followed by hand. The phases are
 * booked as blackbox books them:
 * - resolve: DNS through the configured resolver (0 for an IP literal), once per host and probe;
 * - connect: TCP connect, summed over hops;
 * - tls: TLS handshake from the ClientHello (its generation included) to the end, summed over hops;
 * - processing: connection ready → first response byte (time to first byte), summed over hops;
 * - transfer: first response byte → end of the body, of the final hop only.
 * A failed probe keeps the phases that completed before the failure.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type tls from 'node:tls';
import { makeLookup, type IpFamily, type ResolverHandle } from '@nmaas/example-web-cartography/hosts';
import { describePeerChain, secureContextFor, type TlsInfo } from './tls-info.js';

export type { TlsInfo } from './tls-info.js';

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
  /** Seconds per phase, booked as blackbox_exporter books them (see the module comment). */
  phases: Record<Phase, number>;
  durationSeconds: number;
  bodyBytes: number;
  /** The final answer's Content-Length header, -1 when it has none (blackbox's `probe_http_content_length`). */
  contentLength: number;
  ipProtocol: 4 | 6 | 0;
  address: string;
  tls?: TlsInfo;
  hops: HopResult[];
}

const zeroPhases = (): Record<Phase, number> => ({ resolve: 0, connect: 0, tls: 0, processing: 0, transfer: 0 });

export async function probeHttp(target: string, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const result: ProbeResult = {
    target,
    success: false,
    status: 0,
    httpVersion: '',
    redirects: 0,
    phases: zeroPhases(),
    durationSeconds: 0,
    bodyBytes: 0,
    contentLength: 0,
    ipProtocol: 0,
    address: '',
    hops: [],
  };
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { ...result, failure: `${target} is not a URL` };
  }
  const maxRedirects = options.maxRedirects ?? 10;
  // Within one probe a host is resolved once, as blackbox does (it connects to the address it
  // resolved first): a redirect to the same host costs no second lookup.
  const resolved = new Map<string, { address: string; family: number }[]>();
  for (;;) {
    const hop = await oneHop(url, options, signal, resolved);
    result.hops.push({ url: url.href, status: hop.status, address: hop.address, phases: hop.phases });
    for (const phase of PHASES) {
      // blackbox times the transfer of the final answer only; every other phase adds up over the hops.
      if (phase === 'transfer') result.phases.transfer = hop.phases.transfer;
      else result.phases[phase] += hop.phases[phase];
    }
    Object.assign(result, {
      status: hop.status,
      httpVersion: hop.httpVersion,
      bodyBytes: hop.bodyBytes,
      contentLength: hop.contentLength,
    });
    if (hop.address !== '') {
      result.address = hop.address;
      result.ipProtocol = net.isIP(hop.address) as 4 | 6 | 0;
    }
    if (hop.tls) result.tls = hop.tls;
    else delete result.tls;
    if (hop.error) {
      result.failure = deadline.aborted ? `no complete answer within ${options.timeoutMs} ms` : hop.error.message;
      break;
    }
    if (options.followRedirects && hop.status >= 300 && hop.status < 400 && hop.location) {
      if (result.redirects >= maxRedirects) {
        result.failure = `more than ${maxRedirects} redirects`;
        break;
      }
      result.redirects += 1;
      url = new URL(hop.location, url);
      continue;
    }
    result.success = options.isExpectedStatus(result.status);
    if (!result.success) result.failure = `status ${result.status} is not an expected status code`;
    break;
  }
  result.durationSeconds = (performance.now() - started) / 1000;
  return result;
}

interface Hop {
  status: number;
  httpVersion: string;
  location?: string;
  bodyBytes: number;
  contentLength: number;
  address: string;
  phases: Record<Phase, number>;
  tls?: TlsInfo;
  /** Set when the hop did not complete; the phases hold what completed before. */
  error?: Error;
}

/** Instants of one hop (performance.now() ms); NaN for what did not happen. */
interface HopClock {
  start: number;
  resolved: number;
  connected: number;
  secured: number;
  firstByte: number;
  end: number;
}

/** The phases of a hop from the instants that happened; a phase whose end never came is 0. */
function phasesOf(t: HopClock, secure: boolean): Record<Phase, number> {
  const seconds = (from: number, to: number) => (Number.isNaN(from) || Number.isNaN(to) ? 0 : (to - from) / 1000);
  // An IP literal skips the lookup: its resolve phase is zero and connect starts with the hop.
  const resolved = Number.isNaN(t.resolved) ? t.start : t.resolved;
  const ready = secure ? t.secured : t.connected;
  return {
    resolve: seconds(t.start, resolved),
    connect: seconds(resolved, t.connected),
    tls: secure ? seconds(t.connected, t.secured) : 0,
    processing: seconds(ready, t.firstByte),
    transfer: seconds(t.firstByte, t.end),
  };
}

function oneHop(
  url: URL,
  options: ProbeOptions,
  signal: AbortSignal,
  resolved: Map<string, { address: string; family: number }[]>,
): Promise<Hop> {
  const empty = { status: 0, httpVersion: '', bodyBytes: 0, contentLength: 0, address: '', phases: zeroPhases() };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ ...empty, error: new Error(`${url.href}: only http:// and https:// are supported`) });
  }
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    const t: HopClock = { start: NaN, resolved: NaN, connected: NaN, secured: NaN, firstByte: NaN, end: NaN };
    let tlsInfo: TlsInfo | undefined;
    let address = '';
    let response: http.IncomingMessage | undefined;
    let bodyBytes = 0;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      resolve({
        status: response?.statusCode ?? 0,
        httpVersion: response?.httpVersion ?? '',
        ...(typeof response?.headers.location === 'string' ? { location: response.headers.location } : {}),
        bodyBytes,
        contentLength: contentLengthOf(response),
        address,
        phases: phasesOf(t, secure),
        ...(tlsInfo ? { tls: tlsInfo } : {}),
        ...(error ? { error } : {}),
      });
    };
    const askResolver = makeLookup(options.resolver, options.family, ({ addresses, seconds }) => {
      t.resolved = performance.now();
      t.start = t.resolved - seconds * 1000;
      // Known before any connection: a probe that times out still says which family it tried.
      if (address === '' && addresses[0]) address = addresses[0];
      resolved.set(
        url.hostname,
        addresses.map((a) => ({ address: a, family: net.isIP(a) })),
      );
    });
    const lookup: net.LookupFunction = (hostname, lookupOptions, callback) => {
      const known = resolved.get(hostname);
      if (!known || known.length === 0) return askResolver(hostname, lookupOptions, callback);
      address = known[0]!.address;
      // Asynchronous like every lookup, so the socket's listeners are in place when it connects.
      process.nextTick(() => {
        if (lookupOptions.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, known);
        else (callback as (e: null, a: string, f: number) => void)(null, known[0]!.address, known[0]!.family);
      });
    };
    const requestOptions: https.RequestOptions = {
      method: options.method,
      agent: false,
      lookup,
      signal,
      headers: { 'user-agent': options.userAgent ?? 'nmaas-web-qos/0.1', accept: '*/*' },
      ...(options.family === 'ipv4' ? { family: 4 } : options.family === 'ipv6' ? { family: 6 } : {}),
      // One context per process and CA bundle: building it is set-up, never a phase of the probe.
      ...(secure ? { secureContext: secureContextFor(options.ca) } : {}),
    };
    const request = (secure ? https : http).request(url, requestOptions);
    request.on('socket', (socket: net.Socket) => {
      if (Number.isNaN(t.start)) t.start = performance.now();
      // Prepended so the clock stops before Node's own connect listener writes the ClientHello:
      // generating it belongs to the tls phase, as in blackbox.
      socket.prependOnceListener('connect', () => {
        t.connected = performance.now();
        if (socket.remoteAddress) address = socket.remoteAddress;
      });
      // The first response byte, before the HTTP parser sees it (and before 'response', which
      // needs the whole head): blackbox's GotFirstResponseByte.
      const onFirstData = () => {
        if (Number.isNaN(t.firstByte) && !Number.isNaN(secure ? t.secured : t.connected)) {
          t.firstByte = performance.now();
          socket.removeListener('data', onFirstData);
        }
      };
      socket.prependListener('data', onFirstData);
      if (secure) {
        socket.once('secureConnect', () => {
          t.secured = performance.now();
          // Reading the chain costs about a millisecond: after the request has gone out, while the
          // server works, so that it is booked neither as processing nor as transfer.
          setImmediate(() => {
            if (!socket.destroyed) tlsInfo = describePeerChain(socket as tls.TLSSocket, options.ca);
          });
        });
      }
    });
    request.on('error', (error) => finish(error));
    request.on('response', (res) => {
      response = res;
      // The address must be read while the socket is open: a TLS socket forgets it after 'end'.
      if (res.socket?.remoteAddress) address = res.socket.remoteAddress;
      if (Number.isNaN(t.firstByte)) t.firstByte = performance.now();
      // An answer faster than the deferred read above: read the chain now.
      if (secure && !tlsInfo && res.socket) tlsInfo = describePeerChain(res.socket as tls.TLSSocket, options.ca);
      res.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.length;
      });
      res.on('error', (error) => finish(error));
      res.on('aborted', () => finish(new Error('the connection closed before the end of the body')));
      res.on('end', () => {
        t.end = performance.now();
        finish();
      });
    });
    request.end();
  });
}

function contentLengthOf(response: http.IncomingMessage | undefined): number {
  if (!response) return 0;
  const header = response.headers['content-length'];
  const value = header === undefined ? NaN : Number(header);
  return Number.isInteger(value) && value >= 0 ? value : -1;
}
