/**
 * The engine's JSON codecs — nodes.json, apps.json and placement files — read strictly, with errors
 * that say what, where and how to fix. They live with the engine: the simulator and the webhook's
 * dev mode both read them.
 */
import { readFile } from 'node:fs/promises';
import { normalizeInstance, normalizeNode, InstanceSpecError, type InstanceSpec, type NodeSpec } from './instance.js';

/** Bad input (exit code 2 on the CLI). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path} is not valid JSON (${(e as Error).message}); ${what} must be a JSON document`);
  }
}

export function parseNodes(doc: unknown, path = 'nodes.json'): NodeSpec[] {
  const list = (doc as { nodes?: unknown })?.nodes;
  if (!Array.isArray(list))
    throw new InputError(
      `${path}: expected {"nodes":[{"name":"edge-1","labels":{...},"capacity":{"cpu":2000,"memory":4096,"bandwidth":1000}}]}`,
    );
  const seen = new Set<string>();
  return list.map((raw, k) => {
    try {
      const n = normalizeNode(raw, `${path}: nodes[${k}]`);
      if (seen.has(n.name))
        throw new InputError(`${path}: nodes[${k}]: duplicate node name ${n.name}; node names must be unique`);
      seen.add(n.name);
      return n;
    } catch (e) {
      if (e instanceof InstanceSpecError) throw new InputError(e.message);
      throw e;
    }
  });
}

export function parseApps(doc: unknown, path = 'apps.json'): { horizon: number; instances: InstanceSpec[] } {
  const d = doc as { horizon?: unknown; instances?: unknown };
  if (d === null || typeof d !== 'object' || !Array.isArray(d.instances)) {
    throw new InputError(
      `${path}: expected {"horizon":3600,"instances":[{"id":"web-qos-0","app":"web-qos","every":300,"duration":20,"run":{...}}]}`,
    );
  }
  const horizon = d.horizon ?? 3600;
  if (typeof horizon !== 'number' || !Number.isInteger(horizon) || horizon < 1)
    throw new InputError(`${path}: "horizon" must be a whole number of seconds ≥ 1, got ${JSON.stringify(d.horizon)}`);
  const seen = new Set<string>();
  const instances = d.instances.map((raw, k) => {
    try {
      const spec = normalizeInstance(raw, `${path}: instances[${k}]`, horizon);
      if (seen.has(spec.id))
        throw new InputError(`${path}: instances[${k}]: duplicate id ${spec.id}; ids must be unique`);
      seen.add(spec.id);
      return spec;
    } catch (e) {
      if (e instanceof InstanceSpecError) throw new InputError(e.message);
      throw e;
    }
  });
  return { horizon, instances };
}

export function parsePlacement(doc: unknown, path = 'placement.json'): { id: string; node: string; phase: number }[] {
  const placed = (doc as { placed?: unknown })?.placed;
  if (!Array.isArray(placed))
    throw new InputError(
      `${path}: expected the output of "nmaas scheduler simulate --format json": {"placed":[{"id","node","phase"}],...}`,
    );
  return placed.map((p, k) => {
    const o = p as { id?: unknown; node?: unknown; phase?: unknown };
    if (typeof o?.id !== 'string' || typeof o.node !== 'string' || typeof o.phase !== 'number') {
      throw new InputError(`${path}: placed[${k}] must be {"id": string, "node": string, "phase": number}`);
    }
    return { id: o.id, node: o.node, phase: o.phase };
  });
}

export const readNodes = async (path: string) => parseNodes(await readJson(path, 'the nodes file'), path);
export const readApps = async (path: string) => parseApps(await readJson(path, 'the apps file'), path);
export const readPlacement = async (path: string) => parsePlacement(await readJson(path, 'the placement file'), path);
