/**
 * `nmaas scheduler review <chart-dir>`: the AdmissionReview the API server would send the webhook
 * when a chart's measurement pod is created, built from the pod that real `helm template`
 * renders, plus the curl line that posts it to `nmaas scheduler serve --dev`. It lets a developer
 * try the webhook locally with exactly what a cluster would ask.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { runHelm } from '@nmaas/charts-gen';
import { action, InputError, UsageError, writeFileAtomic } from '@nmaas/sdk/kit';
import { DNS1123_LABEL } from '@nmaas/sdk/contract';
import type { Pod } from '../kube/types.js';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

export interface ReviewOptions {
  release: string;
  namespace: string;
  set: string[];
}

interface Workload {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { metadata?: Pod['metadata']; spec?: Pod['spec'] } };
}

/** The pods the chart's workloads would create, as the API server receives them. */
export async function renderedPods(chartDir: string, options: ReviewOptions): Promise<Pod[]> {
  const args = [
    'template',
    options.release,
    chartDir,
    '--namespace',
    options.namespace,
    ...options.set.flatMap((s) => ['--set', s]),
  ];
  const { stdout } = await runHelm(args, { timeoutMs: 120_000 });
  const pods: Pod[] = [];
  for (const doc of parseAllDocuments(stdout)) {
    const o = doc.toJS() as Workload | null;
    const template = o?.spec?.template;
    if (!o || !WORKLOAD_KINDS.includes(o.kind ?? '') || !template) continue;
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      // The controller names pods after the workload; the API server has not assigned a name yet.
      metadata: { ...template.metadata, generateName: `${o.metadata?.name ?? 'pod'}-`, namespace: options.namespace },
      spec: structuredClone(template.spec),
    } as Pod);
  }
  return pods;
}

/** An admission.k8s.io/v1 review of a Pod CREATE, as a ReplicaSet controller's request arrives. */
export function podCreateReview(pod: Pod, namespace: string, uid: string = randomUUID()): Record<string, unknown> {
  const podKind = { group: '', version: 'v1', kind: 'Pod' };
  const podResource = { group: '', version: 'v1', resource: 'pods' };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: podKind,
      resource: podResource,
      requestKind: podKind,
      requestResource: podResource,
      name: '',
      namespace,
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

/** How to post a review to a local `serve --dev` (its throwaway certificate: hence -k). */
export function curlLine(url: string, reviewFile?: string): string {
  const data = reviewFile === undefined ? '@-' : `@${reviewFile}`;
  return `curl -sk -H 'Content-Type: application/json' --data-binary ${data} ${url.replace(/\/$/, '')}/mutate`;
}

const setValue = (value: string, previous: string[]) => {
  if (!/^[^=]+=/.test(value)) throw new InvalidArgumentError('must be key=value, as for helm --set');
  return [...previous, value];
};

/** Kubernetes names: a release (helm) and a namespace are DNS-1123 labels. */
const dnsLabel = (what: string) => (value: string) => {
  if (value.length > 63 || !DNS1123_LABEL.test(value))
    throw new InvalidArgumentError(`a ${what} is lower-case letters, digits and '-' (at most 63), e.g. measurements`);
  return value;
};

const httpsUrl = (value: string) => {
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:')
    throw new InvalidArgumentError('give the https:// address serve --dev prints, e.g. https://127.0.0.1:8443');
  return value;
};

export function registerReviewCommand(scheduler: Command): void {
  scheduler
    .command('review')
    .description(
      "print the AdmissionReview a cluster would send the webhook for a chart's measurement pod, and the curl line for serve --dev",
    )
    .argument('<chart-dir>', 'a chart folder, e.g. chart/my-probe as `npm run chart` writes it')
    .option('--release <name>', 'release name the pod is rendered with', dnsLabel('release name'), 'r1')
    .option('--namespace <ns>', 'namespace of the pod', dnsLabel('namespace'), 'measurements')
    .option('--set <key=value>', 'chart value, as in the Rancher form (repeatable)', setValue, [])
    .option('-o, --output <file>', 'write the review to a file instead of stdout')
    .option('--url <url>', 'where serve --dev listens', httpsUrl, 'https://127.0.0.1:8443')
    .action(
      action(async (chartDir: string, o: ReviewOptions & { output?: string; url: string }) => {
        if (!existsSync(path.join(chartDir, 'Chart.yaml'))) {
          throw new UsageError(
            `${chartDir} is not a chart folder (no Chart.yaml); make the chart first (npm run chart, or nmaas chart <app-dir> -o chart) and pass chart/<app-name>`,
          );
        }
        const pods = await renderedPods(chartDir, o);
        if (pods.length === 0) {
          throw new InputError(`${chartDir} renders no Deployment, StatefulSet, DaemonSet or Job, so no pod to review`);
        }
        const review = `${JSON.stringify(podCreateReview(pods[0]!, o.namespace), null, 2)}\n`;
        if (o.output !== undefined) await writeFileAtomic(o.output, review);
        else process.stdout.write(review);
        const post =
          o.output === undefined
            ? `nmaas scheduler review ${chartDir} | ${curlLine(o.url)}`
            : curlLine(o.url, o.output);
        process.stderr.write(
          `# with \`nmaas scheduler serve --dev\` running in another terminal:\n#   ${post}\n` +
            '# response.allowed true with a patch (base64 JSON Patch: node affinity, NMAAS_PHASE_SECONDS) = placed;\n' +
            '# allowed false with status.message = refused, with the reason.\n',
        );
      }),
    );
}
