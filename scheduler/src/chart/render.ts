/**
 * Writes the scheduler's Helm chart: cdk8s synthesises the objects (objects.ts), placeholders
 * become Helm expressions, and the certificate logic is a small hand-written Helm layer, because
 * it must run at install time: with cert-manager (auto-detected, or forced) a self-signed Issuer
 * and a Certificate, whose CA cert-manager injects into both webhook configurations; without it
 * Helm generates a CA and a serving certificate once (`genCA`/`genSignedCert`) and `lookup` keeps
 * them across upgrades. The folder is a plain chart the catalogue can package.
 */
import { readFile } from 'node:fs/promises';
import { writeDirAtomic } from '@nmaas/sdk/kit';
import path from 'node:path';
import { App, Yaml } from 'cdk8s';
import { NAME, PORT, SchedulerChart, T, TLS_SECRET, WebhooksChart } from './objects.js';

export interface SchedulerChartOptions {
  /** Default image in values.yaml. */
  image?: { repository: string; tag: string };
  version?: string;
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Replaces a whole YAML scalar (with any quotes the writer added) by a Helm expression. */
function scalar(yaml: string, token: string, expression: string): string {
  return yaml.replace(new RegExp(`["']?${token}["']?`, 'g'), expression);
}

function helmize(yaml: string): string {
  let out = yaml;
  out = out.replace(/^( *)resources: ["']?__NMAAS_RESOURCES__["']?$/m, (_m, indent: string) => `${indent}resources: {{- toYaml .Values.resources | nindent ${indent.length + 2} }}`);
  out = out.replace(/^( *)caBundle: ["']?__NMAAS_CA_BUNDLE__["']?$/gm, (_m, indent: string) => `{{- if not $certManager }}\n${indent}caBundle: {{ $caBundle }}\n{{- end }}`);
  out = out.replace(
    /^( *)["']?__NMAAS_CERT_MANAGER_ANNOTATION__["']?: ["']{2}$/gm,
    (_m, indent: string) => `{{- if $certManager }}\n${indent}cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/${TLS_SECRET}\n{{- end }}`,
  );
  out = scalar(out, T.image, '{{ printf "%s:%s" .Values.image.repository (toString .Values.image.tag) | quote }}');
  out = scalar(out, T.pullPolicy, '{{ .Values.image.pullPolicy | quote }}');
  out = scalar(out, T.replicas, '{{ int .Values.replicas }}');
  out = scalar(out, T.failurePolicy, '{{ .Values.failurePolicy | quote }}');
  out = scalar(out, T.timeout, '{{ int .Values.timeoutSeconds }}');
  out = scalar(out, T.migrations, '{{ int .Values.migrations | toString | quote }}');
  out = out.replace(/__NMAAS_NAMESPACE__/g, '{{ .Release.Namespace }}');
  if (/__NMAAS_/.test(out)) throw new Error(`internal: a chart placeholder was left in the output: ${/__NMAAS_\w+__/.exec(out)?.[0]}`);
  return out;
}

const CERTIFICATES = `{{- /* Certificates: cert-manager when present (or forced), else generated once by Helm and kept by lookup. */ -}}
{{- $mode := .Values.certificates.mode }}
{{- $certManager := or (eq $mode "cert-manager") (and (eq $mode "auto") (.Capabilities.APIVersions.Has "cert-manager.io/v1")) }}
{{- $caBundle := "" }}
{{- $svc := printf "${NAME}.%s.svc" .Release.Namespace }}
{{- if $certManager }}
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: ${NAME}-selfsigned
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: ${NAME}
    app.kubernetes.io/part-of: nmaas
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: ${TLS_SECRET}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: ${NAME}
    app.kubernetes.io/part-of: nmaas
spec:
  secretName: ${TLS_SECRET}
  commonName: {{ $svc }}
  dnsNames:
    - {{ $svc }}
    - {{ printf "${NAME}.%s.svc.cluster.local" .Release.Namespace }}
  duration: 8760h
  renewBefore: 720h
  privateKey:
    algorithm: ECDSA
    size: 256
    rotationPolicy: Always
  issuerRef:
    name: ${NAME}-selfsigned
    kind: Issuer
{{- else }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace "${TLS_SECRET}" }}
{{- $ca := "" }}{{- $crt := "" }}{{- $key := "" }}
{{- if and $existing (hasKey (default dict $existing.data) "ca.crt") }}
{{- $ca = index $existing.data "ca.crt" }}{{- $crt = index $existing.data "tls.crt" }}{{- $key = index $existing.data "tls.key" }}
{{- else }}
{{- $caPair := genCA "${NAME}-ca" 3650 }}
{{- $pair := genSignedCert $svc nil (list $svc (printf "${NAME}.%s.svc.cluster.local" .Release.Namespace)) 3650 $caPair }}
{{- $ca = b64enc $caPair.Cert }}{{- $crt = b64enc $pair.Cert }}{{- $key = b64enc $pair.Key }}
{{- end }}
{{- $caBundle = $ca }}
apiVersion: v1
kind: Secret
metadata:
  name: ${TLS_SECRET}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/name: ${NAME}
    app.kubernetes.io/part-of: nmaas
type: kubernetes.io/tls
data:
  ca.crt: {{ $ca }}
  tls.crt: {{ $crt }}
  tls.key: {{ $key }}
{{- end }}
---
`;

function valuesYaml(image: { repository: string; tag: string }): string {
  return `# Values of the NMaaS scheduler webhook chart.
image:
  repository: ${image.repository}
  tag: "${image.tag}"
  pullPolicy: IfNotPresent

# Two replicas on distinct nodes; one holds the Lease and decides, the other forwards to it.
replicas: 2

# Readapt: how many placed measurement pods a new one may move (evicted through the Eviction API,
# which honours PodDisruptionBudgets). 0 disables migrations.
migrations: 2

# What the API server does with a measurement pod when the webhook cannot be reached.
# Fail (default): the pod is refused, so no measurement ever runs unscheduled and competes with
#   others; installs fail loudly while the scheduler is down. Only pods labelled nmaas.io/app
#   are concerned, and never in kube-system nor in this chart's namespace.
# Ignore: the pod is created unpinned and without a phase (it may compete); the validating
#   webhook, also Ignore then, cannot catch it either.
failurePolicy: Fail

# Seconds the API server waits for the webhook (1-30).
timeoutSeconds: 5

certificates:
  # auto: cert-manager if its API (cert-manager.io/v1) is installed, else generated by Helm.
  # cert-manager | helm: force one.
  mode: auto

resources:
  requests:
    cpu: 50m
    memory: 96Mi
  limits:
    cpu: "1"
    memory: 256Mi
`;
}

const VALUES_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['image', 'replicas', 'migrations', 'failurePolicy', 'timeoutSeconds', 'certificates', 'resources'],
  properties: {
    image: {
      type: 'object',
      additionalProperties: false,
      required: ['repository', 'tag'],
      properties: { repository: { type: 'string', minLength: 1 }, tag: { type: 'string', minLength: 1 }, pullPolicy: { enum: ['IfNotPresent', 'Always', 'Never'] } },
    },
    replicas: { type: 'integer', minimum: 1, maximum: 5 },
    migrations: { type: 'integer', minimum: 0, maximum: 10 },
    failurePolicy: { enum: ['Fail', 'Ignore'] },
    timeoutSeconds: { type: 'integer', minimum: 1, maximum: 30 },
    certificates: { type: 'object', additionalProperties: false, properties: { mode: { enum: ['auto', 'cert-manager', 'helm'] } } },
    resources: { type: 'object' },
  },
};

function chartYaml(version: string): string {
  return `apiVersion: v2
name: ${NAME}
version: ${version}
appVersion: "${version}"
kubeVersion: ">=1.25.0-0"
type: application
description: NMaaS scheduler admission webhook - places measurement pods on nodes and phases so that none compete.
keywords: [nmaas, scheduler, admission-webhook, measurement]
home: https://github.com/nmaas/nmaas
annotations:
  catalog.cattle.io/display-name: NMaaS scheduler
  catalog.cattle.io/namespace: nmaas-system
  catalog.cattle.io/release-name: ${NAME}
  catalog.cattle.io/os: linux
  catalog.cattle.io/kube-version: ">=1.25.0-0"
`;
}

const README = `# NMaaS scheduler

The admission webhook that gives every NMaaS measurement pod (label \`nmaas.io/app\`) a node and a
phase so that no two measurements compete, or refuses it with a reason. Install it once per cluster
(namespace \`nmaas-system\` is conventional):

    helm install nmaas-scheduler ./nmaas-scheduler -n nmaas-system --create-namespace

Objects: a Deployment (2 replicas, leader election on a Lease, PSS restricted), a
PodDisruptionBudget (minAvailable 1), a Service, a MutatingWebhookConfiguration (places pods:
required node affinity on kubernetes.io/hostname, the phase env var, decision annotations) and a
ValidatingWebhookConfiguration (refuses a measurement pod whose final spec contradicts its
booking), least-privilege RBAC (pods and nodes read, pods/eviction create, its own Lease), and a
TLS certificate from cert-manager when installed, else generated by Helm.

Both webhooks match only pods labelled \`nmaas.io/app\` (objectSelector), never in kube-system nor
in the release namespace (namespaceSelector), time out after 5 s and use \`failurePolicy: Fail\`:
while the scheduler is down, measurement pods are refused rather than started unscheduled. Set
\`failurePolicy: Ignore\` to prefer availability over non-competition (see values.yaml).

The image (\`image.repository\`/\`image.tag\`) must have the \`nmaas\` CLI as its entrypoint: the
container runs \`nmaas scheduler serve …\` with the certificate mounted from the Secret.

Node owners: label a node \`nmaas.io/pool=<pool>\` and annotate \`nmaas.io/capacity=cpu=2,memory=4Gi,bandwidth=1Gbps\`;
\`nmaas scheduler nodes\` shows pools, capacity and bookings.
`;

const APP_README = `NMaaS scheduler: the admission webhook that gives each measurement pod a node and a phase so that no
two measurements compete, or refuses it with a reason. Install once per cluster, in its own namespace.
`;

const QUESTIONS = `questions:
  - variable: replicas
    label: Replicas
    description: One holds the Lease and decides, the others forward to it (2 or more for availability).
    type: int
    min: 1
    max: 5
    default: 2
    group: Scheduler
  - variable: migrations
    label: Migrations per placement
    description: How many placed measurement pods a new one may move (evicted, honouring PodDisruptionBudgets); 0 disables.
    type: int
    min: 0
    max: 10
    default: 2
    group: Scheduler
  - variable: failurePolicy
    label: When the scheduler is unreachable
    description: Fail refuses measurement pods (none runs unscheduled); Ignore lets them start unpinned (they may compete).
    type: enum
    options: [Fail, Ignore]
    default: Fail
    group: Webhook
  - variable: timeoutSeconds
    label: Webhook timeout (seconds)
    type: int
    min: 1
    max: 30
    default: 5
    group: Webhook
  - variable: certificates.mode
    label: Certificates
    description: auto uses cert-manager when installed, else Helm generates them.
    type: enum
    options: [auto, cert-manager, helm]
    default: auto
    group: Webhook
`;

const NOTES = `NMaaS scheduler {{ .Chart.AppVersion }} installed in {{ .Release.Namespace }}.
Measurement pods (label nmaas.io/app) outside kube-system and {{ .Release.Namespace }} are now placed by it.
Put nodes in a pool:  kubectl label node <node> nmaas.io/pool=edge
Declare capacity:     kubectl annotate node <node> nmaas.io/capacity=cpu=2,memory=4Gi,bandwidth=1Gbps
Check:                nmaas scheduler nodes
`;

export async function chartFiles(options: SchedulerChartOptions = {}): Promise<Record<string, string>> {
  const version = options.version ?? (await packageVersion());
  const app = new App();
  const scheduler = new SchedulerChart(app, 'scheduler');
  const webhooks = new WebhooksChart(app, 'webhooks');
  const files: Record<string, string> = {
    'Chart.yaml': chartYaml(version),
    'values.yaml': valuesYaml(options.image ?? { repository: 'ghcr.io/nmaas/scheduler', tag: version }),
    'values.schema.json': `${JSON.stringify(VALUES_SCHEMA, null, 2)}\n`,
    'README.md': README,
    'app-readme.md': APP_README,
    'questions.yaml': QUESTIONS,
    'templates/NOTES.txt': NOTES,
    'templates/scheduler.yaml': helmize(Yaml.stringify(...scheduler.toJson())),
    'templates/webhooks.yaml': CERTIFICATES + helmize(Yaml.stringify(...webhooks.toJson())),
  };
  void PORT;
  return files;
}

/** Writes `<outDir>/nmaas-scheduler/` (replacing it whole, through a temp folder and a rename). */
export async function writeSchedulerChart(outDir: string, options: SchedulerChartOptions = {}): Promise<{ chartDir: string; name: string; version: string }> {
  const files = await chartFiles(options);
  const chartDir = path.join(outDir, NAME);
  await writeDirAtomic(chartDir, new Map(Object.entries(files)));
  const version = /^version: (\S+)$/m.exec(files['Chart.yaml']!)![1]!;
  return { chartDir, name: NAME, version };
}
