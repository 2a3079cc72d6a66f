/**
 * The scheduler chart's ServiceMonitor and PrometheusRule (`templates/monitoring.yaml`), each
 * created only when its value is on and the cluster serves the prometheus-operator API, as in the
 * app charts.
 *
 * Prometheus scrapes `/metrics` on the webhook's own HTTPS port, trusting the CA in the chart's
 * TLS Secret (both certificate paths write `ca.crt` there) with the Service's DNS name as TLS
 * server name: no plain-HTTP listener, and the NetworkPolicy's one ingress port covers scrapes.
 *
 * A fail-closed webhook that nobody watches refuses every measurement pod unnoticed, so the
 * alerts cover each way it stops answering well: down, not ready, no leader, errors or shed
 * answers, decisions slower than half the API server's timeout, the certificate near expiry,
 * watches failing (bookings going stale), and pods left without their affinity partner. Every
 * selector carries the release's namespace and Service, so two installs never fire each other's
 * alerts.
 */
import { ApiObject, Chart, Yaml, App } from 'cdk8s';
import type { TemplateTokens } from '@nmaas/charts-gen';
import { SCHEDULER_METRICS } from '../webhook/metrics.js';
import { REPLAN_METRICS } from '../webhook/replan-metrics.js';
import { HELPERS, NAME, TLS_SECRET } from './objects.js';

/** Days before the serving certificate's notAfter when its alert fires. */
export const CERTIFICATE_WARNING_DAYS = 14;
/** Where the runbook sections live (scheduler/README.md's "Runbook"); the anchor is the alert's name. */
export const DEFAULT_RUNBOOK_BASE_URL = 'https://github.com/nmaas/nmaas/blob/main/scheduler/README.md';

export interface SchedulerAlert {
  alert: string;
  /** PromQL with `S` standing for the release's selector matchers and `TIMEOUT_HALF` for timeoutSeconds / 2. */
  expr: (scope: string, timeoutHalf: string) => string;
  for: string;
  severity: 'critical' | 'warning';
  summary: string;
  description: string;
}

const m = SCHEDULER_METRICS;

export const SCHEDULER_ALERTS: SchedulerAlert[] = [
  {
    alert: 'NmaasSchedulerDown',
    expr: (s) => `absent(up{${s}} == 1)`,
    for: '2m',
    severity: 'critical',
    summary: 'No NMaaS scheduler replica answers',
    description:
      'Prometheus reaches no scheduler replica (none running, none with a ready endpoint, or the scrape is blocked). With failurePolicy Fail every new measurement pod is refused until one answers.',
  },
  {
    alert: 'NmaasSchedulerNotReady',
    expr: (s) => `max(${m.ready}{${s}}) == 0`,
    for: '5m',
    severity: 'critical',
    summary: 'No NMaaS scheduler replica has synced its node and pod watches',
    description:
      'Every replica runs but none has listed nodes and measurement pods, so none is a ready endpoint of the webhook Service: the API server cannot reach the webhook.',
  },
  {
    alert: 'NmaasSchedulerNoLeader',
    expr: (s) => `max(${m.leader}{${s}}) == 0`,
    for: '2m',
    severity: 'critical',
    summary: 'No NMaaS scheduler replica holds the Lease',
    description:
      'Replicas run but none may decide: placements are refused with a retryable 503 until a replica takes the Lease.',
  },
  {
    alert: 'NmaasSchedulerAdmissionErrors',
    expr: (s) =>
      `sum(rate(${m.admissions}{${s}, outcome=~"error|shed"}[5m])) / sum(rate(${m.admissions}{${s}}[5m])) > 0.05`,
    for: '10m',
    severity: 'warning',
    summary: 'More than 5% of NMaaS admissions end in an error or are shed',
    description:
      'The scheduler answers measurement pods with internal errors or sheds them (queue full, answer deadline passed, leader election): those pods are refused and their controllers retry.',
  },
  {
    alert: 'NmaasSchedulerSlowDecisions',
    expr: (s, half) =>
      `histogram_quantile(0.99, sum by (le) (rate(${m.duration}_bucket{${s}, webhook="mutate"}[5m]))) > ${half}`,
    for: '10m',
    severity: 'warning',
    summary: "NMaaS placement decisions near the webhook's timeout",
    description:
      "The 99th percentile of placement answers is above half the webhook's timeoutSeconds: a little more load and the API server times out, which refuses the pod under failurePolicy Fail.",
  },
  {
    alert: 'NmaasSchedulerCertificateExpiring',
    expr: (s) => `min(${m.certificateExpiry}{${s}}) - time() < ${CERTIFICATE_WARNING_DAYS} * 86400`,
    for: '1h',
    severity: 'warning',
    summary: `The NMaaS scheduler's serving certificate expires within ${CERTIFICATE_WARNING_DAYS} days`,
    description:
      'Once it expires the API server no longer trusts the webhook and every measurement pod is refused. cert-manager renews 30 days ahead; a Helm-generated certificate is renewed by deleting the Secret and upgrading the release.',
  },
  {
    alert: 'NmaasSchedulerWatchErrors',
    expr: (s) => `sum(increase(${m.watchErrors}{${s}}[15m])) > 5`,
    for: '15m',
    severity: 'warning',
    summary: 'The NMaaS scheduler keeps failing to watch nodes or pods',
    description:
      'List or watch calls to the API server keep failing, so bookings and node capacity may be stale: placements may overlap or be refused wrongly.',
  },
  {
    alert: 'NmaasSchedulerAffinityOrphans',
    expr: (s) => `max(${m.affinityOrphans}{${s}}) > 0`,
    for: '30m',
    severity: 'warning',
    summary: 'Measurement pods run without the app their affinity requires beside them',
    description:
      "A pod's affinity partner left its node and the scheduler could not evict it (a PodDisruptionBudget, or the eviction failed): its measurement runs without the partner it was declared to need.",
  },
  {
    alert: 'NmaasSchedulerReplanErrors',
    expr: (s) => `sum(increase(${REPLAN_METRICS.runs}{${s}, result="error"}[1h])) > 0`,
    for: '15m',
    severity: 'warning',
    summary: 'Re-plans of the measurement pool fail',
    description:
      'The leader could not compute a re-plan in the last hour (its log says why): refused pods stay refused until admissions free room on their own.',
  },
];

/** The anchor of an alert's runbook section (GitHub's heading anchors are lower case). */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

const IF_SERVICE_MONITOR =
  '{{- if and .Values.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") }}';
/**
 * The alerts read the series the ServiceMonitor's scrape produces (its `service` label included):
 * without it NmaasSchedulerDown would fire for ever, so the rule needs the monitor too.
 */
const IF_PROMETHEUS_RULE =
  '{{- if and .Values.prometheusRule.enabled .Values.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PrometheusRule") }}';

/** `templates/monitoring.yaml`. */
export function monitoringTemplate(tokens: TemplateTokens): string {
  const app = new App();
  const chart = new Chart(app, 'monitoring', { disableResourceNameHashes: true });
  const namespace = tokens.inline('{{ .Release.Namespace }}');
  const labelsWith = (extra: string) =>
    tokens.block(
      `fromYaml (include "${HELPERS.labels}" .) | mergeOverwrite (deepCopy (${extra} | default dict)) | toYaml`,
    );
  const monitor = new ApiObject(chart, 'service-monitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: NAME, namespace, labels: { [labelsWith('.Values.serviceMonitor.additionalLabels')]: '' } },
    spec: {
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': NAME,
          'app.kubernetes.io/instance': tokens.scalar('{{ .Release.Name | quote }}'),
        },
      },
      namespaceSelector: { matchNames: [namespace] },
      endpoints: [
        {
          port: 'https',
          scheme: 'https',
          path: '/metrics',
          interval: tokens.scalar('{{ .Values.serviceMonitor.interval | quote }}'),
          // Never above the interval: prometheus-operator rejects such an endpoint.
          scrapeTimeout: tokens.scalar(`{{ include "${HELPERS.scrapeTimeout}" . | quote }}`),
          tlsConfig: {
            serverName: `${NAME}.${namespace}.svc`,
            ca: { secret: { name: TLS_SECRET, key: 'ca.crt' } },
          },
        },
      ],
    },
  });
  const scope = `namespace="${namespace}", service="${NAME}"`;
  const timeoutHalf = tokens.inline('{{ divf (int .Values.timeoutSeconds) 2 }}');
  const rule = new ApiObject(chart, 'prometheus-rule', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: NAME, namespace, labels: { [labelsWith('.Values.prometheusRule.additionalLabels')]: '' } },
    spec: {
      groups: [
        {
          name: 'nmaas-scheduler',
          rules: SCHEDULER_ALERTS.map((a) => ({
            alert: a.alert,
            expr: a.expr(scope, timeoutHalf),
            for: a.for,
            labels: { severity: a.severity, namespace },
            annotations: {
              summary: a.summary,
              description: a.description,
              runbook_url: tokens.scalar(
                `{{ printf "%s#%s" .Values.prometheusRule.runbookBaseUrl ${JSON.stringify(runbookAnchor(a.alert))} | quote }}`,
              ),
            },
          })),
        },
      ],
    },
  });
  const render = (o: ApiObject) => tokens.render(Yaml.stringify(o.toJson())).trimEnd();
  return `${IF_SERVICE_MONITOR}\n${render(monitor)}\n{{- end }}\n${IF_PROMETHEUS_RULE}\n---\n${render(rule)}\n{{- end }}\n`;
}

/** Scrape timeout helper: 10 s, or the interval when that is shorter (the values schema allows only s and m). */
export const SCRAPE_TIMEOUT_TPL = `{{- define "${HELPERS.scrapeTimeout}" -}}
{{- $interval := .Values.serviceMonitor.interval }}
{{- if and (hasSuffix "s" $interval) (lt (trimSuffix "s" $interval | int) 10) }}{{ $interval }}{{ else }}10s{{ end }}
{{- end }}
`;

/** The values of the monitoring objects, interval restricted to whole seconds or minutes (a subset of the CRD's durations). */
export const SCRAPE_INTERVAL_PATTERN = '^[1-9][0-9]*(s|m)$';
