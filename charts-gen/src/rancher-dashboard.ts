/**
 * How Rancher's dashboard and its catalog API read a chart, confirmed against their source, so the
 * charts we write are read the way we mean them.
 *
 * Categories: the dashboard derives an app's categories from the chart's `keywords` only, kept
 * when they match (spaces removed, case ignored) one of nine fixed names; no `catalog.cattle.io/…`
 * annotation sets a category (rancher/dashboard shell/store/catalog.ts: `ALLOWED_CATEGORIES` at
 * line 16, `categories: filterCategories(chart.keywords)` at line 702, `filterCategories` and
 * `normalizeCategory` at lines 756-772, commit 17ad8a68). So every chart carries one of those
 * names among its keywords, or it appears under no category filter.
 *
 * Icons: Rancher never hands a repository's icon URL to the browser. Its catalog API rewrites
 * every `icon` of index.yaml to its own `…/catalog.cattle.io.clusterrepos/<repo>?link=icon`
 * (rancher/rancher pkg/catalogv2/content/translate.go, `TranslateURLs`, lines 24-46, commit
 * 59bd052e) and fetches the icon server-side (pkg/catalogv2/content/content.go `Icon`, lines
 * 169-205): for a git repository any non-http(s) icon is a path in the clone with `file://`
 * stripped (pkg/catalogv2/git/content.go `relative`, lines 56-77, which refuses paths outside it);
 * for an HTTP repository the icon is fetched with the repository's credentials and CA, a relative
 * URL resolved against the repository URL (pkg/catalogv2/http/download.go `Icon`, lines 23-71):
 * https, http and relative URLs work, a `data:` URL does not (it is not fetchable). The body is
 * cut at 1 MiB and fetched within 2 s, and the answer is typed `image/svg+xml` only when the URL's
 * path ends in `.svg`, under `X-Content-Type-Options: nosniff` (pkg/api/steve/catalog/content.go
 * `setIconHeaders`, lines 121-128), so an SVG icon's URL must end in `.svg`.
 */
import type { AppManifest } from '@nmaas/sdk/model';

/** The dashboard's category names, in its order (shell/store/catalog.ts line 16). */
export const RANCHER_CATEGORIES = [
  'Storage',
  'Monitoring',
  'Database',
  'Repository',
  'Security',
  'Networking',
  'PaaS',
  'Infrastructure',
  'Applications',
] as const;
export type RancherCategory = (typeof RANCHER_CATEGORIES)[number];

/** Rancher's icon fetch reads at most this many bytes (pkg/catalogv2/http/download.go line 57). */
export const RANCHER_ICON_MAX_BYTES = 1024 * 1024;

const normalize = (c: string) => c.replace(/\s+/g, '').toLowerCase();

/** The categories the dashboard shows for a chart with these keywords (its `filterCategories`). */
export function rancherCategories(keywords: readonly string[] | undefined): RancherCategory[] {
  const given = new Set((keywords ?? []).map(normalize));
  return RANCHER_CATEGORIES.filter((c) => given.has(normalize(c)));
}

/** The dashboard category of each NMaaS category: the keyword charts-gen adds. */
export const RANCHER_CATEGORY_OF: Record<AppManifest['category'], RancherCategory> = {
  qos: 'Monitoring',
  security: 'Security',
  cartography: 'Networking',
  other: 'Monitoring',
};
