/**
 * The scheduling contract: how a measurement pod tells the NMaaS scheduler what it needs, how the
 * scheduler answers, and how node owners declare what a node offers. charts-gen writes it into pod
 * templates, the scheduler webhook reads it, the SDK runtime reads the phase it was given. Nothing
 * else may spell these keys: import them from here.
 *
 * Values are strings (Kubernetes annotations are), in the same human units as nmaas.yaml, and every
 * decoder is strict: a malformed value is an error naming the key, the value and the expected form,
 * never a silent default.
 */
import { normalizeManifest, type ResourceAmounts } from './model/normalize.js';
import type { AppManifest } from './model/schema.js';
import { formatBandwidth, formatCpu, formatMemory, parseBandwidth, parseCpu, parseMemory } from './model/quantities.js';

export const CONTRACT_PREFIX = 'nmaas.io';

/** Pod label naming the measurement app; the webhook's objectSelector matches on it. */
export const APP_LABEL = 'nmaas.io/app';

/** Pod annotations written from nmaas.yaml (by charts-gen). */
export const POD_ANNOTATIONS = {
  appVersion: 'nmaas.io/app-version',
  every: 'nmaas.io/every-seconds',
  duration: 'nmaas.io/duration-seconds',
  startWithin: 'nmaas.io/start-within-seconds',
  run: 'nmaas.io/run-resources',
  idle: 'nmaas.io/idle-resources',
  nodeSelector: 'nmaas.io/node-selector',
  affinity: 'nmaas.io/affinity',
  antiAffinity: 'nmaas.io/anti-affinity',
  exclusive: 'nmaas.io/exclusive',
  spreadGroup: 'nmaas.io/spread-group',
} as const;

/** Pod annotations written back by the scheduler webhook. */
export const DECISION_ANNOTATIONS = {
  node: 'nmaas.io/assigned-node',
  phase: 'nmaas.io/phase-seconds',
  /** Ties a pod to its booking, so a copied pod (same annotations, new uid) never shares one. */
  bookingId: 'nmaas.io/booking-id',
} as const;

/** Environment variable that hands the phase to the SDK runtime. */
export const PHASE_ENV = 'NMAAS_PHASE_SECONDS';

/** Node label that puts a node in a measurement pool (only labelled nodes take measurements). */
export const NODE_POOL_LABEL = 'nmaas.io/pool';
/** Node annotation declaring what the node offers to measurements: `cpu=2,memory=4Gi,bandwidth=1Gbps`. */
export const NODE_CAPACITY_ANNOTATION = 'nmaas.io/capacity';
/**
 * Taint a node owner may put on nodes kept for measurements, so that other workloads stay off;
 * charts tolerate it through their `tolerations` value (never with a catch-all toleration).
 */
export const MEASUREMENT_NODE_TAINT = 'nmaas.io/measurement';
/**
 * Links a node sits behind (a site's uplink, a shared radio): one label per link, `nmaas.io/link.<link>`
 * (the value is not read; `true` by convention). One key per link, not one list: a node may sit behind
 * several links, a label value cannot hold a comma, and a key per link lets an owner select the nodes
 * behind a link (`kubectl get nodes -l nmaas.io/link.site-a`). A link name is a DNS-1123 label.
 */
export const NODE_LINK_LABEL_PREFIX = 'nmaas.io/link.';
/**
 * The capacity of a link, declared on each node behind it beside the node's own capacity:
 * `nmaas.io/link-capacity.<link>: 1Gbps`. Nodes that disagree on one link are reported; the smaller wins.
 */
export const NODE_LINK_CAPACITY_ANNOTATION_PREFIX = 'nmaas.io/link-capacity.';
/** The well-known label the webhook pins pods with. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/**
 * Chart.yaml annotations charts-gen writes from nmaas.yaml and the catalogue reads back (for
 * charts whose nmaas.yaml it does not have): the app store's category and the licence.
 */
export const CHART_ANNOTATIONS = {
  category: 'nmaas.io/category',
  license: 'nmaas.io/license',
} as const;

/** Annotation on the scheduler's leader-election Lease: where the other replicas reach the leader. */
export const LEADER_URL_ANNOTATION = 'nmaas.io/leader-url';

export interface PodContract {
  app: string;
  appVersion?: string;
  everySeconds: number;
  durationSeconds: number;
  startWithinSeconds: number;
  run: ResourceAmounts;
  idle: { cpu: number; memory: number };
  nodeSelector: Record<string, string>;
  affinity: string[];
  antiAffinity: string[];
  exclusive: boolean;
  /** Instances sharing a spread group go to distinct nodes; null when the app does not spread. */
  spreadGroup: string | null;
}

export interface Decision {
  node: string;
  phaseSeconds: number;
}

/** A link a node sits behind, and the capacity (Mbps) this node declares for it. */
export interface LinkDeclaration {
  name: string;
  capacity: number;
}

export interface NodeOffer {
  name: string;
  pool: string;
  labels: Record<string, string>;
  capacity: ResourceAmounts;
  /** The links the node sits behind (absent or empty: none declared). */
  links?: LinkDeclaration[];
}

export interface ContractProblem {
  key: string;
  value: string | undefined;
  message: string;
}

export class ContractError extends Error {
  constructor(
    readonly subject: string,
    readonly problems: ContractProblem[],
  ) {
    super(
      `${subject} has a malformed NMaaS scheduling contract:\n` +
        problems
          .map((p) => `  ${p.key}=${p.value === undefined ? '(missing)' : JSON.stringify(p.value)}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'ContractError';
  }
}

type StringMap = Record<string, string>;

/** The contract an app's pods carry, from its manifest. `spreadGroup` is release-scoped, so the caller supplies it. */
export function contractFromManifest(
  manifest: AppManifest,
  options: { spreadGroup?: string | null } = {},
): PodContract {
  const n = normalizeManifest(manifest);
  return {
    app: manifest.name,
    appVersion: manifest.version,
    everySeconds: n.schedule.everySeconds,
    durationSeconds: n.schedule.durationSeconds,
    startWithinSeconds: n.schedule.startWithinSeconds,
    run: n.run,
    idle: n.idle,
    nodeSelector: { ...manifest.placement.nodeSelector },
    affinity: [...manifest.placement.affinity],
    antiAffinity: [...manifest.placement.antiAffinity],
    exclusive: manifest.placement.exclusive,
    spreadGroup: manifest.placement.spread ? (options.spreadGroup ?? manifest.name) : null,
  };
}

export function formatResources(r: Partial<ResourceAmounts>): string {
  const parts: string[] = [];
  if (r.cpu !== undefined) parts.push(`cpu=${formatCpu(r.cpu)}`);
  if (r.memory !== undefined) parts.push(`memory=${formatMemory(r.memory)}`);
  if (r.bandwidth !== undefined) parts.push(`bandwidth=${formatBandwidth(r.bandwidth)}`);
  return parts.join(',');
}

function formatMap(map: StringMap): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${map[k]}`)
    .join(',');
}

/** Labels and annotations for a pod template. */
export function encodePodContract(contract: PodContract): { labels: StringMap; annotations: StringMap } {
  const annotations: StringMap = {
    [POD_ANNOTATIONS.every]: String(contract.everySeconds),
    [POD_ANNOTATIONS.duration]: String(contract.durationSeconds),
    [POD_ANNOTATIONS.startWithin]: String(contract.startWithinSeconds),
    [POD_ANNOTATIONS.run]: formatResources(contract.run),
    [POD_ANNOTATIONS.idle]: formatResources(contract.idle),
    [POD_ANNOTATIONS.nodeSelector]: formatMap(contract.nodeSelector),
    [POD_ANNOTATIONS.affinity]: contract.affinity.join(','),
    [POD_ANNOTATIONS.antiAffinity]: contract.antiAffinity.join(','),
    [POD_ANNOTATIONS.exclusive]: String(contract.exclusive),
  };
  if (contract.appVersion !== undefined) annotations[POD_ANNOTATIONS.appVersion] = contract.appVersion;
  if (contract.spreadGroup !== null) annotations[POD_ANNOTATIONS.spreadGroup] = contract.spreadGroup;
  return { labels: { [APP_LABEL]: contract.app }, annotations };
}

/** A Kubernetes name that must be a DNS-1123 label (namespaces, app names, links); length is checked apart. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A label key: an optional DNS-subdomain prefix and a name. */
export const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A label value (empty allowed). */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_SECONDS = 7 * 24 * 3600;

class Reader {
  readonly problems: ContractProblem[] = [];
  constructor(private readonly source: StringMap) {}

  private fail(key: string, message: string): void {
    this.problems.push({ key, value: this.source[key], message });
  }

  raw(key: string, required: boolean): string | undefined {
    const value = this.source[key];
    if (value === undefined) {
      if (required) this.fail(key, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(key, 'must be a string');
      return undefined;
    }
    return value;
  }

  seconds(key: string, min: number): number {
    const value = this.raw(key, true);
    if (value === undefined) return NaN;
    if (!/^\d{1,7}$/.test(value) || Number(value) < min || Number(value) > MAX_SECONDS) {
      this.fail(key, `must be a whole number of seconds from ${min} to ${MAX_SECONDS}`);
      return NaN;
    }
    return Number(value);
  }

  resources(key: string, withBandwidth: boolean, requireBandwidth = false): ResourceAmounts {
    const value = this.raw(key, true);
    const out: ResourceAmounts = { cpu: NaN, memory: NaN, bandwidth: 0 };
    if (value === undefined) return out;
    const expected = withBandwidth ? 'cpu=250m,memory=128Mi,bandwidth=20Mbps' : 'cpu=10m,memory=48Mi';
    const seen = new Set<string>();
    for (const part of value.split(',')) {
      const eq = part.indexOf('=');
      const name = part.slice(0, eq);
      const amount = part.slice(eq + 1);
      const parsed =
        eq < 0 || seen.has(name)
          ? null
          : name === 'cpu'
            ? parseCpu(amount)
            : name === 'memory'
              ? parseMemory(amount)
              : name === 'bandwidth' && withBandwidth
                ? parseBandwidth(amount)
                : null;
      if (parsed === null) {
        this.fail(key, `must be written like ${expected} (bad part ${JSON.stringify(part)})`);
        return out;
      }
      seen.add(name);
      out[name as keyof ResourceAmounts] = parsed;
    }
    if (!seen.has('cpu') || !seen.has('memory') || (requireBandwidth && !seen.has('bandwidth'))) {
      this.fail(key, `must give cpu, memory${requireBandwidth ? ' and bandwidth' : ''}, like ${expected}`);
    }
    return out;
  }

  list(key: string): string[] {
    const value = this.raw(key, false);
    if (value === undefined || value === '') return [];
    const items = value.split(',');
    if (!items.every((i) => DNS1123_LABEL.test(i) && i.length <= 63)) {
      this.fail(key, 'must be a comma-separated list of app names (DNS-1123 labels), e.g. web-qos,streaming-qos');
      return [];
    }
    return items;
  }

  map(key: string, required: boolean): StringMap {
    const value = this.raw(key, required);
    const out: StringMap = {};
    if (value === undefined || value === '') return out;
    for (const part of value.split(',')) {
      const eq = part.indexOf('=');
      const k = part.slice(0, eq);
      const v = part.slice(eq + 1);
      if (eq < 0 || !LABEL_KEY.test(k) || !LABEL_VALUE.test(v) || v.length > 63 || k in out) {
        this.fail(
          key,
          `must be comma-separated label=value pairs, e.g. nmaas.io/pool=edge (bad part ${JSON.stringify(part)})`,
        );
        return {};
      }
      out[k] = v;
    }
    return out;
  }

  boolean(key: string): boolean {
    const value = this.raw(key, false);
    if (value === undefined) return false;
    if (value !== 'true' && value !== 'false') this.fail(key, 'must be "true" or "false"');
    return value === 'true';
  }
}

function asStringMap(value: unknown): StringMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as StringMap) : {};
}

/** Whether a pod (by its labels) is a measurement pod that the contract applies to. */
export function isMeasurementPod(labels: unknown): boolean {
  return typeof asStringMap(labels)[APP_LABEL] === 'string';
}

/** Reads the contract back from a pod's labels and annotations. Throws ContractError. */
export function decodePodContract(meta: { labels?: unknown; annotations?: unknown }, subject = 'pod'): PodContract {
  const labels = asStringMap(meta.labels);
  const r = new Reader(asStringMap(meta.annotations));
  const problems: ContractProblem[] = [];
  const app = labels[APP_LABEL];
  if (typeof app !== 'string' || !DNS1123_LABEL.test(app) || app.length > 63) {
    problems.push({
      key: APP_LABEL,
      value: typeof app === 'string' ? app : undefined,
      message: 'label must name the app (a DNS-1123 label)',
    });
  }
  const everySeconds = r.seconds(POD_ANNOTATIONS.every, 1);
  const durationSeconds = r.seconds(POD_ANNOTATIONS.duration, 1);
  const startWithinSeconds = r.seconds(POD_ANNOTATIONS.startWithin, 0);
  const run = r.resources(POD_ANNOTATIONS.run, true);
  const idleAll = r.resources(POD_ANNOTATIONS.idle, false);
  const contract: PodContract = {
    app: app ?? '',
    everySeconds,
    durationSeconds,
    startWithinSeconds,
    run,
    idle: { cpu: idleAll.cpu, memory: idleAll.memory },
    nodeSelector: r.map(POD_ANNOTATIONS.nodeSelector, false),
    affinity: r.list(POD_ANNOTATIONS.affinity),
    antiAffinity: r.list(POD_ANNOTATIONS.antiAffinity),
    exclusive: r.boolean(POD_ANNOTATIONS.exclusive),
    spreadGroup: null,
  };
  const version = r.raw(POD_ANNOTATIONS.appVersion, false);
  if (version !== undefined) contract.appVersion = version;
  const spread = r.raw(POD_ANNOTATIONS.spreadGroup, false);
  if (spread !== undefined) {
    if (spread.length === 0 || spread.length > 253 || !/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/.test(spread)) {
      problems.push({
        key: POD_ANNOTATIONS.spreadGroup,
        value: spread,
        message: 'must be a non-empty name of letters, digits, -, _, . and /',
      });
    } else contract.spreadGroup = spread;
  }
  problems.push(...r.problems);
  if (Number.isFinite(everySeconds) && Number.isFinite(durationSeconds) && durationSeconds > everySeconds) {
    problems.push({
      key: POD_ANNOTATIONS.duration,
      value: String(durationSeconds),
      message: `is longer than the period (${everySeconds} s)`,
    });
  }
  if (problems.length > 0) throw new ContractError(subject, problems);
  return contract;
}

export function encodeDecision(decision: Decision): StringMap {
  return { [DECISION_ANNOTATIONS.node]: decision.node, [DECISION_ANNOTATIONS.phase]: String(decision.phaseSeconds) };
}

/** The scheduler's decision on a pod, or null when it carries none. Throws ContractError on a half or malformed one. */
export function decodeDecision(annotations: unknown, subject = 'pod'): Decision | null {
  const map = asStringMap(annotations);
  const node = map[DECISION_ANNOTATIONS.node];
  const phase = map[DECISION_ANNOTATIONS.phase];
  if (node === undefined && phase === undefined) return null;
  const problems: ContractProblem[] = [];
  if (typeof node !== 'string' || node.length === 0 || node.length > 253) {
    problems.push({ key: DECISION_ANNOTATIONS.node, value: node, message: 'must name a node' });
  }
  if (typeof phase !== 'string' || !/^\d{1,7}$/.test(phase)) {
    problems.push({ key: DECISION_ANNOTATIONS.phase, value: phase, message: 'must be a whole number of seconds' });
  }
  if (problems.length > 0) throw new ContractError(subject, problems);
  return { node: node!, phaseSeconds: Number(phase) };
}

/** Reads the phase env var as the SDK runtime sees it; null when unset. Throws on a malformed value. */
export function decodePhaseEnv(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  if (!/^\d{1,7}$/.test(value))
    throw new ContractError('environment', [{ key: PHASE_ENV, value, message: 'must be a whole number of seconds' }]);
  return Number(value);
}

export function encodeNodeOffer(offer: Pick<NodeOffer, 'pool' | 'capacity' | 'links'>): {
  labels: StringMap;
  annotations: StringMap;
} {
  const labels: StringMap = { [NODE_POOL_LABEL]: offer.pool };
  const annotations: StringMap = { [NODE_CAPACITY_ANNOTATION]: formatResources(offer.capacity) };
  for (const link of offer.links ?? []) {
    labels[NODE_LINK_LABEL_PREFIX + link.name] = 'true';
    annotations[NODE_LINK_CAPACITY_ANNOTATION_PREFIX + link.name] = formatBandwidth(link.capacity);
  }
  return { labels, annotations };
}

/** Longest link name: the name part of a label key holds 63 characters, `link.` included. */
const MAX_LINK_NAME = 63 - (NODE_LINK_LABEL_PREFIX.length - NODE_LINK_LABEL_PREFIX.indexOf('/') - 1);

/**
 * The links a node declares: a link label per link, each with its capacity annotation. A label without
 * a capacity, a capacity without its label, or a malformed name or amount is a problem naming the key.
 */
export function decodeNodeLinks(
  labels: StringMap,
  annotations: StringMap,
): { links: LinkDeclaration[]; problems: ContractProblem[] } {
  const links: LinkDeclaration[] = [];
  const problems: ContractProblem[] = [];
  for (const key of Object.keys(labels).sort()) {
    if (!key.startsWith(NODE_LINK_LABEL_PREFIX)) continue;
    const name = key.slice(NODE_LINK_LABEL_PREFIX.length);
    if (!DNS1123_LABEL.test(name) || name.length > MAX_LINK_NAME) {
      problems.push({
        key,
        value: labels[key],
        message: `the link name must be a DNS-1123 label of at most ${MAX_LINK_NAME} characters, e.g. ${NODE_LINK_LABEL_PREFIX}site-a`,
      });
      continue;
    }
    const capKey = NODE_LINK_CAPACITY_ANNOTATION_PREFIX + name;
    const text = annotations[capKey];
    const capacity = text === undefined ? null : parseBandwidth(text);
    if (capacity === null || capacity <= 0) {
      problems.push({
        key: capKey,
        value: text,
        message: `the node sits behind link ${name} (label ${key}); declare its capacity as a bandwidth such as 1Gbps or 600Mbps`,
      });
      continue;
    }
    links.push({ name, capacity });
  }
  for (const key of Object.keys(annotations).sort()) {
    if (!key.startsWith(NODE_LINK_CAPACITY_ANNOTATION_PREFIX)) continue;
    const name = key.slice(NODE_LINK_CAPACITY_ANNOTATION_PREFIX.length);
    if (labels[NODE_LINK_LABEL_PREFIX + name] === undefined)
      problems.push({
        key,
        value: annotations[key],
        message: `a capacity for link ${name} but no label ${NODE_LINK_LABEL_PREFIX}${name}: add the label or drop the annotation`,
      });
  }
  return { links, problems };
}

/**
 * What a node offers to measurements, or null when its owner has not put it in a pool.
 * A pooled node without a valid capacity annotation is an error: the owner meant it to take part.
 */
export function decodeNodeOffer(node: { name: string; labels?: unknown; annotations?: unknown }): NodeOffer | null {
  const labels = asStringMap(node.labels);
  const pool = labels[NODE_POOL_LABEL];
  if (pool === undefined) return null;
  const r = new Reader(asStringMap(node.annotations));
  // All three amounts are required of a node: a silent 0 Mbps would quietly turn every
  // bandwidth-using measurement away from a node its owner meant to offer.
  const capacity = r.resources(NODE_CAPACITY_ANNOTATION, true, true);
  const declared = decodeNodeLinks(labels, asStringMap(node.annotations));
  const problems = [...r.problems, ...declared.problems];
  if (!LABEL_VALUE.test(pool) || pool === '' || pool.length > 63) {
    problems.push({ key: NODE_POOL_LABEL, value: pool, message: 'label must be a non-empty label value such as edge' });
  }
  if (problems.length > 0) throw new ContractError(`node ${node.name}`, problems);
  const offer: NodeOffer = { name: node.name, pool, labels: { ...labels }, capacity };
  if (declared.links.length > 0) offer.links = declared.links;
  return offer;
}
