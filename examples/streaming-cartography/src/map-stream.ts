/**
 * Maps which servers deliver a stream: the manifest's redirect chain, each rendition's playlist
 * and a sample of its segments (first, middle and last by default, since CDNs may shard a stream
 * by position), every redirect hop, the host and address that finally answered, and per host the
 * bytes, time and throughput of what it delivered. Every host is resolved through the configured
 * resolver (CNAME chain, addresses) and attributed to a CDN when its names say so.
 */
import http from 'node:http';
import https from 'node:https';
import {
  classifyCdn,
  fetchUrl,
  resolveChain,
  type FetchResult,
  type IpFamily,
  type ResolverHandle,
} from '@nmaas/example-web-cartography/hosts';
import {
  loadRenditionSegments,
  loadStream,
  type Segment,
  type StreamDescription,
} from '@nmaas/example-streaming-qos/manifest';

export type FetchRole = 'manifest' | 'playlist' | 'init' | 'segment';

export interface FetchRecord {
  role: FetchRole;
  rendition?: string;
  url: string;
  /** Every URL the request went through, the last being the one that answered. */
  chain: string[];
  status: number;
  host: string;
  address: string;
  bytes: number;
  seconds: number;
}

export interface HostEntry {
  host: string;
  roles: string[];
  renditions: string[];
  /** Addresses the app actually connected to for this host. */
  connectedAddresses: string[];
  cnameChain: string[];
  resolvedAddresses: string[];
  cdn: string | null;
  bytes: number;
  /** Bytes per second over the host's segment downloads (request start to last byte), 0 if it served none. */
  throughput: number;
  redirectsIssued: number;
  error?: string;
}

export interface RenditionEntry {
  id: string;
  bandwidth: number;
  /** Hosts that answered this rendition's segments, after redirects. */
  edgeHosts: string[];
  edgeAddresses: string[];
  segmentsSampled: number;
  redirects: number;
}

export interface StreamMap {
  stream: string;
  format: StreamDescription['format'];
  manifestUrl: string;
  manifestRedirects: string[];
  renditions: RenditionEntry[];
  hosts: HostEntry[];
  fetches: FetchRecord[];
  durationSeconds: number;
}

export interface StreamMapOptions {
  resolver: ResolverHandle;
  family?: IpFamily;
  timeoutMs?: number;
  signal?: AbortSignal;
  ca?: string;
  segmentsPerRendition?: number;
  maxRenditions?: number;
  cdnSuffixes?: Record<string, string>;
}

export async function mapStream(url: string, options: StreamMapOptions): Promise<StreamMap> {
  const started = performance.now();
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const common = {
    resolver: options.resolver,
    family: options.family ?? 'auto',
    timeoutMs: options.timeoutMs ?? 10_000,
    agents,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  };
  const fetches: FetchRecord[] = [];
  const note = (role: FetchRole, requested: string, got: FetchResult, rendition?: string) => {
    fetches.push({
      role,
      ...(rendition !== undefined ? { rendition } : {}),
      url: requested,
      chain: [requested, ...got.redirects.map((r) => r.location)],
      status: got.status,
      host: new URL(got.url).hostname,
      address: got.address,
      bytes: got.bodyBytes,
      seconds: got.totalSeconds,
    });
    if (got.status >= 400) throw new Error(`${requested} answered HTTP ${got.status}`);
  };
  try {
    let role: FetchRole = 'manifest';
    let current: string | undefined;
    const fetchText = async (u: string) => {
      const got = await fetchUrl(u, { ...common, keepBody: true, maxBodyBytes: 10 * 1024 * 1024 });
      note(role, u, got, current);
      return { url: got.url, text: got.body.toString('utf8') };
    };
    const stream = await loadStream(url, fetchText);
    const renditions: RenditionEntry[] = [];
    for (const rendition of stream.renditions.slice(0, options.maxRenditions ?? 10)) {
      role = 'playlist';
      current = rendition.id;
      const segments = await loadRenditionSegments(stream, rendition, fetchText);
      if (rendition.initUrl) {
        const got = await fetchUrl(rendition.initUrl, common);
        note('init', rendition.initUrl, got, rendition.id);
      }
      for (const segment of sample(segments, options.segmentsPerRendition ?? 3)) {
        const got = await fetchUrl(segment.url, common);
        note('segment', segment.url, got, rendition.id);
      }
      const own = fetches.filter((f) => f.rendition === rendition.id && f.role === 'segment');
      renditions.push({
        id: rendition.id,
        bandwidth: rendition.bandwidth,
        edgeHosts: unique(own.map((f) => f.host)),
        edgeAddresses: unique(own.map((f) => f.address)),
        segmentsSampled: own.length,
        redirects: own.reduce((n, f) => n + f.chain.length - 1, 0),
      });
    }
    const manifestFetch = fetches.find((f) => f.role === 'manifest')!;
    return {
      stream: url,
      format: stream.format,
      manifestUrl: stream.manifestUrl,
      manifestRedirects: manifestFetch.chain.slice(1),
      renditions,
      hosts: await describeHosts(fetches, options),
      fetches,
      durationSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    agents.http.destroy();
    agents.https.destroy();
  }
}

/** `count` segments spread over the stream: first, last and evenly between. */
export function sample(segments: Segment[], count: number): Segment[] {
  if (segments.length <= count) return segments;
  if (count <= 1) return segments.slice(0, 1);
  const picks = new Set<number>();
  for (let i = 0; i < count; i++) picks.add(Math.round((i * (segments.length - 1)) / (count - 1)));
  return [...picks].sort((a, b) => a - b).map((i) => segments[i]!);
}

async function describeHosts(fetches: FetchRecord[], options: StreamMapOptions): Promise<HostEntry[]> {
  const byHost = new Map<
    string,
    {
      roles: Set<string>;
      renditions: Set<string>;
      addresses: Set<string>;
      bytes: number;
      segBytes: number;
      segSeconds: number;
      redirects: number;
    }
  >();
  const entry = (host: string) => {
    let e = byHost.get(host);
    if (!e)
      byHost.set(
        host,
        (e = {
          roles: new Set(),
          renditions: new Set(),
          addresses: new Set(),
          bytes: 0,
          segBytes: 0,
          segSeconds: 0,
          redirects: 0,
        }),
      );
    return e;
  };
  for (const f of fetches) {
    const answered = entry(f.host);
    answered.roles.add(f.role);
    if (f.rendition !== undefined && f.role !== 'playlist') answered.renditions.add(f.rendition);
    if (f.address) answered.addresses.add(f.address);
    answered.bytes += f.bytes;
    if (f.role === 'segment') {
      answered.segBytes += f.bytes;
      answered.segSeconds += f.seconds;
    }
    for (const hop of f.chain.slice(0, -1)) {
      const redirecting = entry(new URL(hop).hostname);
      redirecting.roles.add('redirect');
      redirecting.redirects += 1;
    }
  }
  const hosts = await Promise.all(
    [...byHost].map(async ([host, e]): Promise<HostEntry> => {
      const resolution = await resolveChain(options.resolver, host.replace(/^\[|\]$/g, ''), options.family ?? 'auto');
      return {
        host,
        roles: [...e.roles].sort(),
        renditions: [...e.renditions].sort(),
        connectedAddresses: [...e.addresses].sort(),
        cnameChain: resolution.cnameChain,
        resolvedAddresses: [...resolution.addresses].sort(),
        cdn: classifyCdn([host, ...resolution.cnameChain], resolution.addresses, options.cdnSuffixes),
        bytes: e.bytes,
        throughput: e.segSeconds > 0 ? e.segBytes / e.segSeconds : 0,
        redirectsIssued: e.redirects,
        ...(resolution.error ? { error: resolution.error } : {}),
      };
    }),
  );
  return hosts.sort((a, b) => a.host.localeCompare(b.host));
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))].sort();
}
