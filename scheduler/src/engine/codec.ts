/**
 * The engine's JSON codecs — nodes.json, apps.json and placement files — read strictly, with errors
 * that say what, where and how to fix. They live with the engine: the simulator and the webhook's
 * dev mode both read them.
 */
import { BoundedReadError, describeSystemError, isSystemError, readBoundedFile, UsageError } from '@nmaas/sdk/kit';
import { normalizeInstance, normalizeNode, InstanceSpecError, type InstanceSpec, type NodeSpec } from './instance.js';
import { MAX_PERIOD_SECONDS } from './period.js';

// A file that cannot be read or does not hold what it must is unreadable input: exit code 2.
export { UsageError };

/**
 * The largest nodes.json, apps.json or placement file read: 128 MiB. A generated workload of
 * 10,000 nodes and 100,000 instances is 2.5 MB and 52 MB; a larger file would take minutes and
 * gigabytes to parse, and /dev/zero or a runaway file must not exhaust the memory first.
 */
export const MAX_INPUT_BYTES = 128 * 1024 * 1024;

/**
 * The longest horizon apps.json may declare: one day, the longest period. The engine keeps slot
 * arrays as long as the horizon on every node, so a longer one only costs memory (and a period
 * that does not divide the horizon is folded onto it anyway, see period.ts).
 */
export const MAX_HORIZON_SECONDS = MAX_PERIOD_SECONDS;

/** The text of a regular file of at most MAX_INPUT_BYTES; anything else is refused naming the file. */
async function readBoundedText(path: string, what: string): Promise<string> {
  try {
    return (await readBoundedFile(path, MAX_INPUT_BYTES)).toString('utf8');
  } catch (e) {
    if (e instanceof BoundedReadError)
      throw new UsageError(
        `cannot read ${what}: ${e.message}${
          e.problem === 'too-large'
            ? ' (the limit of a nodes, apps or placement file); split or shrink the workload'
            : e.problem === 'not-regular'
              ? '; save it to a file first'
              : ''
        }`,
      );
    if (isSystemError(e)) throw new UsageError(`cannot read ${what}: ${describeSystemError(e, path)}`);
    throw e;
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readBoundedText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON (${(e as Error).message}); ${what} must be a JSON document`);
  }
}

export function parseNodes(doc: unknown, path = 'nodes.json'): NodeSpec[] {
  const list = (doc as { nodes?: unknown })?.nodes;
  if (!Array.isArray(list))
    throw new UsageError(
      `${path}: expected {"nodes":[{"name":"edge-1","labels":{...},"capacity":{"cpu":2000,"memory":4096,"bandwidth":1000}}]}`,
    );
  const seen = new Set<string>();
  return list.map((raw, k) => {
    try {
      const n = normalizeNode(raw, `${path}: nodes[${k}]`);
      if (seen.has(n.name))
        throw new UsageError(`${path}: nodes[${k}]: duplicate node name ${n.name}; node names must be unique`);
      seen.add(n.name);
      return n;
    } catch (e) {
      if (e instanceof InstanceSpecError) throw new UsageError(e.message);
      throw e;
    }
  });
}

export function parseApps(doc: unknown, path = 'apps.json'): { horizon: number; instances: InstanceSpec[] } {
  const d = doc as { horizon?: unknown; instances?: unknown };
  if (d === null || typeof d !== 'object' || !Array.isArray(d.instances)) {
    throw new UsageError(
      `${path}: expected {"horizon":3600,"instances":[{"id":"web-qos-0","app":"web-qos","every":300,"duration":20,"run":{...}}]}`,
    );
  }
  const horizon = d.horizon ?? 3600;
  if (typeof horizon !== 'number' || !Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON_SECONDS)
    throw new UsageError(
      `${path}: "horizon" must be a whole number of seconds from 1 to ${MAX_HORIZON_SECONDS} (one day), got ${JSON.stringify(d.horizon)}; the engine plans over one hour (3600) and folds longer periods onto it`,
    );
  const seen = new Set<string>();
  const instances = d.instances.map((raw, k) => {
    try {
      const spec = normalizeInstance(raw, `${path}: instances[${k}]`);
      if (seen.has(spec.id))
        throw new UsageError(`${path}: instances[${k}]: duplicate id ${spec.id}; ids must be unique`);
      seen.add(spec.id);
      return spec;
    } catch (e) {
      if (e instanceof InstanceSpecError) throw new UsageError(e.message);
      throw e;
    }
  });
  return { horizon, instances };
}

export function parsePlacement(doc: unknown, path = 'placement.json'): { id: string; node: string; phase: number }[] {
  const placed = (doc as { placed?: unknown })?.placed;
  if (!Array.isArray(placed))
    throw new UsageError(
      `${path}: expected the output of "nmaas scheduler simulate --format json": {"placed":[{"id","node","phase"}],...}`,
    );
  return placed.map((p, k) => {
    const o = p as { id?: unknown; node?: unknown; phase?: unknown };
    if (typeof o?.id !== 'string' || typeof o.node !== 'string' || typeof o.phase !== 'number') {
      throw new UsageError(`${path}: placed[${k}] must be {"id": string, "node": string, "phase": number}`);
    }
    return { id: o.id, node: o.node, phase: o.phase };
  });
}

export const readNodes = async (path: string) => parseNodes(await readJson(path, 'the nodes file'), path);
export const readApps = async (path: string) => parseApps(await readJson(path, 'the apps file'), path);
export const readPlacement = async (path: string) => parsePlacement(await readJson(path, 'the placement file'), path);
