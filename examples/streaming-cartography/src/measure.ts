/**
 * One run of streaming-cartography: map each configured stream, publish the maps (and what
 * changed since the previous run) as the run's result and the counts and per-host throughput
 * as metrics.
 */
import { parseDuration, type MeasurementContext } from '@nmaas/sdk';
import { createResolver, parseCdnSuffixes, type IpFamily } from '@nmaas/example-web-cartography/hosts';
import { diffStreamMaps, type StreamChange } from './changes.js';
import { mapStream, type StreamMap } from './map-stream.js';

export interface StreamingCartographyParams {
  streams: string[];
  segmentsPerRendition: number;
  maxRenditions: number;
  timeout: string;
  ipFamily: IpFamily;
  resolver: string;
  cdnSuffixes: string[];
  caCertificates: string;
}

const previousMaps = new Map<string, StreamMap>();

export async function measureStreamingCartography(ctx: MeasurementContext<StreamingCartographyParams>): Promise<void> {
  const p = ctx.params;
  const timeoutMs = (parseDuration(p.timeout) ?? 10) * 1000;
  const resolver = createResolver(p.resolver, { timeoutMs: Math.min(timeoutMs, 5000) });
  const cdnSuffixes = parseCdnSuffixes(p.cdnSuffixes);
  const results: { stream: string; map?: StreamMap; changes?: StreamChange[]; error?: string }[] = [];
  for (const stream of p.streams) {
    if (ctx.signal.aborted) break;
    try {
      const map = await mapStream(stream, {
        resolver,
        family: p.ipFamily,
        timeoutMs,
        signal: ctx.signal,
        segmentsPerRendition: p.segmentsPerRendition,
        maxRenditions: p.maxRenditions,
        cdnSuffixes,
        ...(p.caCertificates.trim() ? { ca: p.caCertificates } : {}),
      });
      const previous = previousMaps.get(stream);
      const changes = diffStreamMaps(previous, map);
      previousMaps.set(stream, map);
      record(ctx, map, changes, previous);
      results.push({ stream, map, changes });
      ctx.log.info('mapped stream', {
        stream,
        hosts: map.hosts.length,
        renditions: map.renditions.length,
        changes: changes.length,
      });
    } catch (error) {
      const message = (error as Error).message;
      ctx.metrics.counter('streaming_cartography_mappings_total').inc({ stream, result: 'failure' });
      ctx.log.warn('stream could not be mapped', { stream, error: message });
      results.push({ stream, error: message });
    }
  }
  ctx.result({ resolver: p.resolver || 'system', streams: results });
  if (results.length > 0 && results.every((r) => r.error !== undefined))
    throw new Error(`no stream could be mapped: ${results.map((r) => `${r.stream}: ${r.error}`).join('; ')}`);
}

function record(
  ctx: MeasurementContext<StreamingCartographyParams>,
  map: StreamMap,
  changes: StreamChange[],
  previous: StreamMap | undefined,
): void {
  const m = ctx.metrics;
  const stream = map.stream;
  const edges = map.hosts.filter((h) => h.roles.includes('segment'));
  m.counter('streaming_cartography_mappings_total').inc({ stream, result: 'success' });
  m.gauge('streaming_cartography_hosts').set({ stream }, map.hosts.length);
  m.gauge('streaming_cartography_edge_hosts').set({ stream }, edges.length);
  m.gauge('streaming_cartography_edge_addresses').set(
    { stream },
    new Set(edges.flatMap((h) => h.connectedAddresses)).size,
  );
  m.gauge('streaming_cartography_redirects').set(
    { stream },
    map.fetches.reduce((n, f) => n + f.chain.length - 1, 0),
  );
  m.gauge('streaming_cartography_mapping_duration_seconds').set({ stream }, map.durationSeconds);
  for (const r of map.renditions)
    m.gauge('streaming_cartography_rendition_edge_hosts').set({ stream, rendition: r.id }, r.edgeHosts.length);
  // Hosts gone since the last run read 0 instead of keeping their old values.
  for (const h of previous?.hosts ?? [])
    if (!map.hosts.some((x) => x.host === h.host))
      m.gauge('streaming_cartography_host_throughput_bytes_per_second').set({ stream, host: h.host }, 0);
  for (const h of edges)
    m.gauge('streaming_cartography_host_throughput_bytes_per_second').set({ stream, host: h.host }, h.throughput);
  for (const h of map.hosts)
    m.counter('streaming_cartography_host_downloaded_bytes_total').inc({ stream, host: h.host }, h.bytes);
  const perCdn = new Map<string, number>((previous?.hosts ?? []).map((h) => [h.cdn ?? 'none', 0]));
  for (const h of map.hosts) perCdn.set(h.cdn ?? 'none', (perCdn.get(h.cdn ?? 'none') ?? 0) + 1);
  for (const [cdn, count] of perCdn) m.gauge('streaming_cartography_cdn_hosts').set({ stream, cdn }, count);
  for (const c of changes) m.counter('streaming_cartography_changes_total').inc({ stream, kind: c.kind });
}
