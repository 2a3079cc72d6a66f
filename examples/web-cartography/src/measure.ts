/**
 * One run of web-cartography: map every configured page, publish the graph as the run's result
 * and the counts as metrics, and count what changed since this instance's previous run.
 */
import { parseDuration } from '@nmaas/sdk';
import type { MeasurementContext } from '@nmaas/sdk';
import { parseCdnSuffixes } from './hosts/cdn.js';
import { createResolver, type IpFamily } from './hosts/resolver.js';
import { diffMaps, type Change } from './page/changes.js';
import { RESOURCE_TYPES } from './page/extract.js';
import { mapPage, type PageMap } from './page/map-page.js';

export interface WebCartographyParams {
  pages: string[];
  resolver: string;
  ipFamily: IpFamily;
  timeout: string;
  maxResources: number;
  followResources: boolean;
  cdnSuffixes: string[];
  caCertificates: string;
}

/** The previous map of each page, kept between runs of this process to report changes. */
const previousMaps = new Map<string, PageMap>();

export async function measureWebCartography(ctx: MeasurementContext<WebCartographyParams>): Promise<void> {
  const p = ctx.params;
  const timeoutMs = (parseDuration(p.timeout) ?? 10) * 1000;
  const resolver = createResolver(p.resolver, { timeoutMs: Math.min(timeoutMs, 5000) });
  const cdnSuffixes = parseCdnSuffixes(p.cdnSuffixes);
  const pages: { page: string; map?: PageMap; changes?: Change[]; error?: string }[] = [];
  for (const page of p.pages) {
    if (ctx.signal.aborted) break;
    try {
      const map = await mapPage(page, {
        resolver,
        family: p.ipFamily,
        timeoutMs,
        signal: ctx.signal,
        maxResources: p.maxResources,
        followResources: p.followResources,
        cdnSuffixes,
        ...(p.caCertificates.trim() ? { ca: p.caCertificates } : {}),
      });
      const previous = previousMaps.get(page);
      const changes = diffMaps(previous, map);
      previousMaps.set(page, map);
      record(ctx, page, map, changes, previous);
      pages.push({ page, map, changes });
      ctx.log.info('mapped page', {
        page,
        hosts: map.hosts.length,
        resources: map.resources.length,
        changes: changes.length,
      });
    } catch (error) {
      const message = (error as Error).message;
      ctx.metrics.counter('web_cartography_crawls_total').inc({ page, result: 'failure' });
      ctx.log.warn('page could not be mapped', { page, error: message });
      pages.push({ page, error: message });
    }
  }
  ctx.result({ resolver: p.resolver || 'system', pages });
  if (pages.length > 0 && pages.every((r) => r.error !== undefined))
    throw new Error(`no page could be mapped: ${pages.map((r) => `${r.page}: ${r.error}`).join('; ')}`);
}

function record(
  ctx: MeasurementContext<WebCartographyParams>,
  page: string,
  map: PageMap,
  changes: Change[],
  previous: PageMap | undefined,
): void {
  const m = ctx.metrics;
  m.counter('web_cartography_crawls_total').inc({ page, result: 'success' });
  m.gauge('web_cartography_hosts').set({ page }, map.hosts.length);
  m.gauge('web_cartography_third_party_hosts').set({ page }, map.hosts.filter((h) => !h.sameSite).length);
  m.gauge('web_cartography_addresses').set({ page }, new Set(map.hosts.flatMap((h) => h.addresses)).size);
  m.gauge('web_cartography_unresolved_hosts').set({ page }, map.hosts.filter((h) => h.error !== undefined).length);
  m.gauge('web_cartography_cname_chain_max_hops').set(
    { page },
    Math.max(0, ...map.hosts.map((h) => h.cnameChain.length)),
  );
  m.gauge('web_cartography_crawl_duration_seconds').set({ page }, map.durationSeconds);
  for (const type of RESOURCE_TYPES)
    m.gauge('web_cartography_resources').set({ page, type }, map.resources.filter((r) => r.type === type).length);
  // A CDN the page no longer uses drops to 0 instead of keeping its last count.
  const perCdn = new Map<string, number>((previous?.hosts ?? []).map((h) => [h.cdn ?? 'none', 0]));
  for (const h of map.hosts) perCdn.set(h.cdn ?? 'none', (perCdn.get(h.cdn ?? 'none') ?? 0) + 1);
  for (const [cdn, count] of perCdn) m.gauge('web_cartography_cdn_hosts').set({ page, cdn }, count);
  for (const change of changes) m.counter('web_cartography_changes_total').inc({ page, kind: change.kind });
}
