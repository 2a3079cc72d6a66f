/** The unit the engine places: one measurement instance (one pod), in the shape of an apps.json entry. */
import type { LinkDeclaration, NodeOffer, PodContract } from '@nmaas/sdk/contract';
import { parseBandwidth, type ResourceAmounts } from '@nmaas/sdk/model';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
import { MAX_PERIOD_SECONDS } from './period.js';

export interface InstanceSpec {
  id: string;
  app: string;
  every: number;
  duration: number;
  startWithin: number;
  release: number;
  run: ResourceAmounts;
  idle: { cpu: number; memory: number };
  nodeSelector: Record<string, string>;
  affinity: string[];
  antiAffinity: string[];
  exclusive: boolean;
  node: string | null;
  spreadGroup: string | null;
}

export interface NodeSpec {
  name: string;
  labels: Record<string, string>;
  capacity: ResourceAmounts;
  /** Shared links the node sits behind, each with the capacity (Mbps) this node declares for it. */
  links?: LinkDeclaration[];
}

export class InstanceSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceSpecError';
  }
}

export function nodeSpecFromOffer(offer: NodeOffer): NodeSpec {
  return {
    name: offer.name,
    labels: { ...offer.labels, [NODE_POOL_LABEL]: offer.pool },
    capacity: { ...offer.capacity },
    ...(offer.links && offer.links.length > 0 ? { links: offer.links.map((l) => ({ ...l })) } : {}),
  };
}

export function instanceFromContract(
  id: string,
  contract: PodContract,
  options: { release?: number; node?: string | null } = {},
): InstanceSpec {
  return {
    id,
    app: contract.app,
    every: contract.everySeconds,
    duration: contract.durationSeconds,
    startWithin: contract.startWithinSeconds,
    release: options.release ?? 0,
    run: { ...contract.run },
    idle: { cpu: contract.idle.cpu, memory: contract.idle.memory },
    nodeSelector: { ...contract.nodeSelector },
    affinity: [...contract.affinity],
    antiAffinity: [...contract.antiAffinity],
    exclusive: contract.exclusive,
    node: options.node ?? null,
    spreadGroup: contract.spreadGroup,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function num(
  o: Obj,
  key: string,
  where: string,
  opts: { required?: boolean; def?: number; min?: number; integer?: boolean },
): number {
  const v = o[key];
  if (v === undefined) {
    if (opts.required) throw new InstanceSpecError(`${where}: "${key}" is required (a number)`);
    return opts.def ?? 0;
  }
  // null is refused, not read as absent: JSON.stringify writes a non-finite number (1e400) as null.
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new InstanceSpecError(
      `${where}: "${key}" must be a finite number${opts.required ? '' : ' (or left out)'}, got ${JSON.stringify(v)}`,
    );
  if (opts.integer && !Number.isInteger(v))
    throw new InstanceSpecError(`${where}: "${key}" must be a whole number of seconds, got ${v}`);
  if (opts.min !== undefined && v < opts.min)
    throw new InstanceSpecError(`${where}: "${key}" must be at least ${opts.min}, got ${v}`);
  return v;
}

function resources(o: Obj, key: string, where: string, withBandwidth: boolean, required: boolean): ResourceAmounts {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required)
      throw new InstanceSpecError(
        `${where}: "${key}" is required, e.g. {"cpu":250,"memory":128${withBandwidth ? ',"bandwidth":20' : ''}}`,
      );
    return { cpu: 0, memory: 0, bandwidth: 0 };
  }
  if (!isObj(v)) throw new InstanceSpecError(`${where}: "${key}" must be an object like {"cpu":250,"memory":128}`);
  const w = `${where}.${key}`;
  for (const k of Object.keys(v)) {
    if (k !== 'cpu' && k !== 'memory' && !(withBandwidth && k === 'bandwidth')) {
      throw new InstanceSpecError(
        `${w}: unknown resource "${k}" (use cpu in millicores, memory in MiB${withBandwidth ? ', bandwidth in Mbps' : ''})`,
      );
    }
  }
  return {
    cpu: num(v, 'cpu', w, { min: 0 }),
    memory: num(v, 'memory', w, { min: 0 }),
    bandwidth: withBandwidth ? num(v, 'bandwidth', w, { min: 0 }) : 0,
  };
}

function strings(o: Obj, key: string, where: string): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new InstanceSpecError(`${where}: "${key}" must be a list of app names`);
  return [...(v as string[])];
}

function stringMap(o: Obj, key: string, where: string): Record<string, string> {
  const v = o[key];
  if (v === undefined || v === null) return {};
  if (!isObj(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new InstanceSpecError(
      `${where}: "${key}" must be an object of label: value strings, e.g. {"${NODE_POOL_LABEL}":"edge"}`,
    );
  }
  return { ...(v as Record<string, string>) };
}

function optString(o: Obj, key: string, where: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v === '')
    throw new InstanceSpecError(`${where}: "${key}" must be a non-empty string or null`);
  return v;
}

/**
 * Fills the optional fields of an apps.json entry and validates it against the model. Any whole period up
 * to a day is accepted: the engine folds those that do not divide its horizon (see period.ts).
 */
export function normalizeInstance(raw: unknown, where = 'instance'): InstanceSpec {
  if (!isObj(raw))
    throw new InstanceSpecError(`${where}: must be an object with at least id, app, every, duration and run`);
  const id = raw['id'];
  const app = raw['app'];
  if (typeof id !== 'string' || id === '')
    throw new InstanceSpecError(`${where}: "id" is required (a non-empty string)`);
  const w = `${where} (${id})`;
  if (typeof app !== 'string' || app === '')
    throw new InstanceSpecError(`${w}: "app" is required (a non-empty string)`);
  const every = num(raw, 'every', w, { required: true, min: 1, integer: true });
  const duration = num(raw, 'duration', w, { required: true, min: 1, integer: true });
  if (duration > every)
    throw new InstanceSpecError(`${w}: "duration" (${duration}) must not exceed "every" (${every})`);
  if (every > MAX_PERIOD_SECONDS) {
    throw new InstanceSpecError(
      `${w}: "every" (${every} s) is longer than one day; the longest period is ${MAX_PERIOD_SECONDS} s (24 h)`,
    );
  }
  const exclusive = raw['exclusive'] ?? false;
  if (typeof exclusive !== 'boolean') throw new InstanceSpecError(`${w}: "exclusive" must be true or false`);
  return {
    id,
    app,
    every,
    duration,
    startWithin: num(raw, 'startWithin', w, { def: every, min: 0, integer: true }),
    release: num(raw, 'release', w, { def: 0, min: 0, integer: true }),
    run: resources(raw, 'run', w, true, true),
    idle: (({ cpu, memory }) => ({ cpu, memory }))(resources(raw, 'idle', w, false, false)),
    nodeSelector: stringMap(raw, 'nodeSelector', w),
    affinity: strings(raw, 'affinity', w),
    antiAffinity: strings(raw, 'antiAffinity', w),
    exclusive,
    node: optString(raw, 'node', w),
    spreadGroup: optString(raw, 'spreadGroup', w),
  };
}

export function normalizeNode(raw: unknown, where = 'node'): NodeSpec {
  if (!isObj(raw))
    throw new InstanceSpecError(
      `${where}: must be an object like {"name":"edge-1","labels":{},"capacity":{"cpu":2000,"memory":4096,"bandwidth":1000}}`,
    );
  const name = raw['name'];
  if (typeof name !== 'string' || name === '')
    throw new InstanceSpecError(`${where}: "name" is required (a non-empty string)`);
  const w = `${where} (${name})`;
  const node: NodeSpec = {
    name,
    labels: stringMap(raw, 'labels', w),
    capacity: resources(raw, 'capacity', w, true, true),
  };
  const links = linkMap(raw, w);
  if (links.length > 0) node.links = links;
  return node;
}

const LINK_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `"links": {"site-a": "1Gbps", "metro": 400}`: a capacity per link, a bandwidth string or a number of Mbps.
 * The engine's own form, `[{"name": "site-a", "capacity": 1000}]`, is read too, so a NodeSpec written
 * with JSON.stringify reads back as it was.
 */
function linkMap(o: Obj, where: string): LinkDeclaration[] {
  const v = o['links'];
  if (v === undefined || v === null) return [];
  let entries: [string, unknown][];
  if (Array.isArray(v)) {
    entries = v.map((e, k) => {
      if (!isObj(e) || typeof e['name'] !== 'string')
        throw new InstanceSpecError(`${where}.links[${k}]: must be {"name":"site-a","capacity":1000}`);
      return [e['name'], e['capacity']];
    });
  } else if (isObj(v)) entries = Object.entries(v);
  else throw new InstanceSpecError(`${where}: "links" must be an object of link: capacity, e.g. {"site-a":"1Gbps"}`);
  const seen = new Set<string>();
  return entries
    .map(([name, c]): LinkDeclaration => {
      if (!LINK_NAME.test(name) || name.length > 58)
        throw new InstanceSpecError(
          `${where}.links: link name ${JSON.stringify(name)} must be a DNS-1123 label of at most 58 characters, e.g. site-a`,
        );
      if (seen.has(name)) throw new InstanceSpecError(`${where}.links: link ${name} is declared twice`);
      seen.add(name);
      const mbps = typeof c === 'number' ? c : typeof c === 'string' ? parseBandwidth(c) : null;
      if (mbps === null || !Number.isFinite(mbps) || mbps <= 0)
        throw new InstanceSpecError(
          `${where}.links.${name}: capacity ${JSON.stringify(c)} is not a bandwidth; write "1Gbps", "600Mbps" or a number of Mbps above 0`,
        );
      return { name, capacity: mbps };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
