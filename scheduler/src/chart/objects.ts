/**
 * The scheduler's Kubernetes objects as a cdk8s chart. Values that Helm decides at install time
 * (namespace, image, replicas, failure policy, the CA bundle) are placeholders `__NMAAS_…__`
 * that `render.ts` swaps for template expressions after synthesis.
 *
 * Least privilege: read pods and nodes (list+watch), create pods/eviction (readapt, re-plan) and
 * events (re-plan), and Leases
 * only in the scheduler's own namespace (get/update restricted to its Lease by name; create
 * cannot be restricted by name in RBAC). Nothing else: the webhook needs no Secrets access,
 * because its certificate is mounted.
 */
import { ApiObject, Chart, type ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { APP_LABEL } from '@nmaas/sdk/contract';
import type { TemplateTokens } from '@nmaas/charts-gen';

export const NAME = 'nmaas-scheduler';
export const LEASE_NAME = 'nmaas-scheduler';
export const TLS_SECRET = 'nmaas-scheduler-tls';
/** Optional Secret (key `token`) whose token a POST /replan must present; absent, on-demand re-plans are off. */
export const REPLAN_TOKEN_SECRET = 'nmaas-scheduler-replan-token';
export const PORT = 8443;
/**
 * Where the objects need Helm expressions: TemplateTokens placeholders (from charts-gen, the one
 * placeholder scheme of the catalogue) that render.ts turns into `{{ … }}` after synthesis.
 */
export function chartTokens(tokens: TemplateTokens) {
  return {
    namespace: tokens.inline('{{ .Release.Namespace }}'),
    image: tokens.scalar(`{{ include "${HELPERS.image}" . | quote }}`),
    pullPolicy: tokens.scalar('{{ .Values.image.pullPolicy | quote }}'),
    replicas: tokens.scalar('{{ int .Values.replicas }}'),
    failurePolicy: tokens.scalar('{{ .Values.failurePolicy | quote }}'),
    timeout: tokens.scalar('{{ int .Values.timeoutSeconds }}'),
    /** The same timeout as an argument: the replica keeps its answers inside it. */
    timeoutArg: tokens.scalar('{{ int .Values.timeoutSeconds | toString | quote }}'),
    migrations: tokens.scalar('{{ int .Values.migrations | toString | quote }}'),
    replanInterval: tokens.scalar('{{ int .Values.replan.interval | toString | quote }}'),
    replanMaxMigrations: tokens.scalar('{{ int .Values.replan.maxMigrations | toString | quote }}'),
    replanTimeLimit: tokens.scalar('{{ int .Values.replan.timeLimit | toString | quote }}'),
    replanMaxWait: tokens.scalar('{{ int .Values.replan.maxWait | toString | quote }}'),
    /** The caBundle entry, only without cert-manager (which injects the CA itself). */
    caBundle: () => tokens.block('ternary "" (printf "caBundle: %s" $caBundle) $certManager'),
    certManagerAnnotation: () =>
      tokens.block(
        `ternary (printf "cert-manager.io/inject-ca-from: %s/${TLS_SECRET}" .Release.Namespace) "" $certManager`,
      ),
    resources: () => tokens.block('toYaml .Values.resources'),
    labels: () => tokens.block(`include "${HELPERS.labels}" .`),
    podAnnotations: () => tokens.block(`include "${HELPERS.podAnnotations}" .`),
    podExtras: () => tokens.block(`include "${HELPERS.podExtras}" .`),
    /** minAvailable 1 with two or more replicas; with one, maxUnavailable 1 so node drains go on. */
    disruptionBudget: () => tokens.block(`include "${HELPERS.disruptionBudget}" .`),
  };
}
export type ChartTokens = ReturnType<typeof chartTokens>;

/** Named templates of templates/_helpers.tpl. */
export const HELPERS = {
  registry: `${NAME}.registry`,
  image: `${NAME}.image`,
  labels: `${NAME}.labels`,
  podAnnotations: `${NAME}.podAnnotations`,
  podExtras: `${NAME}.podExtras`,
  disruptionBudget: `${NAME}.disruptionBudget`,
  scrapeTimeout: `${NAME}.scrapeTimeout`,
} as const;

export interface SchedulerChartProps extends ChartProps {
  t: ChartTokens;
}

/** The selector stays the name alone: a Deployment's selector is immutable across upgrades. */
const selector = { 'app.kubernetes.io/name': NAME };

/** Deployment, PDB, Service and RBAC: `templates/scheduler.yaml`. */
export class SchedulerChart extends Chart {
  constructor(scope: Construct, id: string, props: SchedulerChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const T = props.t;
    const namespace = T.namespace;
    const labels = () => ({ [T.labels()]: '' });

    const sa = new kplus.ServiceAccount(this, 'sa', {
      metadata: { name: NAME, namespace, labels: labels() },
      automountToken: true,
    });

    const cluster = new kplus.ClusterRole(this, 'cluster-role', { metadata: { name: NAME, labels: labels() } });
    cluster.allow(['get', 'list', 'watch'], kplus.ApiResource.PODS, kplus.ApiResource.NODES);
    cluster.allow(['create'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'pods/eviction' }));
    // Events on the pods a re-plan moves or could not move.
    cluster.allow(['create'], kplus.ApiResource.custom({ apiGroup: '', resourceType: 'events' }));
    new kplus.ClusterRoleBinding(this, 'cluster-binding', {
      metadata: { name: NAME, labels: labels() },
      role: cluster,
    }).addSubjects(sa);

    // Raw objects here: cdk8s-plus cannot restrict a rule to one resourceName.
    new ApiObject(this, 'role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: NAME, namespace, labels: labels() },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: [LEASE_NAME],
          verbs: ['get', 'update'],
        },
      ],
    });
    new ApiObject(this, 'role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: NAME, namespace, labels: labels() },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAME },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace }],
    });

    const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    new ApiObject(this, 'deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace, labels: labels() },
      spec: {
        replicas: T.replicas,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: labels(), annotations: { [T.podAnnotations()]: '' } },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            [T.podExtras()]: '',
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              fsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            // Replicas on distinct nodes, so one node failure never takes the webhook down.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: selector },
              },
            ],
            containers: [
              {
                name: 'scheduler',
                image: T.image,
                imagePullPolicy: T.pullPolicy,
                args: [
                  'scheduler',
                  'serve',
                  '--cert',
                  '/etc/nmaas-scheduler/tls/tls.crt',
                  '--key',
                  '/etc/nmaas-scheduler/tls/tls.key',
                  '--ca-file',
                  '/etc/nmaas-scheduler/tls/ca.crt',
                  '--port',
                  String(PORT),
                  '--namespace',
                  '$(POD_NAMESPACE)',
                  '--lease-name',
                  LEASE_NAME,
                  '--identity',
                  '$(POD_NAME)',
                  '--advertise-url',
                  `https://$(POD_IP):${PORT}`,
                  '--tls-server-name',
                  `${NAME}.$(POD_NAMESPACE).svc`,
                  '--migrations',
                  T.migrations,
                  '--timeout-seconds',
                  T.timeoutArg,
                  '--replan-interval',
                  T.replanInterval,
                  '--replan-max-migrations',
                  T.replanMaxMigrations,
                  '--replan-time-limit',
                  T.replanTimeLimit,
                  '--replan-max-wait',
                  T.replanMaxWait,
                  '--replan-token-file',
                  '/etc/nmaas-scheduler/replan/token',
                ],
                env: [
                  fieldEnv('POD_NAME', 'metadata.name'),
                  fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                  fieldEnv('POD_IP', 'status.podIP'),
                ],
                ports: [{ name: 'https', containerPort: PORT, protocol: 'TCP' }],
                readinessProbe: {
                  httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' },
                  periodSeconds: 5,
                  failureThreshold: 2,
                },
                livenessProbe: {
                  httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' },
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                resources: { [T.resources()]: '' },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                volumeMounts: [
                  { name: 'tls', mountPath: '/etc/nmaas-scheduler/tls', readOnly: true },
                  { name: 'replan-token', mountPath: '/etc/nmaas-scheduler/replan', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              { name: 'tls', secret: { secretName: TLS_SECRET } },
              // Optional: the pod starts without it, and the kubelet mounts it once an admin creates it.
              { name: 'replan-token', secret: { secretName: REPLAN_TOKEN_SECRET, optional: true } },
              { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
            ],
          },
        },
      },
    });

    new ApiObject(this, 'pdb', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: NAME, namespace, labels: labels() },
      spec: { [T.disruptionBudget()]: '', selector: { matchLabels: selector } },
    });

    // Ingress: only the webhook port (callers are the API server and the peer replica, whose
    // addresses the chart cannot know). Egress: DNS, the API server (443/6443), the peer replica.
    new ApiObject(this, 'network-policy', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: NAME, namespace, labels: labels() },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: PORT }] }],
        egress: [
          {
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
          {
            ports: [
              { protocol: 'TCP', port: 443 },
              { protocol: 'TCP', port: 6443 },
            ],
          },
          { to: [{ podSelector: { matchLabels: selector } }], ports: [{ protocol: 'TCP', port: PORT }] },
        ],
      },
    });

    new ApiObject(this, 'service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace, labels: labels() },
      spec: {
        type: 'ClusterIP',
        selector,
        ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
      },
    });
  }
}

/** The two webhook configurations: `templates/webhooks.yaml`, next to the certificate they trust. */
export class WebhooksChart extends Chart {
  constructor(scope: Construct, id: string, props: SchedulerChartProps) {
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const T = props.t;
    const labels = () => ({ [T.labels()]: '' });
    const common = {
      admissionReviewVersions: ['v1'],
      matchPolicy: 'Equivalent',
      timeoutSeconds: T.timeout,
      // Only measurement pods (the label charts-gen writes) ...
      objectSelector: { matchExpressions: [{ key: APP_LABEL, operator: 'Exists' }] },
      // ... never in kube-system nor in our own namespace (the webhook must not block its own pods).
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', T.namespace] },
        ],
      },
      failurePolicy: T.failurePolicy,
    };
    const client = (path: string) => ({
      service: { name: NAME, namespace: T.namespace, path, port: 443 },
      [T.caBundle()]: '',
    });
    new ApiObject(this, 'mutating', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: NAME, labels: labels(), annotations: { [T.certManagerAnnotation()]: '' } },
      webhooks: [
        {
          name: 'place.scheduler.nmaas.io',
          clientConfig: client('/mutate'),
          rules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' },
          ],
          sideEffects: 'NoneOnDryRun',
          reinvocationPolicy: 'IfNeeded',
          ...common,
        },
      ],
    });
    new ApiObject(this, 'validating', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: NAME, labels: labels(), annotations: { [T.certManagerAnnotation()]: '' } },
      webhooks: [
        {
          name: 'check.scheduler.nmaas.io',
          clientConfig: client('/validate'),
          rules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['pods'],
              scope: 'Namespaced',
            },
          ],
          sideEffects: 'None',
          ...common,
        },
      ],
    });
  }
}
