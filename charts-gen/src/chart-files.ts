/** The chart's non-template files: Chart.yaml, README.md, app-readme.md, questions.yaml, NOTES.txt. */
import { formatCpu, formatMemory, normalizeManifest, type AppManifest } from '@nmaas/sdk/model';
import { RANCHER_CATEGORY_OF } from './rancher-dashboard.js';
import { toYaml } from './templates.js';
import { escapeTemplateDelimiters } from './tokens.js';
import { questionEntries, type JsonValue, type ValueSpec } from './values-model.js';
import { helperNames } from './helpers-tpl.js';
import { METRICS_PORT } from './objects.js';
import { appAlert, standardAlerts } from './alerts.js';

/** How the README shows the release scope the chart adds to every alert selector. */
const RELEASE_SCOPE = 'namespace="<release namespace>", service="<release fullname>"';
import { CHART_ANNOTATIONS } from '@nmaas/sdk/contract';

/** Oldest Kubernetes the templates target (PSS restricted, seccompProfile, kubernetes.io/metadata.name). */
export const KUBE_VERSION = '>= 1.25.0-0';
export const RANCHER_VERSION = '>= 2.7.0-0';

/** No digest, or one of zeros: the app's image is not published (pinned) yet. */
export function imageUnpublished(manifest: AppManifest): boolean {
  return manifest.image.digest === undefined || /^sha256:0{64}$/.test(manifest.image.digest);
}

/** Artifact Hub's category for each NMaaS category. */
const ARTIFACT_HUB_CATEGORY: Record<AppManifest['category'], string> = {
  qos: 'monitoring-logging',
  security: 'security',
  cartography: 'networking',
  other: 'monitoring-logging',
};

/**
 * Chart.yaml. `chartVersion` is the chart's own version, which moves when the generator changes;
 * `appVersion` stays the app's version from nmaas.yaml (they are equal unless a chart version is given).
 */
export function chartYaml(manifest: AppManifest, icon: string | undefined, chartVersion = manifest.version): string {
  const n = normalizeManifest(manifest);
  const image = `${manifest.image.repository}:${manifest.image.tag}${manifest.image.digest ? `@${manifest.image.digest}` : ''}`;
  const chart: Record<string, unknown> = {
    apiVersion: 'v2',
    name: manifest.name,
    version: chartVersion,
    appVersion: manifest.version,
    kubeVersion: KUBE_VERSION,
    type: 'application',
    description: manifest.description,
  };
  // chart-testing's Chart.yaml schema requires a home; the source repository stands in for one.
  const home = manifest.home ?? manifest.sources[0];
  if (home !== undefined) chart.home = home;
  if (manifest.sources.length > 0) chart.sources = manifest.sources;
  // Rancher's dashboard files an app under a category only by a keyword it knows (rancher-dashboard.ts).
  const rancherCategory = RANCHER_CATEGORY_OF[manifest.category];
  const fixed = ['nmaas', 'measurement', manifest.category, rancherCategory];
  chart.keywords = [
    ...fixed,
    ...manifest.keywords.filter((k) => !fixed.some((f) => f.toLowerCase() === k.toLowerCase())),
  ];
  chart.maintainers = manifest.maintainers.map((m) => ({ ...m }));
  if (icon !== undefined) chart.icon = icon;
  // Annotation values must be strings (helm's Metadata.Annotations is map[string]string).
  chart.annotations = {
    'catalog.cattle.io/display-name': manifest.displayName,
    'catalog.cattle.io/kube-version': KUBE_VERSION,
    'catalog.cattle.io/rancher-version': RANCHER_VERSION,
    // The dashboard filters charts on permits-os (catalog.cattle.io/os is the older key; both say linux).
    'catalog.cattle.io/permits-os': 'linux',
    'catalog.cattle.io/os': 'linux',
    'catalog.cattle.io/requests-cpu': formatCpu(n.idle.cpu),
    'catalog.cattle.io/requests-memory': formatMemory(n.idle.memory),
    ...(imageUnpublished(manifest) ? { 'catalog.cattle.io/experimental': 'true' } : {}),
    'artifacthub.io/category': ARTIFACT_HUB_CATEGORY[manifest.category],
    'artifacthub.io/license': manifest.license,
    'artifacthub.io/images': toYaml([{ name: manifest.name, image }]),
    ...(imageUnpublished(manifest) ? { 'artifacthub.io/prerelease': 'true' } : {}),
    [CHART_ANNOTATIONS.category]: manifest.category,
    [CHART_ANNOTATIONS.license]: manifest.license,
  };
  return toYaml(chart);
}

export function questionsYaml(specs: ValueSpec[]): string {
  return `# Rancher install form; every variable is a key of values.yaml with the same default.\n${toYaml({ questions: questionEntries(specs) })}`;
}

export function appReadme(manifest: AppManifest): string {
  const lines = [`# ${manifest.displayName}`, '', manifest.description, ''];
  lines.push(
    `NMaaS schedules this measurement every ${manifest.schedule.every} for ${manifest.schedule.duration}, in a time slot where no other measurement competes for the node. ` +
      'Choose the targets, the schedule, the resources, the node pool and the monitoring integration in the form.',
    '',
  );
  return `${lines.join('\n')}`;
}

function cell(value: JsonValue | string): string {
  const text = typeof value === 'string' ? (value === '' ? '`""`' : `\`${value}\``) : `\`${JSON.stringify(value)}\``;
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function readme(manifest: AppManifest, specs: ValueSpec[]): string {
  const n = normalizeManifest(manifest);
  const out: string[] = [];
  out.push(`# ${manifest.displayName}`, '', manifest.description, '');
  out.push("This chart was generated by `nmaas chart` from the app's `nmaas.yaml` (kept at the chart root).", '');
  out.push(
    '## Install',
    '',
    '```sh',
    `helm install my-${manifest.name} <repo>/${manifest.name} --namespace measurements --create-namespace`,
    '```',
    '',
  );
  out.push(
    'In Rancher: Apps → Charts, pick the app and fill the form (groups Targets, Schedule, Resources, Placement, Monitoring).',
    '',
  );
  out.push(
    '`values.schema.json` checks every value at install. With `helm --set`, decimal numbers and lists need `--set-json` (e.g. `--set-json parameters.ratio=0.5`), since `--set` passes them as text.',
    '',
  );
  out.push('## What it runs', '');
  out.push(
    `- A Deployment running the NMaaS SDK runtime (image \`${manifest.image.repository}:${manifest.image.tag}${manifest.image.digest ? `@${manifest.image.digest}` : ''}\`), metrics on port ${METRICS_PORT} (\`/metrics\`, \`/healthz\`, \`/readyz\`, \`/results\`).`,
    `- Scheduling contract on the pods (\`nmaas.io/*\` annotations): the NMaaS scheduler gives each pod a node and a time phase. Declared: every ${manifest.schedule.every}, duration ${manifest.schedule.duration}, run ${formatCpu(n.run.cpu)} CPU / ${formatMemory(n.run.memory)} / ${n.run.bandwidth} Mbps, idle ${formatCpu(n.idle.cpu)} CPU / ${formatMemory(n.idle.memory)}.`,
    '- Containers: requests = idle footprint, limits = run footprint.',
    '- Pod Security Standards *restricted*: non-root (65532), no privilege escalation, seccomp RuntimeDefault, all capabilities dropped, read-only root filesystem with an `emptyDir` on `/tmp`, no service-account token.',
  );
  if (manifest.capabilities.length > 0) {
    out.push(
      `- Added capabilities (outside the restricted profile; the namespace needs the *baseline* or *privileged* level):`,
    );
    for (const c of manifest.capabilities) out.push(`  - \`${c.name}\`: ${c.justification}`);
  }
  if (manifest.placement.spread) out.push('- One instance per node (spread): `replicaCount` is the number of nodes.');
  out.push(
    '- A ConfigMap with `/etc/nmaas/config.json` (parameters and schedule from the values), a Service, a NetworkPolicy, and, when prometheus-operator is installed, a ServiceMonitor, a PrometheusRule (if the app declares alerts) and a Grafana dashboard ConfigMap.',
    '',
  );
  out.push('## Values', '', '| key | type | default | description |', '| --- | --- | --- | --- |');
  for (const spec of specs) {
    const type = typeof spec.schema.type === 'string' ? spec.schema.type : 'object';
    out.push(
      `| \`${spec.path.join('.')}\` | ${type} | ${cell(spec.default)} | ${spec.description.replace(/\|/g, '\\|')} |`,
    );
  }
  out.push('');
  if (manifest.metrics.length > 0) {
    out.push('## Metrics', '', '| name | type | labels | help |', '| --- | --- | --- | --- |');
    for (const m of manifest.metrics)
      out.push(`| \`${m.name}\` | ${m.type} | ${m.labels.join(', ')} | ${m.help.replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  out.push('## Alerts', '');
  out.push(
    "The PrometheusRule holds the standard alerts on the SDK runtime's metrics and the app's own, each scoped to its release (namespace and service) and carrying `severity`, `summary`, `description` and a `runbook_url` pointing at the section below (`prometheusRule.runbookBaseUrl`).",
    '',
  );
  for (const a of [
    ...standardAlerts(manifest, RELEASE_SCOPE),
    ...manifest.alerts.map((alert) => appAlert(manifest, alert, RELEASE_SCOPE)),
  ]) {
    out.push(
      `### ${a.alert}`,
      '',
      `Severity \`${a.severity}\`, after ${a.for}. ${a.description}`,
      '',
      '```promql',
      a.expr,
      '```',
      '',
    );
  }
  out.push(
    '## Monitoring with kube-prometheus-stack',
    '',
    "kube-prometheus-stack only selects objects labelled with its release: set `serviceMonitor.additionalLabels.release` (and `prometheusRule.additionalLabels.release`) to its release name. The dashboard ConfigMap goes to the release namespace; Rancher Monitoring's Grafana reads dashboards from `cattle-dashboards`: set `dashboard.namespace=cattle-dashboards` when you may create ConfigMaps there.",
    '',
  );
  out.push(
    '## Private registries and Rancher',
    '',
    'Rancher and Fleet inject `global.cattle.*` and `global.systemDefaultRegistry`, which the chart accepts. The image is pulled from `image.registry` if set, else from `global.cattle.systemDefaultRegistry` or `global.systemDefaultRegistry`, else from the registry in `image.repository`; the digest pins the reviewed image in every case. Credentials go in `imagePullSecrets` (Secret names in the release namespace).',
    '',
  );
  out.push('## Maintainers', '');
  for (const m of manifest.maintainers)
    out.push(`- ${m.name}${m.email ? ` <${m.email}>` : ''}${m.url ? ` (${m.url})` : ''}`);
  out.push('', `License: ${manifest.license}`, '');
  return out.join('\n');
}

export function notesTxt(manifest: AppManifest): string {
  const h = helperNames(manifest.name);
  const name = escapeTemplateDelimiters(manifest.displayName);
  return `${name} is installed as release {{ .Release.Name }} in namespace {{ .Release.Namespace }}.

It runs every {{ .Values.schedule.every }} for at most {{ .Values.schedule.duration }} with {{ .Values.replicaCount }} instance(s){{ with .Values.placement.pool }} in node pool {{ . }}{{ end }}.
The NMaaS scheduler gives each pod a node and a time phase; pods stay Pending until it has placed them.

Metrics and the latest results:
  kubectl --namespace {{ .Release.Namespace }} port-forward service/{{ include "${h.fullname}" . }} ${METRICS_PORT}:${METRICS_PORT}
  curl http://127.0.0.1:${METRICS_PORT}/metrics
  curl http://127.0.0.1:${METRICS_PORT}/results
{{- if not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") }}

prometheus-operator is not installed: no ServiceMonitor, PrometheusRule or Grafana dashboard was created.
{{- end }}
`;
}
