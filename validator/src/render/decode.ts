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

export function decodeRendered(stdout: string, chartName: string): Decoded {
  const objects: DecodedObject[] = [];
  const problems: DecodeProblem[] = [];
  for (const doc of parseAllDocuments(stdout, { version: '1.1', merge: true, uniqueKeys: true, prettyErrors: false })) {
    const source = sourceOf(doc, chartName);
    // Lines count from the line after `# Source:`, the first line the template wrote.
    const docStart = doc.range[0];
    const sourceAt = stdout.lastIndexOf('# Source:', doc.contents?.range?.[0] ?? docStart);
    const origin = sourceAt >= docStart - 20 && sourceAt >= 0 ? stdout.indexOf('\n', sourceAt) + 1 : docStart;
    const where = (offset: number) => ({
      ...(source ? { source } : {}),
      line: lineIn(stdout, offset, docStart, origin),
    });
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
