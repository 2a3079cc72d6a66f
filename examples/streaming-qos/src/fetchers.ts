/**
 * The network side of a session: manifest and segment fetches through the configured resolver,
 * over keep-alive connections (as players reuse them), timed from request start to last byte.
 */
import http from 'node:http';
import https from 'node:https';
import { fetchUrl, type IpFamily, type ResolverHandle } from '@nmaas/example-web-cartography/hosts';
import type { ManifestFetch } from './manifest/load.js';
import type { SegmentFetch } from './player/session.js';

export interface Fetchers {
  fetchText: ManifestFetch;
  fetchSegment: SegmentFetch;
  close(): void;
}

export function createFetchers(options: {
  resolver: ResolverHandle;
  family: IpFamily;
  timeoutMs: number;
  ca?: string;
  signal?: AbortSignal;
}): Fetchers {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 2 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 2 }),
  };
  const common = {
    resolver: options.resolver,
    family: options.family,
    timeoutMs: options.timeoutMs,
    agents,
    ...(options.ca ? { ca: options.ca } : {}),
  };
  return {
    async fetchText(url) {
      const got = await fetchUrl(url, {
        ...common,
        keepBody: true,
        maxBodyBytes: 10 * 1024 * 1024,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (got.status >= 400) throw new Error(`${url} answered HTTP ${got.status}`);
      return { url: got.url, text: got.body.toString('utf8') };
    },
    async fetchSegment(url, signal) {
      const got = await fetchUrl(url, { ...common, signal });
      return {
        url: got.url,
        bytes: got.bodyBytes,
        seconds: got.totalSeconds,
        status: got.status,
        address: got.address,
      };
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
