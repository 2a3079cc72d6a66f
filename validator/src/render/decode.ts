/**
 * Decodes `helm template` output the way Helm's kube client does before it sends objects to the
 * API server: sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1 (`yes`/`on`/`True` are booleans,
 * `<<` merge keys merge, a duplicate key keeps its last value), and every object that carries an
 * `items` array is flattened into its items (the resource builder's list flattening). What the
 * decoder would read differently from a reviewer, or not read at all, is kept as a problem with
 * the template and line, so that the rules see what Kubernetes will create.
 */
import { parseAllDocuments, type Document } from 'yaml';
import type { K8sObject } from '../types.js';

export interface DecodedObject {
  object: K8sObject;
  /** Template file that produced it, relative to the chart root (from helm's `# Source:` line). */
  source?: string;
}

export interface DecodeProblem {
  kind: 'duplicate-key' | 'unparsable';
  message: string;
  source?: string;
  /** Line within that template's rendered output (1-based). */
  line?: number;
  /** That rendered line's text, to find the template line that wrote it. */
  text?: string;
}

export interface Decoded {
  objects: DecodedObject[];
  problems: DecodeProblem[];
}

/** Lists inside lists deeper than this are not flattened further (the decoder does not nest them either). */
const MAX_LIST_DEPTH = 8;
/** go-yaml v2 expands aliases without a limit of its own; a billion-laughs document is a problem, not a hang. */
const MAX_ALIAS_COUNT = 1000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function sourceOf(doc: Document.Parsed, chartName: string): string | undefined {
  const comment = `${doc.commentBefore ?? ''}\n${(doc.contents as { commentBefore?: string } | null)?.commentBefore ?? ''}`;
  const m = /Source:\s*(\S+)/.exec(comment);
  if (!m) return undefined;
  return m[1]!.startsWith(`${chartName}/`) ? m[1]!.slice(chartName.length + 1) : m[1]!;
}

/** An object with an `items` array is a list to the decoder: its items are what gets created. */
function flatten(
  object: Record<string, unknown>,
  source: string | undefined,
  depth: number,
  out: DecodedObject[],
): void {
  const items = object.items;
  if (Array.isArray(items) && depth < MAX_LIST_DEPTH && items.some(isRecord)) {
    for (const inner of items) if (isRecord(inner)) flatten(inner, source, depth + 1, out);
    // A real object that merely has an `items` field (a ConfigMap does not, but a custom kind may)
    // is kept as well, so that its own rules still run.
    if (!/List$/.test(String(object.kind ?? 'List')))
      out.push({ object: object as K8sObject, ...(source ? { source } : {}) });
    return;
  }
  out.push({ object: object as K8sObject, ...(source ? { source } : {}) });
}

function lineIn(text: string, offset: number, docStart: number, sourceLine: number): number {
  let line = 1;
  for (let i = Math.max(docStart, sourceLine); i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Cache of decoded documents for one validation, keyed by their text: the value sets and install
 * contexts of one chart render mostly identical documents, and YAML parsing is most of the
 * decoder's time. Under an install context the text is keyed with its release and namespace
 * taken out, so contexts that differ only by those names share one parse.
 */
export type DecodeCache = Map<string, { decoded: Decoded; names?: ReleaseNames }>;

/** The release and namespace a render was made with (random ones for the install contexts). */
export interface ReleaseNames {
  release: string;
  namespace: string;
}

/** Offsets where a document starts: every line that is exactly `---` (helm writes one before each template). */
export function documentStarts(text: string): number[] {
  const starts = [0];
  const marker = /^---[ \t]*$/gm;
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) if (m.index > 0) starts.push(m.index);
  return starts;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A deep copy of `value` with both names swapped for another render's, in keys and strings alike. */
function renamed(value: unknown, swap: (s: string) => string): unknown {
  if (typeof value === 'string') return swap(value);
  if (Array.isArray(value)) return value.map((v) => renamed(v, swap));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[swap(k)] = renamed(v, swap);
    return out;
  }
  return value;
}

export function decodeRendered(stdout: string, chartName: string, cache?: DecodeCache, names?: ReleaseNames): Decoded {
  const objects: DecodedObject[] = [];
  const problems: DecodeProblem[] = [];
  // Names are only taken out when they are two different DNS labels: then every occurrence maps
  // back to exactly one of them, and neither can change how a YAML scalar is typed.
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const keyed =
    names !== undefined && names.release !== names.namespace && dns.test(names.release) && dns.test(names.namespace)
      ? names
      : undefined;
  const nameRe = keyed ? new RegExp(`${escapeRe(keyed.release)}|${escapeRe(keyed.namespace)}`, 'g') : undefined;
  // Documents never share anchors, so each `---` chunk decodes alone exactly as within the stream.
  const starts = documentStarts(stdout);
  for (let i = 0; i < starts.length; i++) {
    const chunk = stdout.slice(starts[i], starts[i + 1] ?? stdout.length);
    const key = nameRe
      ? `names\u0000${chunk.replace(nameRe, (m) => (m === keyed!.release ? '\u0000R' : '\u0000N'))}`
      : `text\u0000${chunk}`;
    let hit = cache?.get(key);
    if (hit === undefined) {
      hit = { decoded: decodeChunk(chunk, chartName), ...(keyed ? { names: keyed } : {}) };
      cache?.set(key, hit);
      objects.push(...hit.decoded.objects.map((o) => (cache ? { ...o, object: structuredClone(o.object) } : o)));
      problems.push(...hit.decoded.problems);
      continue;
    }
    // A cached document is handed out as a copy (each value set's objects are its own), with the
    // names of this render where it was parsed under others.
    const from = hit.names;
    let swap: ((s: string) => string) | undefined;
    if (from && keyed && (from.release !== keyed.release || from.namespace !== keyed.namespace)) {
      const fromRe = new RegExp(`${escapeRe(from.release)}|${escapeRe(from.namespace)}`, 'g');
      swap = (s) => s.replace(fromRe, (m) => (m === from.release ? keyed.release : keyed.namespace));
    }
    for (const o of hit.decoded.objects)
      objects.push({ ...o, object: (swap ? renamed(o.object, swap) : structuredClone(o.object)) as K8sObject });
    for (const p of hit.decoded.problems)
      problems.push(swap ? { ...p, message: swap(p.message), ...(p.text ? { text: swap(p.text) } : {}) } : p);
  }
  return { objects, problems };
}

function decodeChunk(stdout: string, chartName: string): Decoded {
  const objects: DecodedObject[] = [];
  const problems: DecodeProblem[] = [];
  for (const doc of parseAllDocuments(stdout, { version: '1.1', merge: true, uniqueKeys: true, prettyErrors: false })) {
    const source = sourceOf(doc, chartName);
    // Lines count from the line after `# Source:`, the first line the template wrote.
    const docStart = doc.range[0];
    const sourceAt = stdout.lastIndexOf('# Source:', doc.contents?.range?.[0] ?? docStart);
    const origin = sourceAt >= docStart - 20 && sourceAt >= 0 ? stdout.indexOf('\n', sourceAt) + 1 : docStart;
    const where = (offset: number) => {
      const lineStart = stdout.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
      const lineEnd = stdout.indexOf('\n', offset);
      return {
        ...(source ? { source } : {}),
        line: lineIn(stdout, offset, docStart, origin),
        text: stdout.slice(lineStart, lineEnd < 0 ? stdout.length : lineEnd).slice(0, 500),
      };
    };
    const fatal = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    for (const e of doc.errors.filter((x) => x.code === 'DUPLICATE_KEY')) {
      problems.push({
        kind: 'duplicate-key',
        message: 'a key appears twice in one mapping; Kubernetes keeps the last value, a reviewer reads the first',
        ...where(e.pos[0]),
      });
    }
    if (fatal.length > 0) {
      const e = fatal[0]!;
      problems.push({
        kind: 'unparsable',
        message: `the rendered document does not parse as YAML: ${e.message.split('\n')[0]}`,
        ...where(e.pos[0]),
      });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      problems.push({
        kind: 'unparsable',
        message: `the rendered document cannot be decoded: ${(error as Error).message.split('\n')[0]}`,
        ...where(docStart),
      });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) {
      problems.push({
        kind: 'unparsable',
        message: 'the rendered document is not a mapping (an object), so it is no Kubernetes object',
        ...where(docStart),
      });
      continue;
    }
    flatten(value, source, 0, objects);
  }
  return { objects, problems };
}
