/**
 * Maps what one web page depends on: fetch the page, read the resources it names (and those its
 * stylesheets name), follow each resource's redirects, then resolve every host seen through the
 * configured resolver, with its CNAME chain, addresses and CDN.
 */
import { classifyCdn } from '../hosts/cdn.js';
import { fetchUrl } from '../hosts/fetch.js';
import { resolveChain, type IpFamily, type ResolverHandle } from '../hosts/resolver.js';
import { extractFromCss, extractFromHtml, type Resource, type ResourceType } from './extract.js';

export interface MapOptions {
  resolver: ResolverHandle;
  family?: IpFamily;
  timeoutMs?: number;
  signal?: AbortSignal;
  ca?: string;
  /** Stop after this many resources (the rest are counted as skipped). */
  maxResources?: number;
  /** Follow each resource with a HEAD request to see its redirects and status. */
  followResources?: boolean;
  cdnSuffixes?: Record<string, string>;
  concurrency?: number;
}

export interface HostNode {
  host: string;
  /** How the page reaches it: resource types, `page`, `redirect`. */
  roles: string[];
  resources: number;
  /** Same registrable-looking domain as the page (last two labels; no public-suffix list). */
  sameSite: boolean;
  cnameChain: string[];
  addresses: string[];
  cdn: string | null;
  error?: string;
}

export interface ResourceEntry extends Resource {
  finalUrl?: string;
  status?: number;
  redirects: string[];
  error?: string;
}

export interface PageMap {
  page: string;
  finalUrl: string;
  status: number;
  pageRedirects: string[];
  resources: ResourceEntry[];
  skippedResources: number;
  hosts: HostNode[];
  graph: {
    nodes: { id: string; kind: 'page' | 'host' | 'alias' | 'address' | 'cdn' }[];
    edges: { from: string; to: string; kind: 'loads' | 'redirects' | 'alias' | 'resolves' | 'served-by' }[];
  };
  durationSeconds: number;
}

export async function mapPage(pageUrl: string, options: MapOptions): Promise<PageMap> {
  const started = performance.now();
  const common = {
    resolver: options.resolver,
    family: options.family ?? 'auto',
    timeoutMs: options.timeoutMs ?? 10_000,
    signal: options.signal,
    ca: options.ca,
  };
  const page = await fetchUrl(pageUrl, { ...common, keepBody: true, maxBodyBytes: 5 * 1024 * 1024 });
  if (page.status >= 400) throw new Error(`${pageUrl} answered HTTP ${page.status}`);
  let found = extractFromHtml(page.body.toString('utf8'), page.url);
  const limit = options.maxResources ?? 200;
  // Stylesheets name fonts and images the HTML does not: read them (one level of @import too).
  const sheets = found.filter((r) => r.type === 'stylesheet').slice(0, 20);
  const sheetEntries = new Map<string, ResourceEntry>();
  await inBatches(sheets, options.concurrency ?? 6, async (sheet) => {
    const entry: ResourceEntry = { ...sheet, redirects: [] };
    sheetEntries.set(sheet.url, entry);
    try {
      const css = await fetchUrl(sheet.url, { ...common, keepBody: true, maxBodyBytes: 2 * 1024 * 1024 });
      Object.assign(entry, { finalUrl: css.url, status: css.status, redirects: css.redirects.map((r) => r.location) });
      if (css.status < 400) found = found.concat(extractFromCss(css.body.toString('utf8'), css.url));
    } catch (error) {
      entry.error = (error as Error).message;
    }
  });
  found = dedupe(found);
  const kept = found.slice(0, limit);
  const entries: ResourceEntry[] = kept.map((r) => sheetEntries.get(r.url) ?? { ...r, redirects: [] });
  if (options.followResources ?? true) {
    await inBatches(
      entries.filter((e) => !sheetEntries.has(e.url)),
      options.concurrency ?? 6,
      async (entry) => {
        try {
          let result = await fetchUrl(entry.url, { ...common, method: 'HEAD' });
          if (result.status === 405 || result.status === 501)
            result = await fetchUrl(entry.url, { ...common, method: 'GET' });
          Object.assign(entry, {
            finalUrl: result.url,
            status: result.status,
            redirects: result.redirects.map((r) => r.location),
          });
        } catch (error) {
          entry.error = (error as Error).message;
        }
      },
    );
  }

  const pageHost = new URL(page.url).hostname;
  const roles = new Map<string, { roles: Set<string>; resources: number }>();
  const touch = (url: string, role: string, count = 0) => {
    const host = new URL(url).hostname;
    const entry = roles.get(host) ?? { roles: new Set<string>(), resources: 0 };
    entry.roles.add(role);
    entry.resources += count;
    roles.set(host, entry);
    return host;
  };
  touch(pageUrl, 'page');
  for (const hop of page.redirects) touch(hop.location, 'redirect');
  touch(page.url, 'page');
  for (const entry of entries) {
    touch(entry.url, entry.type, 1);
    for (const location of entry.redirects) touch(location, 'redirect');
  }

  const hosts: HostNode[] = [];
  await inBatches([...roles.keys()], options.concurrency ?? 6, async (host) => {
    const resolution = await resolveChain(options.resolver, host.replace(/^\[|\]$/g, ''), options.family ?? 'auto');
    const info = roles.get(host)!;
    hosts.push({
      host,
      roles: [...info.roles].sort(),
      resources: info.resources,
      sameSite: site(host) === site(pageHost),
      cnameChain: resolution.cnameChain,
      addresses: [...resolution.addresses].sort(),
      cdn: classifyCdn([host, ...resolution.cnameChain], resolution.addresses, options.cdnSuffixes),
      ...(resolution.error ? { error: resolution.error } : {}),
    });
  });
  hosts.sort((a, b) => a.host.localeCompare(b.host));
  return {
    page: pageUrl,
    finalUrl: page.url,
    status: page.status,
    pageRedirects: page.redirects.map((r) => r.location),
    resources: entries,
    skippedResources: found.length - kept.length,
    hosts,
    graph: buildGraph(
      pageUrl,
      hosts,
      entries,
      page.redirects.map((r) => r.location),
    ),
    durationSeconds: (performance.now() - started) / 1000,
  };
}

function buildGraph(
  pageUrl: string,
  hosts: HostNode[],
  entries: ResourceEntry[],
  pageRedirects: string[],
): PageMap['graph'] {
  const nodes = new Map<string, PageMap['graph']['nodes'][number]>();
  const edges = new Map<string, PageMap['graph']['edges'][number]>();
  const node = (id: string, kind: PageMap['graph']['nodes'][number]['kind']) =>
    nodes.set(`${kind}:${id}`, { id, kind });
  const edge = (from: string, to: string, kind: PageMap['graph']['edges'][number]['kind']) =>
    edges.set(`${from}>${to}>${kind}`, { from, to, kind });
  node(pageUrl, 'page');
  const loaded = new Set(entries.map((e) => new URL(e.url).hostname));
  loaded.add(new URL(pageUrl).hostname);
  for (const h of hosts) {
    node(h.host, 'host');
    if (loaded.has(h.host)) edge(pageUrl, h.host, 'loads');
    let previous = h.host;
    for (const alias of h.cnameChain) {
      node(alias, 'alias');
      edge(previous, alias, 'alias');
      previous = alias;
    }
    for (const address of h.addresses) {
      node(address, 'address');
      edge(previous, address, 'resolves');
    }
    if (h.cdn) {
      node(h.cdn, 'cdn');
      edge(h.host, h.cdn, 'served-by');
    }
  }
  let from = new URL(pageUrl).hostname;
  for (const location of pageRedirects) {
    const to = new URL(location).hostname;
    if (to !== from) edge(from, to, 'redirects');
    from = to;
  }
  for (const e of entries) {
    let previous = new URL(e.url).hostname;
    for (const location of e.redirects) {
      const to = new URL(location).hostname;
      if (to !== previous) edge(previous, to, 'redirects');
      previous = to;
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

function site(host: string): string {
  return host.split('.').slice(-2).join('.');
}

function dedupe(resources: Resource[]): Resource[] {
  const seen = new Set<string>();
  return resources.filter((r) => (seen.has(r.url) ? false : (seen.add(r.url), true)));
}

/** Runs `work` over `items` with at most `limit` in flight (politeness towards the mapped site). */
export async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}

export type { ResourceType };
