/**
 * Value sets at the bounds of the install form, derived from values.schema.json: every number at
 * its minimum (then maximum), every enum at its first (then last) option, every array at its
 * minItems (then maxItems), every boolean on (lower bounds) and, in a set of their own, off. A
 * user can pick any of these in Rancher, so the chart must render safe objects with each, not
 * only with its defaults. Switches are turned off apart from the upper bounds so that a feature a
 * user switches off (a NetworkPolicy, say) cannot hide what the maximum numbers render.
 */
import { parseDuration } from '@nmaas/sdk';

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

type Side = 'lower' | 'upper' | 'switches';

function numericBound(schema: Json, side: Side): number | undefined {
  const integer = schema.type === 'integer';
  const step = integer ? 1 : Number.EPSILON * 1024;
  if (side === 'lower') {
    if (typeof schema.minimum === 'number') return schema.minimum;
    if (typeof schema.exclusiveMinimum === 'number') return integer ? Math.floor(schema.exclusiveMinimum) + 1 : schema.exclusiveMinimum + step;
  } else {
    if (typeof schema.maximum === 'number') return schema.maximum;
    if (typeof schema.exclusiveMaximum === 'number') return integer ? Math.ceil(schema.exclusiveMaximum) - 1 : schema.exclusiveMaximum - step;
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
  if (side === 'switches') return typeOf(schema) === 'boolean' && !Array.isArray(schema.enum) ? { set: true, value: false } : { set: false };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { set: true, value: side === 'lower' ? schema.enum[0] : schema.enum[schema.enum.length - 1] };
  const type = typeOf(schema);
  if (type === 'integer' || type === 'number') {
    const b = numericBound(schema, side);
    return b === undefined ? { set: false } : { set: true, value: b };
  }
  if (type === 'boolean') return side === 'lower' ? { set: true, value: true } : { set: false };
  if (type === 'array') {
    const items = Array.isArray(current) ? current : Array.isArray(schema.default) ? (schema.default as unknown[]) : [];
    if (side === 'lower' && typeof schema.minItems === 'number') return { set: true, value: items.slice(0, Math.max(schema.minItems, 0)).concat(fill(items, schema.minItems - items.length, schema)) };
    if (side === 'upper' && typeof schema.maxItems === 'number' && items.length > 0 && schema.uniqueItems !== true) {
      const n = Math.min(schema.maxItems, MAX_STRETCH);
      return { set: true, value: Array.from({ length: n }, (_, i) => items[i % items.length]) };
    }
  }
  return { set: false };
}

function fill(items: unknown[], count: number, schema: Json): unknown[] {
  if (count <= 0 || items.length === 0 || schema.uniqueItems === true) return [];
  return Array.from({ length: count }, (_, i) => items[i % items.length]);
}

function walk(schema: Json, defaults: unknown, side: Side, out: Json): boolean {
  const props = rec(schema.properties);
  let any = false;
  if (!props) return false;
  for (const [key, sub] of Object.entries(props)) {
    const s = rec(sub);
    if (!s) continue;
    const current = rec(defaults)?.[key];
    if (typeOf(s) === 'object' || rec(s.properties)) {
      const child: Json = {};
      if (walk(s, current, side, child)) {
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

export function boundValueSets(schema: unknown, defaults: unknown): ValueSet[] {
  const sets: ValueSet[] = [{ name: 'defaults', values: {} }];
  const s = rec(schema);
  if (!s) return sets;
  for (const side of ['lower', 'upper', 'switches'] as const) {
    const values: Json = {};
    if (walk(s, defaults, side, values)) {
      clampSchedule(values, defaults);
      sets.push({ name: side === 'switches' ? 'switches-off' : `${side}-bounds`, values });
    }
  }
  return sets;
}

/** One value set per top-level key of `set` (used when the chart refuses the whole combination). */
export function splitValueSet(set: ValueSet): ValueSet[] {
  return Object.entries(set.values).map(([key, value]) => ({ name: `${set.name}:${key}`, values: { [key]: value } }));
}
