/**
 * Value sets at the bounds of the install form, derived from values.schema.json: every number at
 * its minimum (then maximum), every enum at its first (then last) option, every array at its
 * minItems (then maxItems), every boolean on (lower bounds) and, in a set of their own, off. A
 * user can pick any of these in Rancher, so the chart must render safe objects with each, not
 * only with its defaults. Switches are turned off apart from the upper bounds so that a feature a
 * user switches off (a NetworkPolicy, say) cannot hide what the maximum numbers render.
 */
import { parseDuration } from '@nmaas/sdk/model';
import { MAX_SCHEMA_DEPTH, schemaProblems } from './schema-limits.js';

type Json = Record<string, unknown>;

function rec(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

export interface ValueSet {
  name: string;
  /** Overrides on top of values.yaml; empty for the defaults. */
  values: Json;
}

/** Arrays are stretched to maxItems only up to this many items: enough to cross any template branch. */
const MAX_STRETCH = 64;
/** Matches the schema limits' depth: a walk never goes deeper. */
const MAX_WALK_DEPTH = MAX_SCHEMA_DEPTH;

/**
 * Which value a set takes for each field: the lower or upper bound, switches off, the middle of
 * each number range, or the k-th option of every enum (so that every option is rendered once).
 */
type Side = 'lower' | 'upper' | 'switches' | 'middle' | `option-${number}`;

/** At most this many enum-option sets (options beyond it are covered by the first and last). */
const MAX_OPTION_SETS = 6;

function numericBound(schema: Json, side: 'lower' | 'upper'): number | undefined {
  const integer = schema.type === 'integer';
  const step = integer ? 1 : Number.EPSILON * 1024;
  if (side === 'lower') {
    if (typeof schema.minimum === 'number') return schema.minimum;
    if (typeof schema.exclusiveMinimum === 'number')
      return integer ? Math.floor(schema.exclusiveMinimum) + 1 : schema.exclusiveMinimum + step;
  } else {
    if (typeof schema.maximum === 'number') return schema.maximum;
    if (typeof schema.exclusiveMaximum === 'number')
      return integer ? Math.ceil(schema.exclusiveMaximum) - 1 : schema.exclusiveMaximum - step;
  }
  return undefined;
}

function typeOf(schema: Json): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') as string | undefined;
  return undefined;
}

/** The bound value for one schema node, or undefined when it has none worth setting. */
function leafBound(schema: Json, current: unknown, side: Side): { set: boolean; value?: unknown } {
  if (side === 'switches')
    return typeOf(schema) === 'boolean' && !Array.isArray(schema.enum) ? { set: true, value: false } : { set: false };
  if (side.startsWith('option-')) {
    const k = Number(side.slice('option-'.length));
    return Array.isArray(schema.enum) && k < schema.enum.length - 1
      ? { set: true, value: schema.enum[k] }
      : { set: false };
  }
  if (side === 'middle') {
    if (Array.isArray(schema.enum) && schema.enum.length > 2)
      return { set: true, value: schema.enum[Math.floor(schema.enum.length / 2)] };
    const type = typeOf(schema);
    const lo = numericBound(schema, 'lower');
    const hi = numericBound(schema, 'upper');
    if ((type === 'integer' || type === 'number') && lo !== undefined && hi !== undefined && hi > lo) {
      return { set: true, value: type === 'integer' ? Math.floor((lo + hi) / 2) : (lo + hi) / 2 };
    }
    return { set: false };
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return { set: true, value: side === 'lower' ? schema.enum[0] : schema.enum[schema.enum.length - 1] };
  const type = typeOf(schema);
  if (type === 'integer' || type === 'number') {
    const b = numericBound(schema, side === 'lower' ? 'lower' : 'upper');
    return b === undefined ? { set: false } : { set: true, value: b };
  }
  if (type === 'boolean') return side === 'lower' ? { set: true, value: true } : { set: false };
  if (type === 'array') {
    const items = Array.isArray(current) ? current : Array.isArray(schema.default) ? (schema.default as unknown[]) : [];
    if (side === 'lower' && typeof schema.minItems === 'number')
      return {
        set: true,
        value: items
          .slice(0, Math.max(Math.min(schema.minItems, MAX_STRETCH), 0))
          .concat(fill(items, schema.minItems - items.length, schema)),
      };
    if (side === 'upper' && typeof schema.maxItems === 'number' && items.length > 0 && schema.uniqueItems !== true) {
      const n = Math.min(schema.maxItems, MAX_STRETCH);
      return { set: true, value: Array.from({ length: n }, (_, i) => items[i % items.length]) };
    }
  }
  return { set: false };
}

function fill(items: unknown[], count: number, schema: Json): unknown[] {
  if (count <= 0 || items.length === 0 || schema.uniqueItems === true) return [];
  // Never more than MAX_STRETCH items, whatever minItems says (the schema limits report a hostile one).
  return Array.from({ length: Math.min(count, MAX_STRETCH) }, (_, i) => items[i % items.length]);
}

/** Local `$ref`s followed per node before giving up (a cycle of references ends here). */
const MAX_REF_HOPS = 8;

/** A `#/…` JSON pointer into the root schema. */
function pointer(root: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const part of ref
    .slice(1)
    .split('/')
    .filter((p) => p !== '')) {
    node = rec(node)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return rec(node);
}

/**
 * The node a form actually shows: local `$ref`s followed, `allOf` parts merged, and for
 * `anyOf`/`oneOf` the first option at the lower bounds and the last at the upper ones, so that
 * a schema written with references and combinators is explored like a flat one.
 */
function resolve(schema: Json, root: Json, side: Side): Json {
  let node = schema;
  for (let hops = 0; typeof node.$ref === 'string' && hops < MAX_REF_HOPS; hops++) {
    const target = pointer(root, node.$ref);
    if (!target) break;
    const { $ref: _ref, ...rest } = node;
    node = { ...target, ...rest };
  }
  const parts: Json[] = [];
  for (const p of Array.isArray(node.allOf) ? node.allOf : []) {
    const r = rec(p);
    if (r) parts.push(r);
  }
  const choices = (Array.isArray(node.oneOf) ? node.oneOf : Array.isArray(node.anyOf) ? node.anyOf : [])
    .map(rec)
    .filter((r): r is Json => r !== undefined);
  if (choices.length > 0) parts.push(side === 'upper' ? choices[choices.length - 1]! : choices[0]!);
  if (parts.length === 0) return node;
  const merged: Json = { ...node };
  const properties: Json = { ...(rec(node.properties) ?? {}) };
  for (const part of parts) {
    const p = typeof part.$ref === 'string' ? { ...(pointer(root, part.$ref) ?? {}), ...part } : part;
    for (const [k, v] of Object.entries(p)) if (k !== 'properties' && !(k in merged)) merged[k] = v;
    Object.assign(properties, rec(p.properties) ?? {});
  }
  if (Object.keys(properties).length > 0) merged.properties = properties;
  return merged;
}

function walk(schema: Json, defaults: unknown, side: Side, out: Json, root: Json = schema, depth = 0): boolean {
  // The schema limits refuse deeper schemas before this runs; this bound keeps the walk safe on its own.
  if (depth > MAX_WALK_DEPTH) return false;
  schema = resolve(schema, root, side);
  const props = rec(schema.properties);
  let any = false;
  if (!props) return false;
  for (const [key, sub] of Object.entries(props)) {
    const raw = rec(sub);
    if (!raw) continue;
    const s = resolve(raw, root, side);
    const current = rec(defaults)?.[key];
    if (typeOf(s) === 'object' || rec(s.properties)) {
      const child: Json = {};
      if (walk(s, current, side, child, root, depth + 1)) {
        out[key] = child;
        any = true;
      }
      continue;
    }
    const b = leafBound(s, current, side);
    // A bound equal to the default adds nothing the defaults render has not shown.
    if (b.set && JSON.stringify(b.value) !== JSON.stringify(current)) {
      out[key] = b.value;
      any = true;
    }
  }
  return any;
}

/**
 * Keeps an NMaaS schedule consistent after `schedule.every` moved to a bound: the chart refuses a
 * run duration or a start window longer than the period (a rule across values that JSON Schema
 * cannot state), so a form user who picks the shortest period also shortens those two. Without
 * this the lower bound of `every` would never render. Values that fit are left alone; anything
 * that is not an NMaaS schedule of duration strings is left alone too.
 */
export function clampSchedule(values: Json, defaults: unknown): void {
  const schedule = rec(values.schedule);
  const every = schedule?.every;
  if (!schedule || typeof every !== 'string') return;
  const period = parseDuration(every);
  if (period === null) return;
  const base = rec(rec(defaults)?.schedule) ?? {};
  for (const key of ['duration', 'startWithin']) {
    const current = key in schedule ? schedule[key] : base[key];
    if (typeof current !== 'string' || current === '') continue;
    const seconds = parseDuration(current);
    if (seconds !== null && seconds > period) schedule[key] = every;
  }
}

/** The most options any enum of the schema has (bounded like the walk). */
function longestEnum(schema: unknown, depth: number): number {
  const r = rec(schema);
  if (!r || depth > MAX_WALK_DEPTH) return 0;
  let most = Array.isArray(r.enum) ? r.enum.length : 0;
  for (const sub of Object.values(rec(r.properties) ?? {})) most = Math.max(most, longestEnum(sub, depth + 1));
  return most;
}

export function boundValueSets(schema: unknown, defaults: unknown): ValueSet[] {
  const sets: ValueSet[] = [{ name: 'defaults', values: {} }];
  const s = rec(schema);
  // A schema over the limits is reported by NMAAS-CHART-VALUES-SCHEMA; its bounds are not explored.
  if (!s || schemaProblems(s).length > 0) return sets;
  // Enum options between the first and the last, one set per option index (1, 2, …).
  const optionSides: Side[] = Array.from(
    { length: Math.min(MAX_OPTION_SETS, Math.max(0, longestEnum(s, 0) - 2)) },
    (_, i) => `option-${i + 1}` as const,
  );
  for (const side of ['lower', 'upper', 'switches', 'middle', ...optionSides] as Side[]) {
    const values: Json = {};
    if (walk(s, defaults, side, values)) {
      clampSchedule(values, defaults);
      const name =
        side === 'switches'
          ? 'switches-off'
          : side === 'lower' || side === 'upper'
            ? `${side}-bounds`
            : side === 'middle'
              ? 'middle-values'
              : `enum-${side}`;
      sets.push({ name, values });
    }
  }
  return sets;
}

/** One value set per top-level key of `set` (used when the chart refuses the whole combination). */
export function splitValueSet(set: ValueSet): ValueSet[] {
  return Object.entries(set.values).map(([key, value]) => ({ name: `${set.name}:${key}`, values: { [key]: value } }));
}
