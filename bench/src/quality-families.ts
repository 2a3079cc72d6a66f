/**
 * Which families a placement-quality run measures: every family (the default), or only those named in
 * NMAAS_QUALITY_FAMILIES (comma-separated), e.g. to measure a new family on the held-out seeds without
 * re-running the others. A partial run carries the other families' entries over from the previous
 * results file, each marked with the date it was measured, so the results file always holds every family.
 * Also what the placement-quality benches (scheduler-quality, scheduler-ceiling, scheduler-foresight) must agree on: the ILP
 * families' size, the solver's limit, the move budget, and which seeds are held out.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FamilyQuality } from '@nmaas/scheduler';

const RESULTS_DIR = path.resolve(import.meta.dirname, '..', 'results');

/** What the quality benches share: ILP families on 3 nodes × 16 instances, 5 s of solver per seed, 5 moves a refusal. */
export const ILP_SIZE = { nodes: 3, instances: 16 };
/** Planted families, whose optimum is known at any size: 8 nodes × about 80 instances. */
export const PLANTED_SIZE = { nodes: 8, instances: 80 };
export const EXACT_TIME_LIMIT_SECONDS = 5;
export const MIGRATIONS = 5;

/** The families to measure, in the order of `all`; an unknown name is an error that lists the known ones. */
export function selectedFamilies(all: readonly string[]): string[] {
  const spec = process.env['NMAAS_QUALITY_FAMILIES'];
  if (!spec) return [...all];
  const wanted = spec.split(',').map((s) => s.trim());
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length > 0 || wanted.length === 0)
    throw new Error(`NMAAS_QUALITY_FAMILIES: unknown family ${unknown.join(', ')}; known: ${all.join(', ')}`);
  return all.filter((n) => wanted.includes(n));
}

/** A family's entry measured in an earlier run: the date of that run. */
export type Carried<T> = T & { measured?: string };
export type CarriedFamily = Carried<FamilyQuality>;

/**
 * `measured` plus, for every family of `all` not measured now, its entry from the bench's previous
 * results file (bench/results/<bench>.json, when there is one), in the order of `all`.
 */
export async function withEarlierFamilies<T extends { family: string }>(
  measured: T[],
  all: readonly string[],
  bench = 'scheduler-quality',
): Promise<Carried<T>[]> {
  if (measured.length === all.length) return measured;
  let earlier: { date?: string; families?: Carried<T>[] } = {};
  try {
    earlier = JSON.parse(await readFile(path.join(RESULTS_DIR, `${bench}.json`), 'utf8')) as typeof earlier;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const byName = new Map<string, Carried<T>>();
  for (const f of earlier.families ?? []) byName.set(f.family, { ...f, measured: f.measured ?? earlier.date ?? '' });
  for (const f of measured) byName.set(f.family, f);
  return all.flatMap((n) => byName.get(n) ?? []);
}

/**
 * The held-out seeds a quality run reports on: the range in the environment variable `name` (like
 * 101-400), else `fallback`. Seeds 1–100 are the tuning range, so a range starting below 101 is an error.
 */
export function heldOutSeeds(name: string, fallback: string): number[] {
  const spec = process.env[name] ?? fallback;
  const m = /^(\d+)-(\d+)$/.exec(spec);
  if (!m || Number(m[1]) < 101 || Number(m[2]) < Number(m[1]))
    throw new Error(`${name} must be a held-out range like ${fallback} (seeds 1–100 are for tuning), got ${spec}`);
  const out: number[] = [];
  for (let s = Number(m[1]); s <= Number(m[2]); s++) out.push(s);
  return out;
}

/** Each count as a percentage of `optimum`, to one decimal: the `ofOptimum` figures of the quality benches. */
export function percentsOf<K extends string>(optimum: number, counts: Record<K, number>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of Object.keys(counts) as K[]) out[k] = Math.round((1000 * counts[k]) / Math.max(1, optimum)) / 10;
  return out;
}

/** Seconds since `started` (a `performance.now()` reading), to one decimal. */
export const secondsSince = (started: number): number => Math.round((performance.now() - started) / 100) / 10;
