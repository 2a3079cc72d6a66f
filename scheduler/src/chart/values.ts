/**
 * The scheduler chart's values, declared once with charts-gen's value model: values.yaml,
 * values.schema.json and Rancher's questions.yaml are projections of this list, so the form's
 * defaults are values.yaml's and a key cannot be in one file and missing from another.
 *
 * The root stays open: Rancher and Fleet add a `global` block (`global.cattle.*`,
 * `global.systemDefaultRegistry`) to every install, and a closed root would refuse it.
 */
import { REGISTRY_PATTERN, type ValueSpec } from '@nmaas/charts-gen';
import { DEFAULT_RUNBOOK_BASE_URL, SCRAPE_INTERVAL_PATTERN } from './monitoring.js';

export interface SchedulerImage {
  repository: string;
  tag: string;
  /** sha256:… of the published image; empty until one is published. */
  digest?: string;
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export function schedulerValueSpecs(image: SchedulerImage): ValueSpec[] {
  return [
    {
      path: ['global'],
      default: {},
      description:
        'Values Rancher and Fleet inject; `global.cattle.systemDefaultRegistry` or `global.systemDefaultRegistry` replaces the image registry unless `image.registry` is set.',
      schema: { type: 'object' },
    },
    {
      path: ['image', 'registry'],
      default: '',
      description: 'Registry to pull from instead of the one in `image.repository` (a private mirror).',
      schema: { type: 'string', pattern: REGISTRY_PATTERN },
    },
    {
      path: ['image', 'repository'],
      default: image.repository,
      description: 'Image repository; the image runs the `nmaas` CLI.',
      schema: { type: 'string', minLength: 1 },
    },
    {
      path: ['image', 'tag'],
      default: image.tag,
      description: 'Image tag (informational when a digest is set).',
      schema: { type: 'string', minLength: 1 },
    },
    {
      path: ['image', 'digest'],
      default: image.digest ?? '',
      description: 'Image digest; pins the exact image (set it once the image is published).',
      schema: { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' },
    },
    {
      path: ['image', 'pullPolicy'],
      default: 'IfNotPresent',
      description: 'Image pull policy.',
      schema: { type: 'string', enum: ['IfNotPresent', 'Always', 'Never'] },
    },
    {
      path: ['imagePullSecrets'],
      default: [],
      description:
        'Secrets (in the release namespace) with credentials of a private registry: names or `{name: …}` objects.',
      schema: {
        type: 'array',
        items: {
          anyOf: [
            { type: 'string', minLength: 1 },
            {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string', minLength: 1 } },
              additionalProperties: false,
            },
          ],
        },
      },
    },
    {
      path: ['replicas'],
      default: 2,
      description: 'Replicas on distinct nodes; one holds the Lease and decides, the others forward to it.',
      schema: { type: 'integer', minimum: 1, maximum: 5 },
      question: {
        label: 'Replicas',
        type: 'int',
        group: 'Scheduler',
        min: 1,
        max: 5,
        description:
          'One holds the Lease and decides, the others forward to it (2 or more for availability; with 1 the disruption budget lets node drains go on).',
      },
    },
    {
      path: ['migrations'],
      default: 2,
      description:
        'How many placed measurement pods a new one may move (evicted through the Eviction API, honouring PodDisruptionBudgets); 0 disables.',
      schema: { type: 'integer', minimum: 0, maximum: 10 },
      question: {
        label: 'Migrations per placement',
        type: 'int',
        group: 'Scheduler',
        min: 0,
        max: 10,
        description: 'How many placed measurement pods a new one may move; 0 disables.',
      },
    },
    {
      path: ['replan', 'interval'],
      default: 0,
      description:
        'Seconds between re-plans of the whole pool by the leader, which carries the moves out (evictions honour PodDisruptionBudgets and never interrupt a run); 0 = off.',
      schema: { type: 'integer', minimum: 0, maximum: 86400 },
      question: {
        label: 'Re-plan interval (seconds, 0 = off)',
        type: 'int',
        group: 'Re-planning',
        min: 0,
        max: 86400,
        description:
          'How often the leader plans the whole pool again and moves pods to place refused ones, then to spread runs that overlap; 0 disables.',
      },
    },
    {
      path: ['replan', 'maxMigrations'],
      default: 5,
      description: 'Most placed measurement pods one re-plan may move.',
      schema: { type: 'integer', minimum: 0, maximum: 100 },
      question: {
        label: 'Re-plan migrations',
        type: 'int',
        group: 'Re-planning',
        min: 0,
        max: 100,
        description: 'Most placed measurement pods one re-plan may move.',
      },
    },
    {
      path: ['replan', 'timeLimit'],
      default: 10,
      description: "Seconds the re-plan's search may take (it runs in a worker thread; admissions go on meanwhile).",
      schema: { type: 'integer', minimum: 1, maximum: 600 },
    },
    {
      path: ['replan', 'maxWait'],
      default: 300,
      description:
        'Longest wait, in seconds, for a pod to finish its run before it is evicted; a move that needs longer is left out.',
      schema: { type: 'integer', minimum: 0, maximum: 86400 },
    },
    {
      path: ['priorityClassName'],
      default: '',
      description:
        'PriorityClass of the scheduler pods (e.g. system-cluster-critical, allowed in any namespace on Kubernetes ≥ 1.17); empty = the cluster default.',
      schema: { type: 'string', maxLength: 253 },
      question: {
        label: 'Priority class',
        type: 'string',
        group: 'Scheduler',
        max_length: 253,
        description: 'Empty = cluster default; system-cluster-critical keeps the webhook running under node pressure.',
      },
    },
    {
      path: ['failurePolicy'],
      default: 'Fail',
      description:
        'What the API server does with a measurement pod when the webhook cannot be reached. Fail: the pod is refused, so no measurement runs unscheduled (only pods labelled nmaas.io/app, never in kube-system nor this namespace). Ignore: the pod starts unpinned and may compete.',
      schema: { type: 'string', enum: ['Fail', 'Ignore'] },
      question: {
        label: 'When the scheduler is unreachable',
        type: 'enum',
        group: 'Webhook',
        options: ['Fail', 'Ignore'],
        description:
          'Fail refuses measurement pods (none runs unscheduled); Ignore lets them start unpinned (they may compete).',
      },
    },
    {
      path: ['timeoutSeconds'],
      default: 5,
      description:
        "Seconds the API server waits for the webhook. The scheduler answers within it: a pod's search for moves (migrations) stops at two fifths of it and the pod is refused; raise it to let that search run longer on a large, full cluster.",
      schema: { type: 'integer', minimum: 1, maximum: 30 },
      question: { label: 'Webhook timeout (seconds)', type: 'int', group: 'Webhook', min: 1, max: 30 },
    },
    {
      path: ['certificates', 'mode'],
      default: 'auto',
      description:
        'auto: cert-manager if its API (cert-manager.io/v1) is installed, else generated by Helm; cert-manager | helm: force one.',
      schema: { type: 'string', enum: ['auto', 'cert-manager', 'helm'] },
      question: {
        label: 'Certificates',
        type: 'enum',
        group: 'Webhook',
        options: ['auto', 'cert-manager', 'helm'],
        description: 'auto uses cert-manager when installed, else Helm generates them.',
      },
    },
    {
      path: ['resources'],
      default: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '1', memory: '256Mi' } },
      description: 'Container resources.',
      schema: { type: 'object' },
    },
    { path: ['podAnnotations'], default: {}, description: 'Extra pod annotations.', schema: stringMap },
    {
      path: ['serviceMonitor', 'enabled'],
      default: true,
      description:
        'Create a ServiceMonitor (scrapes /metrics on the webhook port over HTTPS) when the cluster has the prometheus-operator CRDs.',
      schema: { type: 'boolean' },
      question: {
        label: 'ServiceMonitor',
        type: 'boolean',
        group: 'Monitoring',
        description: 'Let Prometheus scrape the scheduler (needs prometheus-operator).',
      },
    },
    {
      path: ['serviceMonitor', 'interval'],
      default: '30s',
      description:
        'Scrape interval in whole seconds or minutes (30s, 1m); the scrape timeout is 10 s or the interval if shorter.',
      schema: { type: 'string', pattern: SCRAPE_INTERVAL_PATTERN },
      question: {
        label: 'Scrape interval',
        type: 'string',
        group: 'Monitoring',
        show_if: 'serviceMonitor.enabled=true',
        description: 'e.g. 30s or 1m.',
      },
    },
    {
      path: ['serviceMonitor', 'additionalLabels'],
      default: {},
      description: 'Extra labels on the ServiceMonitor, e.g. `release: kube-prometheus-stack` so that it is selected.',
      schema: stringMap,
    },
    {
      path: ['prometheusRule', 'enabled'],
      default: true,
      description:
        'Create a PrometheusRule with the webhook alerts (down, not ready, no leader, errors, slow decisions, certificate expiry, watch errors) when the cluster has the prometheus-operator CRDs and the ServiceMonitor is on (the alerts read what it scrapes).',
      schema: { type: 'boolean' },
      question: { label: 'Alerts (PrometheusRule)', type: 'boolean', group: 'Monitoring' },
    },
    {
      path: ['prometheusRule', 'additionalLabels'],
      default: {},
      description: 'Extra labels on the PrometheusRule (e.g. `release: kube-prometheus-stack`).',
      schema: stringMap,
    },
    {
      path: ['prometheusRule', 'runbookBaseUrl'],
      default: DEFAULT_RUNBOOK_BASE_URL,
      description: "Page of the alerts' runbooks; each alert's runbook_url is this plus `#<alert name in lower case>`.",
      schema: { type: 'string', pattern: '^https?://[^\\s#]+$' },
    },
    {
      path: ['tolerations'],
      default: [],
      description: 'Tolerations of the scheduler pods; each names a taint key.',
      schema: {
        type: 'array',
        items: { type: 'object', required: ['key'], properties: { key: { type: 'string', minLength: 1 } } },
      },
    },
  ];
}
