/**
 * The chart's values, declared once: every entry gives its path, typed default, JSON Schema and
 * (when users should see it) its Rancher question. values.yaml, values.schema.json,
 * questions.yaml and the README's values table are all projections of this list, so they
 * cannot drift apart (the Rancher form's defaults are exactly values.yaml's).
 */
import {
  DEFAULT_HORIZON_SECONDS,
  formatDuration,
  normalizeManifest,
  periodProblem,
  type AppManifest,
  type Parameter,
} from '@nmaas/sdk/model';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonSchema = { [key: string]: JsonValue | JsonSchema };

/**
 * Rancher question types this generator uses (all in the dashboard's known set; `multiline` is a
 * text area, the only way to enter a PEM block or any other value with line breaks).
 */
export type QuestionType = 'string' | 'multiline' | 'int' | 'float' | 'boolean' | 'enum' | 'hostname' | 'array[string]';

export const QUESTION_GROUPS = ['Targets', 'Schedule', 'Resources', 'Placement', 'Monitoring'] as const;

export interface Question {
  label: string;
  description?: string;
  type: QuestionType;
  group: string;
  required?: boolean;
  options?: string[];
  min?: number;
  max?: number;
  min_length?: number;
  max_length?: number;
  show_if?: string;
}
// No `valid_chars`: Rancher's dashboard compiles it as the inside of a character class
// (`new RegExp('([^' + valid_chars + '])')`), so an anchored pattern either throws when the field
// renders or flags nothing. values.schema.json, which helm checks at install, is the real check.

export interface ValueSpec {
  path: string[];
  default: JsonValue;
  description: string;
  schema: JsonSchema;
  question?: Question;
}

/** Whole-second durations only: the scheduler works in 1-second slots (an empty value = unset). */
export const SCHEDULE_DURATION_PATTERN = '^([0-9]+(h|m|s))+$';
/**
 * prometheus-operator's Duration (monitoring.coreos.com/v1, e.g. ServiceMonitor endpoints[].interval):
 * units in decreasing order, each at most once. Copied from the CRD schema at operator 0.93.0;
 * a test compares it with ../shared/corpus/prometheus-operator-crds.
 */
export const PROMETHEUS_DURATION_PATTERN =
  '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$';
/** Default scrape timeout; the chart lowers it to the interval when the interval is shorter. */
export const DEFAULT_SCRAPE_TIMEOUT = '10s';
const MODEL_DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$';
/** RE2 has no look-ahead, so the host-name length limit is maxLength, not part of the pattern. */
const HOSTNAME_PATTERN =
  '^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$';
const URL_PATTERN = '^https?://[^\\s]+$';
const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * Periods a user may pick: divisors of the scheduling horizon (the plan repeats exactly inside it) and
 * whole hours dividing a day (the scheduler folds them onto the horizon), each kept only when the app
 * model accepts it.
 */
const PERIOD_CANDIDATES = [
  10, 15, 20, 30, 60, 120, 180, 240, 300, 360, 600, 720, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 28800, 43200,
  86400,
];

/** Resource bounds: at least what the developer declared, at most 8× (with a floor for tiny apps). */
const RESOURCE_GROWTH = 8;
const RESOURCE_MAX_FLOOR = { cpu: 1000, memory: 1024, bandwidth: 1000 };

export const MAX_REPLICAS = 1000;

export function periodOptions(manifest: AppManifest, horizonSeconds = DEFAULT_HORIZON_SECONDS): number[] {
  const n = normalizeManifest(manifest);
  const set = new Set(
    PERIOD_CANDIDATES.filter((s) => s >= n.schedule.durationSeconds && periodProblem(s, horizonSeconds) === null),
  );
  set.add(n.schedule.everySeconds);
  return [...set].sort((a, b) => a - b);
}

export function resourceMax(declared: number, kind: keyof typeof RESOURCE_MAX_FLOOR): number {
  return Math.max(declared * RESOURCE_GROWTH, RESOURCE_MAX_FLOOR[kind]);
}

/** The Kubernetes pool label, from nmaas.yaml's nodeSelector; users may pick another pool. */
export function defaultPool(manifest: AppManifest): string {
  return manifest.placement.nodeSelector[NODE_POOL_LABEL] ?? '';
}

/** Whether an optional parameter without default is left out of config.json while empty. */
export function omittedWhenEmpty(param: Parameter): boolean {
  return param.default === undefined && !param.required;
}

export function buildValueSpecs(manifest: AppManifest): ValueSpec[] {
  const n = normalizeManifest(manifest);
  const specs: ValueSpec[] = [];
  const add = (spec: ValueSpec) => specs.push(spec);
  const spread = manifest.placement.spread;

  add({
    path: ['nameOverride'],
    default: '',
    description: 'Replaces the chart name in object names.',
    schema: { type: 'string', maxLength: 63 },
  });
  add({
    path: ['fullnameOverride'],
    default: '',
    description: 'Replaces the release-scoped object name entirely.',
    schema: { type: 'string', maxLength: 63 },
  });
  add({
    path: ['global'],
    default: {},
    description:
      'Values Rancher and Fleet inject (`global.cattle.*`, `global.systemDefaultRegistry`); `global.cattle.systemDefaultRegistry` or `global.systemDefaultRegistry` replaces the image registry unless `image.registry` is set.',
    schema: { type: 'object' },
  });
  add({
    path: ['image', 'registry'],
    default: '',
    description:
      'Registry to pull from instead of the one in `image.repository` (a private mirror); the digest still pins the image.',
    schema: { type: 'string', pattern: REGISTRY_PATTERN },
  });
  add({
    path: ['image', 'repository'],
    default: manifest.image.repository,
    description: 'Container image repository.',
    schema: { type: 'string', minLength: 1 },
  });
  add({
    path: ['image', 'tag'],
    default: manifest.image.tag,
    description: 'Image tag (informational when a digest is set).',
    schema: { type: 'string' },
  });
  add({
    path: ['image', 'digest'],
    default: manifest.image.digest ?? '',
    description: 'Image digest; pins the exact image that was reviewed.',
    schema: { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' },
  });
  add({
    path: ['image', 'pullPolicy'],
    default: 'IfNotPresent',
    description: 'Image pull policy.',
    schema: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
  });
  add({
    path: ['imagePullSecrets'],
    default: [],
    description:
      'Secrets (in the release namespace) holding credentials of a private registry: names, or `{name: …}` objects.',
    schema: PULL_SECRETS_SCHEMA,
  });

  for (const param of manifest.parameters) add(parameterSpec(param));
  if (manifest.parameters.length === 0) {
    add({
      path: ['parameters'],
      default: {},
      description: 'The app declares no parameters.',
      schema: { type: 'object', additionalProperties: false },
    });
  }

  const periods = periodOptions(manifest).map(formatDuration);
  add({
    path: ['schedule', 'every'],
    default: formatDuration(n.schedule.everySeconds),
    description: 'How often a run starts: a divisor of one hour, or whole hours up to a day.',
    schema: { type: 'string', enum: periods },
    question: {
      label: 'Run every',
      type: 'enum',
      group: 'Schedule',
      options: periods,
      required: true,
      description: 'Period between two runs.',
    },
  });
  add({
    path: ['schedule', 'duration'],
    default: formatDuration(n.schedule.durationSeconds),
    description: 'How long one run may take (its deadline); at most `schedule.every`.',
    schema: { type: 'string', pattern: SCHEDULE_DURATION_PATTERN },
    question: {
      label: 'Run duration',
      type: 'string',
      group: 'Schedule',
      required: true,
      description: 'Deadline of one run, e.g. 20s or 1m30s; at most the period.',
    },
  });
  add({
    path: ['schedule', 'startWithin'],
    default: manifest.schedule.startWithin === undefined ? '' : formatDuration(n.schedule.startWithinSeconds),
    description: 'Tolerated delay of a run after its period starts; empty means any time within the period.',
    schema: { type: 'string', pattern: `^(${SCHEDULE_DURATION_PATTERN.slice(1, -1)})?$` },
    question: {
      label: 'Start within',
      type: 'string',
      group: 'Schedule',
      description: 'e.g. 1m; empty = anywhere in the period; at most the period.',
    },
  });

  const resource = (
    path: string[],
    declared: number,
    kind: 'cpu' | 'memory' | 'bandwidth',
    max: number,
    label: string,
    unit: string,
    what: string,
  ) =>
    add({
      path,
      default: declared,
      description: `${what} (${unit}); from the declared ${declared} up to ${max}.`,
      schema: { type: 'integer', minimum: declared, maximum: max },
      question: {
        label,
        type: 'int',
        group: 'Resources',
        min: declared,
        max,
        required: true,
        description: `${what} in ${unit} (${declared}–${max}).`,
      },
    });
  const cpuMax = resourceMax(n.run.cpu, 'cpu');
  const memMax = resourceMax(n.run.memory, 'memory');
  resource(
    ['resources', 'run', 'cpuMillicores'],
    n.run.cpu,
    'cpu',
    cpuMax,
    'CPU per run (millicores)',
    'millicores',
    'CPU one run uses; the container limit',
  );
  resource(
    ['resources', 'run', 'memoryMiB'],
    n.run.memory,
    'memory',
    memMax,
    'Memory per run (MiB)',
    'MiB',
    'Memory one run uses; the container limit',
  );
  resource(
    ['resources', 'run', 'bandwidthMbps'],
    n.run.bandwidth,
    'bandwidth',
    resourceMax(n.run.bandwidth, 'bandwidth'),
    'Bandwidth per run (Mbps)',
    'Mbps',
    'Network bandwidth one run uses; reserved by the NMaaS scheduler',
  );
  resource(
    ['resources', 'idle', 'cpuMillicores'],
    n.idle.cpu,
    'cpu',
    cpuMax,
    'CPU between runs (millicores)',
    'millicores',
    'CPU held between runs; the container request',
  );
  resource(
    ['resources', 'idle', 'memoryMiB'],
    n.idle.memory,
    'memory',
    memMax,
    'Memory between runs (MiB)',
    'MiB',
    'Memory held between runs; the container request',
  );

  add({
    path: ['replicaCount'],
    default: 1,
    description: spread ? 'Number of instances; each runs on a different node.' : 'Number of instances.',
    schema: { type: 'integer', minimum: 1, maximum: MAX_REPLICAS },
    question: {
      label: spread ? 'Number of nodes' : 'Instances',
      type: 'int',
      group: 'Placement',
      min: 1,
      max: MAX_REPLICAS,
      required: true,
      description: spread
        ? 'This app measures from many vantage points: one instance per node.'
        : 'Number of measurement instances.',
    },
  });
  add({
    path: ['placement', 'pool'],
    default: defaultPool(manifest),
    description: `Node pool (value of the ${NODE_POOL_LABEL} node label) to run in; empty = any pool.`,
    schema: { type: 'string', maxLength: 63, pattern: LABEL_VALUE_PATTERN },
    question: {
      label: 'Node pool',
      type: 'string',
      group: 'Placement',
      max_length: 63,
      description: `Only nodes labelled ${NODE_POOL_LABEL}=<pool> take these measurements; empty = any pool.`,
    },
  });

  add({
    path: ['networkPolicy', 'enabled'],
    default: true,
    description: 'Create a NetworkPolicy (ingress only to the metrics port from the monitoring namespace).',
    schema: { type: 'boolean' },
    question: {
      label: 'Network policy',
      type: 'boolean',
      group: 'Monitoring',
      description: 'Restrict ingress to the metrics port from the monitoring namespace.',
    },
  });
  add({
    path: ['networkPolicy', 'monitoringNamespace'],
    default: 'cattle-monitoring-system',
    description: 'Namespace whose pods may scrape the metrics port.',
    schema: { type: 'string', minLength: 1, maxLength: 63, pattern: DNS_LABEL_PATTERN },
    question: {
      label: 'Monitoring namespace',
      type: 'string',
      group: 'Monitoring',
      min_length: 1,
      max_length: 63,
      show_if: 'networkPolicy.enabled=true',
      description: 'Where Prometheus runs (cattle-monitoring-system for Rancher Monitoring).',
    },
  });
  add({
    path: ['networkPolicy', 'allowAllEgress'],
    default: true,
    description:
      'Allow all egress (measurement traffic goes anywhere); when false only DNS and `networkPolicy.extraEgress`.',
    schema: { type: 'boolean' },
    question: {
      label: 'Allow all outgoing traffic',
      type: 'boolean',
      group: 'Monitoring',
      show_if: 'networkPolicy.enabled=true',
      description: 'Measurements reach their targets; turn off to allow only DNS and the extra egress rules.',
    },
  });
  add({
    path: ['networkPolicy', 'extraEgress'],
    default: [],
    description: 'Extra NetworkPolicy egress rules used when `allowAllEgress` is false.',
    schema: { type: 'array', items: { type: 'object' } },
  });

  add({
    path: ['serviceMonitor', 'enabled'],
    default: true,
    description: 'Create a ServiceMonitor when the cluster has the prometheus-operator CRDs.',
    schema: { type: 'boolean' },
    question: {
      label: 'ServiceMonitor',
      type: 'boolean',
      group: 'Monitoring',
      description: 'Let Prometheus scrape the app (needs prometheus-operator).',
    },
  });
  add({
    path: ['serviceMonitor', 'interval'],
    default: '30s',
    description: 'Scrape interval (a prometheus-operator duration such as 30s or 1m).',
    schema: { type: 'string', minLength: 1, pattern: PROMETHEUS_DURATION_PATTERN },
    question: {
      label: 'Scrape interval',
      type: 'string',
      group: 'Monitoring',
      show_if: 'serviceMonitor.enabled=true',
      description: 'e.g. 30s or 1m.',
    },
  });
  add({
    path: ['serviceMonitor', 'scrapeTimeout'],
    default: '',
    description: `Scrape timeout; empty = ${DEFAULT_SCRAPE_TIMEOUT} or the interval if that is shorter. Must not exceed the interval (prometheus-operator rejects it).`,
    schema: { type: 'string', pattern: PROMETHEUS_DURATION_PATTERN },
  });
  add({
    path: ['serviceMonitor', 'additionalLabels'],
    default: {},
    description: 'Extra labels, e.g. `release: kube-prometheus-stack` so that kube-prometheus-stack selects it.',
    schema: stringMap(),
  });
  add({
    path: ['prometheusRule', 'enabled'],
    default: true,
    description:
      "Create a PrometheusRule with the standard run alerts and the app's own alerts when the cluster has the prometheus-operator CRDs.",
    schema: { type: 'boolean' },
    question: { label: 'Alerts (PrometheusRule)', type: 'boolean', group: 'Monitoring' },
  });
  add({
    path: ['prometheusRule', 'additionalLabels'],
    default: {},
    description: 'Extra labels on the PrometheusRule (e.g. `release: kube-prometheus-stack`).',
    schema: stringMap(),
  });
  add({
    path: ['prometheusRule', 'runbookBaseUrl'],
    default: runbookBase(manifest),
    description:
      "Base of every alert's `runbook_url` (the alert name in lower case is appended as a fragment); the chart README has a section per alert.",
    schema: { type: 'string', pattern: '^(https?://[^\\s#]+)?$' },
  });
  add({
    path: ['dashboard', 'enabled'],
    default: true,
    description:
      'Create the Grafana dashboard ConfigMap (label `grafana_dashboard: "1"`) when a monitoring stack is present.',
    schema: { type: 'boolean' },
    question: { label: 'Grafana dashboard', type: 'boolean', group: 'Monitoring' },
  });
  add({
    path: ['dashboard', 'namespace'],
    default: '',
    description:
      "Namespace of the dashboard ConfigMap; empty = the release namespace. Set `cattle-dashboards` for Rancher Monitoring's Grafana (installing there needs rights in that namespace, which project members usually lack).",
    schema: { type: 'string', maxLength: 63, pattern: `^(${DNS_LABEL_PATTERN.slice(1, -1)})?$` },
    question: {
      label: 'Dashboard namespace',
      type: 'string',
      group: 'Monitoring',
      max_length: 63,
      show_if: 'dashboard.enabled=true',
      description: 'Empty: the release namespace. cattle-dashboards: Rancher Monitoring (needs rights there).',
    },
  });
  add({
    path: ['dashboard', 'additionalLabels'],
    default: {},
    description: 'Extra labels on the dashboard ConfigMap.',
    schema: stringMap(),
  });

  add({
    path: ['podAnnotations'],
    default: {},
    description: "Extra pod annotations (the scheduling contract's `nmaas.io/*` keys cannot be overridden).",
    schema: stringMap(),
  });
  add({
    path: ['podLabels'],
    default: {},
    description: 'Extra pod labels (the selector and contract labels cannot be overridden).',
    schema: stringMap(),
  });
  add({
    path: ['priorityClassName'],
    default: '',
    description: 'PriorityClass of the measurement pods; empty = the cluster default.',
    schema: { type: 'string', maxLength: 253 },
  });
  add({
    path: ['tolerations'],
    default: [],
    description:
      'Tolerations for tainted measurement nodes; each names a taint key (a toleration of every taint is refused).',
    schema: TOLERATIONS_SCHEMA,
  });
  return specs;
}

/** Where the alerts' runbooks are: the chart README's Alerts section in the app's home or source. */
function runbookBase(manifest: AppManifest): string {
  const base = manifest.home ?? manifest.sources[0];
  return base === undefined ? '' : base.replace(/#.*$/, '');
}

/** Parameters entered as text areas: PEM blocks (certificates, keys) and defaults with line breaks. */
export function isMultiline(param: Parameter): boolean {
  if (param.type !== 'string') return false;
  if (typeof param.default === 'string' && param.default.includes('\n')) return true;
  return /\bPEM\b/.test(`${param.label} ${param.description ?? ''}`);
}

/** A registry host with an optional port and path prefix, no scheme (as Rancher's systemDefaultRegistry). */
export const REGISTRY_PATTERN = '^([a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?)?$';

const PULL_SECRETS_SCHEMA: JsonSchema = {
  type: 'array',
  items: {
    anyOf: [
      { type: 'string', minLength: 1, maxLength: 253 },
      {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 253 } },
        additionalProperties: false,
      },
    ],
  },
};

/** Tolerations must name the taint: `operator: Exists` without a key would tolerate every taint of every node. */
const TOLERATIONS_SCHEMA: JsonSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['key'],
    additionalProperties: false,
    properties: {
      key: { type: 'string', minLength: 1, maxLength: 316 },
      operator: { type: 'string', enum: ['Equal', 'Exists'] },
      value: { type: 'string', maxLength: 63 },
      effect: { type: 'string', enum: ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
      tolerationSeconds: { type: 'integer', minimum: 0 },
    },
  },
};

function stringMap(): JsonSchema {
  return { type: 'object', additionalProperties: { type: 'string' } };
}

/** The empty value of a type, used for a parameter without default. */
function emptyValue(param: Parameter): JsonValue {
  switch (param.type) {
    case 'int':
    case 'number':
      return param.min ?? 0;
    case 'boolean':
      return false;
    case 'enum':
      return param.required ? '' : (param.options?.[0] ?? '');
    case 'string[]':
      return [];
    default:
      return '';
  }
}

function parameterSpec(param: Parameter): ValueSpec {
  const schema: JsonSchema = {};
  const question: Question = { label: param.label, type: 'string', group: param.group };
  if (param.description !== undefined) question.description = param.description;
  if (param.required) question.required = true;
  const emptyAllowed = omittedWhenEmpty(param);
  const withEmpty = (pattern: string) => (emptyAllowed ? `^$|${pattern}` : pattern);
  switch (param.type) {
    case 'string':
      schema.type = 'string';
      if (param.pattern !== undefined) schema.pattern = withEmpty(param.pattern);
      if (param.required) schema.minLength = 1;
      if (isMultiline(param)) question.type = 'multiline';
      break;
    case 'int':
    case 'number':
      schema.type = param.type === 'int' ? 'integer' : 'number';
      question.type = param.type === 'int' ? 'int' : 'float';
      if (param.min !== undefined) schema.minimum = question.min = param.min;
      if (param.max !== undefined) schema.maximum = question.max = param.max;
      break;
    case 'boolean':
      schema.type = 'boolean';
      question.type = 'boolean';
      break;
    case 'enum':
      schema.type = 'string';
      schema.enum = [...(param.options ?? [])];
      question.type = 'enum';
      question.options = [...(param.options ?? [])];
      break;
    case 'url':
      schema.type = 'string';
      schema.pattern = withEmpty(URL_PATTERN);
      break;
    case 'hostname':
      schema.type = 'string';
      schema.maxLength = 253;
      schema.pattern = withEmpty(HOSTNAME_PATTERN);
      // A declared pattern narrows the host names further; JSON Schema takes one pattern per object.
      if (param.pattern !== undefined) schema.allOf = [{ pattern: withEmpty(param.pattern) }];
      question.type = 'hostname';
      break;
    case 'duration':
      // The bounds of a duration are in seconds; JSON Schema cannot compare them, so the
      // chart's checks template enforces them at render time with the same wording.
      schema.type = 'string';
      schema.pattern = withEmpty(MODEL_DURATION_PATTERN);
      break;
    case 'string[]':
      schema.type = 'array';
      schema.items = param.pattern !== undefined ? { type: 'string', pattern: param.pattern } : { type: 'string' };
      if (param.min !== undefined || param.required) schema.minItems = Math.max(param.min ?? 0, param.required ? 1 : 0);
      if (param.max !== undefined) schema.maxItems = param.max;
      question.type = 'array[string]';
      break;
  }
  if (param.required && (param.type === 'url' || param.type === 'hostname' || param.type === 'duration'))
    schema.minLength = 1;
  const bounds = param.min !== undefined || param.max !== undefined ? ` (${boundsText(param)})` : '';
  const description = `${param.label}${param.description ? `: ${param.description}` : ''}${bounds}.`;
  if (bounds !== '' && question.description === undefined) question.description = bounds.slice(2, -1);
  return {
    path: ['parameters', param.name],
    default: (param.default ?? emptyValue(param)) as JsonValue,
    description,
    schema,
    question,
  };
}

function boundsText(param: Parameter): string {
  const unit = param.type === 'duration' ? ' s' : param.type === 'string[]' ? ' items' : '';
  if (param.min !== undefined && param.max !== undefined) return `${param.min} to ${param.max}${unit}`;
  if (param.min !== undefined) return `at least ${param.min}${unit}`;
  return `at most ${param.max}${unit}`;
}

/** Objects whose keys are all known: a typo there fails at install instead of being ignored. */
const CLOSED_OBJECTS = new Set([
  'parameters',
  'schedule',
  'resources',
  'resources.run',
  'resources.idle',
  'placement',
  'image',
  'networkPolicy',
  'serviceMonitor',
  'prometheusRule',
  'dashboard',
]);

export function valuesObject(specs: ValueSpec[]): { [key: string]: JsonValue } {
  const root: { [key: string]: JsonValue } = {};
  for (const spec of specs) {
    let node = root;
    for (const key of spec.path.slice(0, -1)) node = (node[key] ??= {}) as { [key: string]: JsonValue };
    node[spec.path[spec.path.length - 1]!] = structuredClone(spec.default);
  }
  return root;
}

export function valuesSchema(specs: ValueSpec[], title: string): JsonSchema {
  const root: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    type: 'object',
    properties: {},
  };
  const objectAt = (path: string[]): JsonSchema => {
    let node = root;
    path.forEach((key, i) => {
      const props = node.properties as JsonSchema;
      const dotted = path.slice(0, i + 1).join('.');
      props[key] ??= {
        type: 'object',
        properties: {},
        ...(CLOSED_OBJECTS.has(dotted) ? { additionalProperties: false } : {}),
      };
      node = props[key] as JsonSchema;
    });
    return node;
  };
  for (const spec of specs) {
    const parent = objectAt(spec.path.slice(0, -1));
    const leaf = spec.path[spec.path.length - 1]!;
    (parent.properties as JsonSchema)[leaf] = { description: spec.description, ...spec.schema };
    if (spec.question?.required) ((parent.required ??= []) as string[]).push(leaf);
  }
  return root;
}

export interface QuestionEntry extends Question {
  variable: string;
  default: JsonValue;
}

/** Rancher questions in group order (Targets, Schedule, Resources, Placement, Monitoring, then the rest). */
export function questionEntries(specs: ValueSpec[]): QuestionEntry[] {
  const entries = specs
    .filter((s): s is ValueSpec & { question: Question } => s.question !== undefined)
    .map((s) => ({ variable: s.path.join('.'), default: structuredClone(s.default), ...s.question }));
  const rank = (g: string) => {
    const i = (QUESTION_GROUPS as readonly string[]).indexOf(g);
    return i < 0 ? QUESTION_GROUPS.length : i;
  };
  return entries
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        rank(a.e.group) - rank(b.e.group) ||
        (rank(a.e.group) === QUESTION_GROUPS.length ? a.e.group.localeCompare(b.e.group) : 0) ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}
