/**
 * One HTTP(S) GET/HEAD through the configured resolver, following redirects by hand so that every
 * hop (URL, status, server address) is recorded: cartography is about *which* servers answer, and
 * throughput is timed from the first byte of the body to its end.
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { makeLookup, type IpFamily, type ResolverHandle } from './resolver.js';

export interface RedirectHop {
  url: string;
  status: number;
  location: string;
  address: string;
}

export interface FetchOptions {
  resolver: ResolverHandle;
  family?: IpFamily;
  method?: 'GET' | 'HEAD';
  timeoutMs?: number;
  signal?: AbortSignal;
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM), added to Node's bundled roots. */
  ca?: string;
  /** Keep the body (pages, manifests); otherwise it is counted and dropped (segments). */
  keepBody?: boolean;
  /** Refuse bodies above this size (bytes). */
  maxBodyBytes?: number;
  headers?: Record<string, string>;
  /** Keep-alive agents to reuse connections (players do); without them every request opens its own. */
  agents?: { http: http.Agent; https: https.Agent };
}

export interface FetchResult {
  /** The URL that finally answered (after redirects). */
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  bodyBytes: number;
  redirects: RedirectHop[];
  /** Address of the server that sent the final response. */
  address: string;
  /** Seconds: request start to the response head of the final hop, and response head to body end. */
  ttfbSeconds: number;
  transferSeconds: number;
  totalSeconds: number;
}

export async function fetchUrl(url: string, options: FetchOptions): Promise<FetchResult> {
  const started = performance.now();
  const redirects: RedirectHop[] = [];
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const response = await requestOnce(current, options);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location !== undefined) {
      if (hop >= (options.maxRedirects ?? 5))
        throw new Error(`${url}: more than ${options.maxRedirects ?? 5} redirects`);
      const next = new URL(location, current);
      redirects.push({ url: current.href, status: response.status, location: next.href, address: response.address });
      current = next;
      continue;
    }
    return { ...response, url: current.href, redirects, totalSeconds: (performance.now() - started) / 1000 };
  }
}

type OneResponse = Omit<FetchResult, 'url' | 'redirects' | 'totalSeconds'>;

function requestOnce(url: URL, options: FetchOptions): Promise<OneResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new Error(`${url.href}: only http and https URLs are supported`));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = client.request(url, {
      method: options.method ?? 'GET',
      agent: options.agents ? (url.protocol === 'https:' ? options.agents.https : options.agents.http) : false,
      lookup: makeLookup(options.resolver, options.family ?? 'auto'),
      headers: { 'user-agent': 'nmaas-cartography/0.1', ...options.headers },
      timeout: options.timeoutMs ?? 10_000,
      signal: options.signal,
      ...(url.protocol === 'https:' && options.ca ? { ca: [...tls.rootCertificates, options.ca] } : {}),
    });
    request.on('timeout', () =>
      request.destroy(new Error(`${url.href}: no answer within ${options.timeoutMs ?? 10_000} ms`)),
    );
    request.on('error', reject);
    request.on('response', (response) => {
      const ttfb = (performance.now() - started) / 1000;
      const address = response.socket.remoteAddress ?? '';
      const chunks: Buffer[] = [];
      let bytes = 0;
      const headersAt = performance.now();
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (options.maxBodyBytes !== undefined && bytes > options.maxBodyBytes) {
          request.destroy(new Error(`${url.href}: body larger than ${options.maxBodyBytes} bytes`));
          return;
        }
        if (options.keepBody) chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        const end = performance.now();
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
          bodyBytes: bytes,
          address,
          ttfbSeconds: ttfb,
          transferSeconds: (end - headersAt) / 1000,
        });
      });
    });
    request.end();
  });
}
