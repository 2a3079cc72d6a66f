/**
 * Turns the schema library's issues into messages an app author can act on: a misspelt field
 * gets a did-you-mean (and the "is required" of the field it meant is dropped, one mistake being
 * one message), and a number or boolean where text belongs says to quote it. The library's own
 * wording ("Invalid input: expected string, received number") never reaches the user.
 */
import type { z } from 'zod';

export interface RawIssue {
  path: PropertyKey[];
  message: string;
}

/** What a field holds, said the way the nmaas.yaml reference says it (field name → hint). */
const FIELD_HINTS: Record<string, string> = {
  version: 'version must be a semantic version such as 1.0.0',
  name: 'name must be a lowercase DNS label such as web-qos',
  license: 'license must be an SPDX identifier such as Apache-2.0',
  every: 'a duration such as 5m',
  duration: 'a duration such as 30s',
};

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  int: 'a whole number',
};

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  options?: { _zod: { def: SchemaDef } }[];
  valueType?: { _zod: { def: SchemaDef } };
}

// Wrappers (optional, default, pipe…) do not change which keys an object accepts; see through them.
function objectDefsAt(def: SchemaDef, path: readonly PropertyKey[]): SchemaDef[] {
  const inner = def.innerType ?? def.in;
  if (inner) return objectDefsAt(inner._zod.def, path);
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => objectDefsAt(o._zod.def, path));
  if (path.length === 0) return def.type === 'object' ? [def] : [];
  const [head, ...rest] = path;
  if (def.type === 'array' && typeof head === 'number' && def.element) return objectDefsAt(def.element._zod.def, rest);
  if (def.type === 'record' && def.valueType) return objectDefsAt(def.valueType._zod.def, rest);
  if (def.type === 'object' && typeof head === 'string') {
    const child = def.shape?.[head];
    return child ? objectDefsAt(child._zod.def, rest) : [];
  }
  return [];
}

/** The field names the schema accepts in the mapping at `path`. */
export function knownFieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const defs = objectDefsAt((schema as unknown as { _zod: { def: SchemaDef } })._zod.def, path);
  return [...new Set(defs.flatMap((d) => Object.keys(d.shape ?? {})))];
}

// Edits between two words, a swap of neighbours counting as one (the commonest typo).
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name closest to `word` (case-blind, at most a third of its letters off), or undefined. */
export function closestName(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function valueAt(data: unknown, segments: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[s as string];
  }
  return cur;
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

function typeMessage(issue: z.core.$ZodIssueInvalidType, value: unknown): string {
  const field = issue.path[issue.path.length - 1];
  const hint = typeof field === 'string' ? FIELD_HINTS[field] : undefined;
  const wanted = TYPE_WORDS[issue.expected] ?? issue.expected;
  if (value === undefined) return `is required${hint ? `: ${hint}` : ` (${wanted})`}`;
  if (issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
    return `YAML reads this unquoted value as ${describeValue(value)}; quote it to make it text${hint ? ` (${hint})` : ''}`;
  }
  return `must be ${wanted}, not ${describeValue(value)}${hint ? ` (${hint})` : ''}`;
}

/** One friendly issue per problem, with the path it concerns. */
export function friendlyIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], data: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  const meant = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownFieldsAt(schema, issue.path);
    const present = valueAt(data, issue.path);
    for (const key of issue.keys) {
      const guess = closestName(key, known);
      const isMissing = guess !== undefined && (present as Record<string, unknown> | undefined)?.[guess] === undefined;
      if (guess !== undefined && isMissing) meant.add(JSON.stringify([...issue.path, guess]));
      out.push({
        path: [...issue.path, key],
        message:
          guess === undefined
            ? `unknown field ${key}; the fields allowed here are ${known.join(', ')}`
            : `unknown field ${key}; did you mean ${guess}?`,
      });
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const value = valueAt(data, issue.path);
    if (issue.code === 'invalid_type') {
      if (value === undefined && meant.has(JSON.stringify(issue.path))) continue;
      out.push({ path: issue.path, message: typeMessage(issue, value) });
    } else if (issue.code !== 'custom' && value === undefined) {
      out.push({ path: issue.path, message: 'is required' });
    } else {
      out.push({ path: issue.path, message: issue.message });
    }
  }
  return out;
}
