/**
 * The NMaaS app model: what `nmaas.yaml` declares. It is data, never code, so that a reviewer
 * reads a submission without running it. Every message says what is wrong and how to fix it,
 * because app developers meet these errors first.
 *
 * The schema keeps human quantities (`5m`, `250m`, `128Mi`, `20Mbps`) as strings so that the
 * generated JSON Schema shows developers the same forms they write; `normalize.ts` turns them
 * into numbers once the manifest is valid.
 */
import { z } from 'zod';
import semver from 'semver';
import { parseBandwidth, parseCpu, parseDuration, parseMemory } from './quantities.js';
import { LINUX_CAPABILITIES } from './capabilities.js';
import { DNS1123_LABEL, LABEL_KEY, LABEL_VALUE } from '../contract.js';

export const API_VERSION = 'nmaas.io/v1';
/** The scheduling horizon, in seconds: periods dividing it repeat exactly in it; others are folded (period.ts). */
export const DEFAULT_HORIZON_SECONDS = 3600;
/** App names stay short so that `<release>-<app>` style names stay under Kubernetes' 63 characters. */
export const MAX_APP_NAME_LENGTH = 40;

const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const CPU_PATTERN = '^\\d+(\\.\\d+)?m?$';
const MEMORY_PATTERN = '^\\d+(\\.\\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)$';
const BANDWIDTH_PATTERN = '^\\d+(\\.\\d+)?(kbps|Mbps|Gbps)$';
const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PARAM_NAME = /^[a-zA-Z][a-zA-Z0-9]*$/;

const dnsLabel = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} is empty; use lower-case letters, digits and '-'`)
    .max(63, `${what} is longer than 63 characters`)
    .regex(
      DNS1123_LABEL,
      `${what} must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. web-qos)`,
    );

const duration = (what: string, example: string) =>
  z
    .string({ error: `${what} must be a duration such as ${example}` })
    .regex(new RegExp(DURATION_PATTERN), `${what} must be a duration such as ${example} (units ms, s, m, h, d)`);

const httpsUrl = (what: string) => z.url({ protocol: /^https$/, error: `${what} must be an https:// URL` });

export const appNameSchema = dnsLabel('name').max(
  MAX_APP_NAME_LENGTH,
  `name is longer than ${MAX_APP_NAME_LENGTH} characters; shorten it so release-scoped names stay under 63`,
);

const maintainerSchema = z.strictObject({
  name: z.string().min(1, 'maintainer name is empty'),
  email: z.email({ error: 'email must be an e-mail address such as ops@example.org' }).optional(),
  url: httpsUrl('url').optional(),
});

/** An image repository as the OCI distribution spec names one (registry host and port, lower-case path). */
export const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
/** An image tag. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const imageSchema = z.strictObject({
  repository: z
    .string()
    .regex(IMAGE_REPOSITORY, 'repository must be an image reference such as ghcr.io/org/web-qos (lower case, no tag)'),
  tag: z.string().regex(IMAGE_TAG, 'tag must be a Docker tag such as 1.2.0'),
  // Optional: `nmaas image build` / `push` pin it in image.lock.json beside nmaas.yaml instead.
  digest: z
    .string()
    .regex(
      /^sha256:[a-f0-9]{64}$/,
      'digest must be sha256: followed by 64 lower-case hex digits (nmaas image build prints it)',
    )
    .optional(),
});

const scheduleSchema = z.strictObject({
  every: duration('every', '5m'),
  duration: duration('duration', '30s'),
  startWithin: duration('startWithin', '1m').optional(),
});

const runResourcesSchema = z.strictObject({
  cpu: z.string().regex(new RegExp(CPU_PATTERN), 'cpu must be a Kubernetes CPU quantity such as 250m or 1'),
  memory: z.string().regex(new RegExp(MEMORY_PATTERN), 'memory must be a Kubernetes memory quantity such as 128Mi'),
  bandwidth: z
    .string()
    .regex(new RegExp(BANDWIDTH_PATTERN), 'bandwidth must be written like 20Mbps, 500kbps or 1Gbps')
    .default('0Mbps'),
});

const idleResourcesSchema = z.strictObject({
  cpu: z.string().regex(new RegExp(CPU_PATTERN), 'cpu must be a Kubernetes CPU quantity such as 10m'),
  memory: z.string().regex(new RegExp(MEMORY_PATTERN), 'memory must be a Kubernetes memory quantity such as 48Mi'),
});

const resourcesSchema = z.strictObject({ run: runResourcesSchema, idle: idleResourcesSchema });

const placementSchema = z.strictObject({
  nodeSelector: z
    .record(
      z.string().regex(LABEL_KEY, 'a nodeSelector key must be a Kubernetes label key such as nmaas.io/pool'),
      z
        .string()
        .regex(
          LABEL_VALUE,
          'a nodeSelector value must be a Kubernetes label value (≤63 characters: letters, digits, -, _ and .)',
        )
        .max(63),
    )
    .default({}),
  affinity: z.array(dnsLabel('an affinity entry')).default([]),
  antiAffinity: z.array(dnsLabel('an antiAffinity entry')).default([]),
  exclusive: z.boolean({ error: 'exclusive must be true or false' }).default(false),
  spread: z.boolean({ error: 'spread must be true or false' }).default(false),
});

const capabilitySchema = z.strictObject({
  name: z.enum(LINUX_CAPABILITIES, {
    error: 'name must be a Linux capability without the CAP_ prefix, such as NET_RAW',
  }),
  justification: z
    .string({ error: 'justification is required: say why the app needs this capability' })
    .trim()
    .min(10, 'justification is too short: say in a sentence why the app needs this capability'),
});

export const PARAMETER_TYPES = [
  'string',
  'int',
  'number',
  'boolean',
  'enum',
  'url',
  'hostname',
  'duration',
  'string[]',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

const parameterSchema = z.strictObject({
  name: z
    .string()
    .regex(PARAM_NAME, 'parameter name must be camelCase letters and digits, starting with a letter (e.g. targets)'),
  type: z.enum(PARAMETER_TYPES, { error: `type must be one of ${PARAMETER_TYPES.join(', ')}` }),
  label: z.string().min(1, 'label is empty; it is the field name users see in the form'),
  description: z.string().optional(),
  default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]).optional(),
  required: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  options: z.array(z.string().min(1)).optional(),
  pattern: z.string().optional(),
  group: z.string().min(1).default('Targets'),
});

export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary'] as const;

const metricSchema = z.strictObject({
  name: z.string().regex(METRIC_NAME, 'metric name must be snake_case letters, digits and _ (Prometheus naming)'),
  type: z.enum(METRIC_TYPES, { error: `type must be one of ${METRIC_TYPES.join(', ')}` }),
  help: z.string().min(1, 'help is empty; say what the metric measures'),
  labels: z.array(z.string().regex(LABEL_NAME, 'label names must be snake_case letters, digits and _')).default([]),
  buckets: z.array(z.number()).optional(),
  unit: z
    .string()
    .regex(/^[a-z]+(_[a-z]+)*$/, 'unit must be a lower-case base unit such as seconds or bytes')
    .optional(),
});

const alertSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'alert name must be letters, digits and _ (e.g. WebQosProbeFailing)'),
  expr: z.string().trim().min(1, 'expr is empty; write the PromQL condition that fires the alert'),
  for: z
    .string()
    .regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'for must be a Prometheus duration such as 5m')
    .default('5m'),
  severity: z.enum(['critical', 'warning', 'info'], { error: 'severity must be critical, warning or info' }),
  summary: z.string().min(1, 'summary is empty'),
  description: z.string().optional(),
});

/** The shape of `nmaas.yaml`, before the cross-field rules in `rules.ts`. */
export const appManifestShape = z.strictObject({
  apiVersion: z.literal(API_VERSION, { error: `apiVersion must be ${API_VERSION}` }),
  name: appNameSchema,
  version: z.string().refine((v) => semver.valid(v) !== null, 'version must be a semantic version such as 1.0.0'),
  displayName: z
    .string()
    .min(1, 'displayName is empty; it is the title shown in the app store')
    .max(64, 'displayName is longer than 64 characters'),
  description: z
    .string()
    .min(1, 'description is empty; say in a sentence what the app measures')
    .max(1000, 'description is longer than 1000 characters; put details in the README'),
  category: z.enum(['qos', 'security', 'cartography', 'other'], {
    error: 'category must be one of qos, security, cartography, other',
  }),
  keywords: z.array(z.string().min(1)).default([]),
  icon: z.string().min(1, 'icon is empty; give a file in the app folder or an https:// URL').optional(),
  maintainers: z
    .array(maintainerSchema)
    .min(1, 'maintainers is empty; name at least one person who keeps the app working'),
  license: z
    .string()
    .regex(
      /^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$/,
      'license must be an SPDX identifier such as Apache-2.0',
    ),
  home: httpsUrl('home').optional(),
  sources: z.array(httpsUrl('a source')).default([]),
  image: imageSchema,
  schedule: scheduleSchema,
  resources: resourcesSchema,
  placement: placementSchema.default({
    nodeSelector: {},
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    spread: false,
  }),
  capabilities: z.array(capabilitySchema).default([]),
  parameters: z.array(parameterSchema).default([]),
  metrics: z.array(metricSchema).default([]),
  alerts: z.array(alertSchema).default([]),
});

export type AppManifest = z.output<typeof appManifestShape>;
export type AppManifestInput = z.input<typeof appManifestShape>;
export type Parameter = AppManifest['parameters'][number];
export type MetricDeclaration = AppManifest['metrics'][number];
export type AlertDeclaration = AppManifest['alerts'][number];
export type Capability = AppManifest['capabilities'][number];
export type Placement = AppManifest['placement'];
export type Schedule = AppManifest['schedule'];
export type Maintainer = AppManifest['maintainers'][number];

export { parseBandwidth, parseCpu, parseDuration, parseMemory, DURATION_PATTERN };
