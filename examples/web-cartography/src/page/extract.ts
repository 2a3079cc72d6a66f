/**
 * The resources a page names in its HTML and stylesheets, without running its scripts: tags with
 * src/href/srcset/poster/data attributes, and CSS url(...) / @import. Resources that scripts add at
 * run time are out of reach of a static reader; the README says so.
 */
export type ResourceType = 'script' | 'stylesheet' | 'image' | 'font' | 'media' | 'frame' | 'other';
export const RESOURCE_TYPES: readonly ResourceType[] = [
  'script',
  'stylesheet',
  'image',
  'font',
  'media',
  'frame',
  'other',
];

export interface Resource {
  url: string;
  type: ResourceType;
}

const TAG = /<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*?)?\/?>/g;
const ATTRIBUTE = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*("([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) out.set(m[1]!.toLowerCase(), decodeEntities(m[3] ?? m[4] ?? m[5] ?? ''));
  return out;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Resources referenced by an HTML document, as absolute http(s) URLs (deduplicated, in order). */
export function extractFromHtml(html: string, pageUrl: string): Resource[] {
  // Comments and inline script bodies hold text that only looks like tags (a script's
  // "<img src=…>" string is not a resource of the page).
  const withoutComments = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, '$1</script>');
  let base = pageUrl;
  const found: Resource[] = [];
  const add = (raw: string | undefined, type: ResourceType) => {
    if (!raw) return;
    const url = absolute(raw.trim(), base);
    if (url) found.push({ url, type });
  };
  for (const m of withoutComments.matchAll(TAG)) {
    const tag = m[1]!.toLowerCase();
    const attrs = attributes(m[2] ?? '');
    switch (tag) {
      case 'base':
        base = absolute(attrs.get('href') ?? '', pageUrl) ?? base;
        break;
      case 'script':
        add(attrs.get('src'), 'script');
        break;
      case 'link': {
        const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/);
        const as = (attrs.get('as') ?? '').toLowerCase();
        if (rel.includes('stylesheet')) add(attrs.get('href'), 'stylesheet');
        else if (rel.includes('icon') || rel.includes('apple-touch-icon')) add(attrs.get('href'), 'image');
        else if (rel.includes('preload') || rel.includes('modulepreload') || rel.includes('prefetch'))
          add(attrs.get('href'), asType(as));
        break;
      }
      case 'img':
        add(attrs.get('src'), 'image');
        for (const candidate of srcset(attrs.get('srcset'))) add(candidate, 'image');
        break;
      case 'source':
        add(attrs.get('src'), attrs.has('srcset') ? 'image' : 'media');
        for (const candidate of srcset(attrs.get('srcset'))) add(candidate, 'image');
        break;
      case 'video':
      case 'audio':
      case 'track':
        add(attrs.get('src'), 'media');
        add(attrs.get('poster'), 'image');
        break;
      case 'iframe':
      case 'frame':
        add(attrs.get('src'), 'frame');
        break;
      case 'embed':
        add(attrs.get('src'), 'other');
        break;
      case 'object':
        add(attrs.get('data'), 'other');
        break;
    }
    const style = attrs.get('style');
    if (style) found.push(...extractFromCss(style, base));
  }
  for (const m of withoutComments.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi))
    found.push(...extractFromCss(m[1]!, base));
  return dedupe(found);
}

/** Resources referenced by a stylesheet (url(...) and @import), relative to the stylesheet's URL. */
export function extractFromCss(css: string, cssUrl: string): Resource[] {
  const found: Resource[] = [];
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of text.matchAll(/@import\s+(?:url\(\s*)?["']?([^"')\s;]+)["']?\s*\)?/gi)) {
    const url = absolute(m[1]!, cssUrl);
    if (url) found.push({ url, type: 'stylesheet' });
  }
  for (const m of text.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/gi)) {
    const raw = m[2]!.trim();
    if (
      text
        .slice(Math.max(0, m.index! - 8), m.index)
        .toLowerCase()
        .includes('@import')
    )
      continue;
    const url = absolute(raw, cssUrl);
    if (url) found.push({ url, type: /\.(woff2?|ttf|otf|eot)(\?|#|$)/i.test(raw) ? 'font' : 'image' });
  }
  return dedupe(found);
}

function asType(as: string): ResourceType {
  switch (as) {
    case 'script':
    case 'worker':
      return 'script';
    case 'style':
      return 'stylesheet';
    case 'image':
      return 'image';
    case 'font':
      return 'font';
    case 'audio':
    case 'video':
    case 'track':
      return 'media';
    case 'document':
      return 'frame';
    default:
      return 'other';
  }
}

function srcset(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((part) => part.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

function absolute(raw: string, base: string): string | null {
  if (raw === '' || /^(data|javascript|mailto|tel|blob|about):/i.test(raw) || raw.startsWith('#')) return null;
  try {
    const url = new URL(raw, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

function dedupe(resources: Resource[]): Resource[] {
  const seen = new Set<string>();
  return resources.filter((r) => (seen.has(r.url) ? false : (seen.add(r.url), true)));
}
