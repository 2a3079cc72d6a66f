/**
 * The chart's Kubernetes objects, synthesised with cdk8s (cdk8s-plus-27 for the ServiceAccount,
 * ConfigMaps and Deployment; plain ApiObjects where plus has no fitting construct). Every field a
 * user may change, and every release-scoped name or label, holds a placeholder from
 * `TemplateTokens` that the Helm post-pass turns into `{{ … }}`.
 *
 * The scheduling contract on the pod template comes only from the sdk contract module:
 * `contractFromManifest` + `encodePodContract`. The numbers users may change (period, deadline,
 * resources) enter the contract as numeric placeholders, so the annotation keys and formats are
 * the sdk's and the values follow values.yaml.
 */
import path from 'node:path';
import { ApiObject, App, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CONFIG_ENV, DEFAULT_CONFIG_PATH, DEFAULT_METRICS_PORT, PORT_ENV } from '@nmaas/sdk/runtime';
import { NODE_POOL_LABEL, contractFromManifest, encodePodContract, type PodContract } from '@nmaas/sdk/contract';
import type { AppManifest } from '@nmaas/sdk/model';
import { type TemplateTokens } from './tokens.js';
import { helperNames, type HelperNames } from './helpers-tpl.js';
import { appAlert, runbookAnchor, standardAlerts, type AlertRule } from './alerts.js';

/** The runtime conventions come from the sdk, which reads them: port, config path, env names. */
export const METRICS_PORT = DEFAULT_METRICS_PORT;
export const CONFIG_DIR = path.posix.dirname(DEFAULT_CONFIG_PATH);
export const CONFIG_FILE = path.posix.basename(DEFAULT_CONFIG_PATH);
export const RUN_AS = 65532;
export const DASHBOARD_FILE = 'files/dashboard.json';
/** Marker strings in files/dashboard.json that the ConfigMap template replaces per release. */
export const DASHBOARD_UID_MARKER = '@@NMAAS_DASHBOARD_UID@@';
export const DASHBOARD_INSTANCE_MARKER = '@@NMAAS_INSTANCE@@';

export interface TemplateObject {
  /** File under templates/. */
  file: string;
  /** Helm condition wrapping the whole file, if any. */
  condition?: string;
  /** Template lines put before the object (e.g. the checks include). */
  prelude?: string;
  object: Record<string, unknown>;
}

export function synthesizeObjects(manifest: AppManifest, tokens: TemplateTokens): TemplateObject[] {
  const h = helperNames(manifest.name);
  const app = new App();
  const chart = new Chart(app, 'nmaas', { disableResourceNameHashes: true });
  const fullname = tokens.scalar(`{{ include "${h.fullname}" . }}`);
  const labels = () => ({ [tokens.block(`include "${h.labels}" .`)]: '' });
  const selectorLabels = () => ({ [tokens.block(`include "${h.selectorLabels}" .`)]: '' });
  const configName = tokens.scalar(`{{ include "${h.suffixed}" (list . "config") }}`);

  const serviceAccount = new kplus.ServiceAccount(chart, 'service-account', {
    metadata: { name: fullname, labels: labels() },
    automountToken: false,
  });

  const config = new kplus.ConfigMap(chart, 'config', {
    metadata: { name: configName, labels: labels() },
    data: { [CONFIG_FILE]: tokens.scalar(`{{ include "${h.config}" . | quote }}`) },
  });

  const deployment = buildDeployment(chart, manifest, tokens, h, {
    fullname,
    labels,
    selectorLabels,
    serviceAccount,
    config,
  });

  const service = new ApiObject(chart, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: fullname, labels: labels() },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(),
      ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }],
    },
  });

  const networkPolicy = new ApiObject(chart, 'network-policy', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: fullname, labels: labels() },
    spec: {
      podSelector: { matchLabels: selectorLabels() },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: {
                  'kubernetes.io/metadata.name': tokens.scalar(
                    '{{ .Values.networkPolicy.monitoringNamespace | quote }}',
                  ),
                },
              },
            },
          ],
          ports: [{ port: METRICS_PORT, protocol: 'TCP' }],
        },
      ],
      egress: { [tokens.block(`include "${h.egress}" .`)]: '' },
    },
  });

  const serviceMonitor = new ApiObject(chart, 'service-monitor', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: fullname,
      labels: { [tokens.block(`include "${h.labelsWith}" (list . .Values.serviceMonitor.additionalLabels)`)]: '' },
    },
    spec: {
      selector: { matchLabels: selectorLabels() },
      namespaceSelector: { matchNames: [tokens.scalar('{{ .Release.Namespace | quote }}')] },
      endpoints: [
        {
          port: 'metrics',
          path: '/metrics',
          scheme: 'http',
          interval: tokens.scalar('{{ .Values.serviceMonitor.interval | quote }}'),
          // Never longer than the interval: prometheus-operator rejects such an endpoint.
          scrapeTimeout: tokens.scalar(`{{ include "${h.scrapeTimeout}" . | quote }}`),
        },
      ],
    },
  });

  const objects: TemplateObject[] = [
    { file: 'serviceaccount.yaml', object: ApiObject.of(serviceAccount).toJson() },
    { file: 'configmap.yaml', object: ApiObject.of(config).toJson() },
    {
      file: 'deployment.yaml',
      prelude: `{{- include "${h.checks}" . }}`,
      object: withPodExtras(deployment.toJson(), tokens, h),
    },
    { file: 'service.yaml', object: service.toJson() },
    { file: 'networkpolicy.yaml', condition: '.Values.networkPolicy.enabled', object: networkPolicy.toJson() },
    {
      file: 'servicemonitor.yaml',
      condition:
        'and .Values.serviceMonitor.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")',
      object: serviceMonitor.toJson(),
    },
  ];

  const scope = `namespace="${tokens.inline('{{ .Release.Namespace }}')}", service="${tokens.inline(`{{ include "${h.fullname}" . }}`)}"`;
  const toRule = (alert: AlertRule) => ({
    alert: alert.alert,
    expr: alert.expr,
    for: alert.for,
    labels: { severity: alert.severity, nmaas_app: manifest.name },
    annotations: {
      summary: alert.summary,
      description: alert.description,
      [tokens.block(`include "${h.runbook}" (list . ${JSON.stringify(runbookAnchor(alert.alert))})`)]: '',
    },
  });
  const rule = new ApiObject(chart, 'prometheus-rule', {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: fullname,
      labels: { [tokens.block(`include "${h.labelsWith}" (list . .Values.prometheusRule.additionalLabels)`)]: '' },
    },
    spec: {
      groups: [
        { name: `${manifest.name}.runs`, rules: standardAlerts(manifest, scope).map(toRule) },
        ...(manifest.alerts.length > 0
          ? [{ name: manifest.name, rules: manifest.alerts.map((a) => toRule(appAlert(manifest, a, scope))) }]
          : []),
      ],
    },
  });
  objects.push({
    file: 'prometheusrule.yaml',
    condition:
      'and .Values.prometheusRule.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/PrometheusRule")',
    object: rule.toJson(),
  });

  const dashboard = new kplus.ConfigMap(chart, 'dashboard', {
    metadata: {
      name: tokens.scalar(`{{ include "${h.dashboardName}" . }}`),
      namespace: tokens.scalar(`{{ include "${h.dashboardNamespace}" . | quote }}`),
      labels: {
        [tokens.block(
          `include "${h.labelsWith}" (list . (mergeOverwrite (dict "grafana_dashboard" "1") (.Values.dashboard.additionalLabels | default dict)))`,
        )]: '',
      },
      annotations: { grafana_folder: 'NMaaS' },
    },
    data: {
      [`${tokens.inline(`{{ include "${h.dashboardFile}" . }}`)}.json`]: tokens.scalar(
        `{{ .Files.Get "${DASHBOARD_FILE}" | replace "${DASHBOARD_UID_MARKER}" (printf "%s/%s" .Release.Namespace (include "${h.fullname}" .) | sha256sum | trunc 40) | replace "${DASHBOARD_INSTANCE_MARKER}" (printf "%s/%s" .Release.Namespace .Release.Name) | toJson }}`,
      ),
    },
  });
  // A dashboard is only useful where a monitoring stack runs; the operator's CRDs are the sign of one.
  objects.push({
    file: 'dashboard-configmap.yaml',
    condition: 'and .Values.dashboard.enabled (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")',
    object: ApiObject.of(dashboard).toJson(),
  });
  return objects;
}

/**
 * imagePullSecrets, tolerations and priorityClassName: whole pod-spec fields, present only when
 * set. Added to the serialised object, since cdk8s-plus drops pod-spec keys it does not model.
 */
function withPodExtras(
  deployment: Record<string, unknown>,
  tokens: TemplateTokens,
  h: HelperNames,
): Record<string, unknown> {
  const template = (deployment.spec as { template: { spec: Record<string, unknown> } }).template;
  template.spec[tokens.block(`include "${h.podExtras}" .`)] = '';
  return deployment;
}

interface Parts {
  fullname: string;
  labels: () => Record<string, string>;
  selectorLabels: () => Record<string, string>;
  serviceAccount: kplus.ServiceAccount;
  config: kplus.ConfigMap;
}

/** The contract with the user-changeable numbers as placeholders, encoded by the sdk. */
export function templatedContract(
  manifest: AppManifest,
  tokens: TemplateTokens,
  h: HelperNames,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const seconds = (path: string) =>
    tokens.number(`{{ include "${h.seconds}" .Values.schedule.${path} | float64 | int }}`);
  const int = (path: string) => tokens.number(`{{ int .Values.resources.${path} }}`);
  const base = contractFromManifest(manifest, { spreadGroup: tokens.inline(`{{ include "${h.fullname}" . }}`) });
  const contract: PodContract = {
    ...base,
    everySeconds: seconds('every'),
    durationSeconds: seconds('duration'),
    // An empty startWithin means "any time in the period", i.e. the period itself.
    startWithinSeconds: tokens.number(
      `{{ include "${h.seconds}" (.Values.schedule.startWithin | default .Values.schedule.every) | float64 | int }}`,
    ),
    run: { cpu: int('run.cpuMillicores'), memory: int('run.memoryMiB'), bandwidth: int('run.bandwidthMbps') },
    idle: { cpu: int('idle.cpuMillicores'), memory: int('idle.memoryMiB') },
  };
  // The pool is the one placement value users choose. Encode the contract with and without a pool
  // and let the template pick, so the nodeSelector annotation is still the sdk's own encoding.
  const { [NODE_POOL_LABEL]: _pool, ...fixed } = manifest.placement.nodeSelector;
  const withPool = encodePodContract({
    ...contract,
    nodeSelector: { ...fixed, [NODE_POOL_LABEL]: tokens.inline('{{ .Values.placement.pool }}') },
  });
  const withoutPool = encodePodContract({ ...contract, nodeSelector: fixed });
  const annotations: Record<string, string> = {};
  for (const key of Object.keys(withPool.annotations)) {
    const a = withPool.annotations[key]!;
    const b = withoutPool.annotations[key];
    annotations[key] =
      a === b ? a : tokens.scalar(`"{{ if .Values.placement.pool }}${a}{{ else }}${b ?? ''}{{ end }}"`);
  }
  return { labels: withPool.labels, annotations };
}

/**
 * Whether the app's container must allow privilege escalation: only when nmaas.yaml declares
 * capabilities. The app runs as non-root user 65532 and Kubernetes sets no ambient capabilities,
 * so a declared capability (e.g. NET_RAW) reaches the measurement program only as a file
 * capability on its binary (`setcap cap_net_raw+ep`). allowPrivilegeEscalation: false sets
 * no_new_privs, under which execve ignores file capabilities, so the program would get EPERM.
 * Escalation stays bounded: the bounding set is still drop ALL + the declared capabilities,
 * runAsNonRoot, seccomp RuntimeDefault and a read-only root filesystem; the validator accepts
 * this only on the app's own container with declared, justified capabilities
 * (NMAAS-PSS-PRIVILEGE-ESCALATION). Apps without capabilities keep it false.
 */
export function needsFileCapabilities(manifest: AppManifest): boolean {
  return manifest.capabilities.length > 0;
}

function buildDeployment(
  chart: Chart,
  manifest: AppManifest,
  tokens: TemplateTokens,
  h: HelperNames,
  parts: Parts,
): ApiObject {
  const contract = templatedContract(manifest, tokens, h);
  const deployment = new kplus.Deployment(chart, 'deployment', {
    metadata: { name: parts.fullname, labels: parts.labels() },
    replicas: 1,
    select: false,
    // Recreate: an old and a new pod measuring at once on one node would disturb each other.
    strategy: kplus.DeploymentStrategy.recreate(),
    serviceAccount: parts.serviceAccount,
    automountServiceAccountToken: false,
    podMetadata: {
      labels: { ...parts.selectorLabels(), ...contract.labels, [tokens.block(`include "${h.podLabels}" .`)]: '' },
      annotations: {
        ...contract.annotations,
        'checksum/config': tokens.scalar(`{{ include "${h.config}" . | sha256sum | quote }}`),
        [tokens.block(`include "${h.podAnnotations}" .`)]: '',
      },
    },
    securityContext: { ensureNonRoot: true, user: RUN_AS, group: RUN_AS, fsGroup: RUN_AS },
    containers: [
      {
        name: manifest.name,
        image: 'placeholder',
        ports: [{ number: METRICS_PORT, name: 'metrics', protocol: kplus.Protocol.TCP }],
        securityContext: {
          ensureNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: needsFileCapabilities(manifest),
          privileged: false,
          user: RUN_AS,
          group: RUN_AS,
        },
        // requests = the idle footprint, limits = one run's; numeric placeholders become the values.
        resources: {
          cpu: {
            request: kplus.Cpu.millis(tokens.number('{{ int .Values.resources.idle.cpuMillicores }}')),
            limit: kplus.Cpu.millis(tokens.number('{{ int .Values.resources.run.cpuMillicores }}')),
          },
          memory: {
            request: Size.mebibytes(tokens.number('{{ int .Values.resources.idle.memoryMiB }}')),
            limit: Size.mebibytes(tokens.number('{{ int .Values.resources.run.memoryMiB }}')),
          },
        },
        liveness: kplus.Probe.fromHttpGet('/healthz', { port: METRICS_PORT }),
        readiness: kplus.Probe.fromHttpGet('/readyz', { port: METRICS_PORT }),
        envVariables: {
          NMAAS_NODE_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME),
          NMAAS_POD_NAME: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
          NMAAS_NAMESPACE: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE),
          [CONFIG_ENV]: kplus.EnvValue.fromValue(DEFAULT_CONFIG_PATH),
          [PORT_ENV]: kplus.EnvValue.fromValue(String(METRICS_PORT)),
        },
      },
    ],
  });
  const container = deployment.containers[0]!;
  container.mount(
    CONFIG_DIR,
    kplus.Volume.fromConfigMap(chart, 'config-volume', parts.config, {
      name: 'config',
      items: { [CONFIG_FILE]: { path: CONFIG_FILE } },
    }),
    { readOnly: true },
  );
  container.mount('/tmp', kplus.Volume.fromEmptyDir(chart, 'tmp-volume', 'tmp', { sizeLimit: Size.mebibytes(64) }));

  const api = ApiObject.of(deployment);
  const pod = '/spec/template/spec';
  const c0 = `${pod}/containers/0`;
  api.addJsonPatch(
    JsonPatch.replace('/spec/replicas', tokens.scalar('{{ int .Values.replicaCount }}')),
    JsonPatch.add('/spec/selector', { matchLabels: parts.selectorLabels() }),
    // cdk8s-plus labels pods with its construct address; selectors must stay stable across upgrades.
    JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'),
    JsonPatch.add(`${pod}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
    JsonPatch.add(`${pod}/enableServiceLinks`, false),
    JsonPatch.add(`${pod}/nodeSelector`, { [tokens.block(`include "${h.nodeSelector}" .`)]: '' }),
    JsonPatch.replace(`${c0}/image`, tokens.scalar(`{{ include "${h.image}" . | quote }}`)),
    JsonPatch.replace(`${c0}/imagePullPolicy`, tokens.scalar('{{ .Values.image.pullPolicy | quote }}')),
    JsonPatch.add(`${c0}/securityContext/capabilities`, {
      drop: ['ALL'],
      ...(manifest.capabilities.length > 0 ? { add: manifest.capabilities.map((cap) => cap.name).sort() } : {}),
    }),
    JsonPatch.add(`${c0}/securityContext/seccompProfile`, { type: 'RuntimeDefault' }),
  );
  if (manifest.placement.spread) {
    // One instance per node, also under the default scheduler; the NMaaS webhook uses the spread-group annotation.
    api.addJsonPatch(
      JsonPatch.add(`${pod}/affinity`, {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: parts.selectorLabels() } },
          ],
        },
      }),
    );
  }
  return api;
}
