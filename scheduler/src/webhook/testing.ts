/**
 * Test and bench support for the webhook (not part of the public API): measurement nodes and pods
 * as the API server would hold them, AdmissionReview bodies, pods rendered by real `helm template`
 * from the example charts (through the `nmaas chart` CLI, so the scheduler package keeps depending
 * on @nmaas/sdk only), and an HTTPS client for the webhook.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { HOSTNAME_LABEL, encodeNodeOffer, encodePodContract, type PodContract } from '@nmaas/sdk/contract';
import type { Node, Pod } from '../kube/types.js';
import { afterAll } from 'vitest';
import { TempDirs } from '@nmaas/sdk/testing';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('wh-charts');
afterAll(() => temp.removeAll());

const run = promisify(execFile);
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A pooled Node object with its capacity annotation (what a node owner writes). */
export function measurementNode(
  name: string,
  pool: string,
  capacity = { cpu: 2000, memory: 4096, bandwidth: 1000 },
): Node {
  const offer = encodeNodeOffer({ pool, capacity });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { ...offer.labels, [HOSTNAME_LABEL]: name }, annotations: offer.annotations },
  };
}

/** A consistent contract: the start window defaults to the period, as nmaas.yaml's startWithin does. */
export function contract(app: string, overrides: Partial<PodContract> = {}): PodContract {
  return {
    app,
    everySeconds: 300,
    durationSeconds: 20,
    startWithinSeconds: overrides.everySeconds ?? 300,
    run: { cpu: 250, memory: 128, bandwidth: 20 },
    idle: { cpu: 10, memory: 48 },
    nodeSelector: {},
    affinity: [],
    antiAffinity: [],
    exclusive: false,
    spreadGroup: null,
    ...overrides,
  };
}

/** A pod as a ReplicaSet would create it from a template carrying `c` (generateName, owner). */
export function contractPod(
  c: PodContract,
  options: { namespace?: string; name?: string; ownerUid?: string } = {},
): Pod {
  const meta = encodePodContract(c);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(options.name !== undefined ? { name: options.name } : { generateName: `${c.app}-` }),
      namespace: options.namespace ?? 'measurements',
      labels: meta.labels,
      annotations: meta.annotations,
      ...(options.ownerUid !== undefined
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${c.app}-rs`,
                uid: options.ownerUid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: c.app, image: `example/${c.app}:1`, env: [{ name: 'X', value: '1' }] }] },
  };
}

let uidCounter = 0;
export function admissionReview(
  pod: unknown,
  options: { dryRun?: boolean; operation?: string; apiVersion?: string; uid?: string; namespace?: string } = {},
): Record<string, unknown> {
  uidCounter += 1;
  const namespace = options.namespace ?? (pod as Pod | null)?.metadata?.namespace ?? 'measurements';
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? `req-${process.pid}-${uidCounter}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: (pod as Pod | null)?.metadata?.name ?? '',
      namespace,
      operation: options.operation ?? 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      oldObject: null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

export interface HttpAnswer {
  status: number;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** POSTs to the webhook over HTTPS, checking its certificate against `ca`. */
export function post(
  url: string,
  body: string | Buffer,
  options: { ca: Buffer; agent?: https.Agent; contentType?: string; path?: string },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(options.path ?? '/mutate', url),
      {
        method: 'POST',
        ca: options.ca,
        agent: options.agent,
        headers: {
          'content-type': options.contentType ?? 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Decodes the JSONPatch of an AdmissionReview response (or [] when none). */
/** GETs `url` over HTTPS trusting `ca`; resolves with the status, content type and body as text. */
export function httpsGet(
  url: string | URL,
  options: { ca: Buffer; agent?: https.Agent; accept?: string },
): Promise<{ status: number; type: string; body: string }> {
  const { ca, agent, accept } = options;
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent, headers: accept ? { accept } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      })
      .on('error', reject);
  });
}

export function patchOf(review: { response?: { patch?: string } }): { op: string; path: string; value?: unknown }[] {
  const p = review.response?.patch;
  return p === undefined
    ? []
    : (JSON.parse(Buffer.from(p, 'base64').toString('utf8')) as { op: string; path: string }[]);
}

/** The example apps that have an nmaas.yaml. */
export function exampleApps(): string[] {
  const dir = path.join(REPO_ROOT, 'examples');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => existsSync(path.join(dir, d, 'nmaas.yaml')))
    .sort()
    .map((d) => path.join(dir, d));
}

/**
 * Pods the way the cluster would create them from the example charts: `nmaas chart` (charts-gen,
 * through the built CLI) then real `helm template`, then each workload's pod template becomes a Pod.
 */
export async function renderExamplePods(
  helm: string,
  namespace = 'measurements',
): Promise<{ app: string; pod: Pod }[]> {
  const out = await temp.make();
  const cli = path.join(REPO_ROOT, 'cli', 'dist', 'main.js');
  const pods: { app: string; pod: Pod }[] = [];
  for (const appDir of exampleApps()) {
    const { stdout } = await run(process.execPath, [cli, 'chart', appDir, '-o', out], { timeout: 120_000 });
    const chartDir = /to (\S+)\s*$/m.exec(stdout)?.[1] ?? path.join(out, path.basename(appDir));
    const rendered = await run(helm, ['template', 'r1', chartDir, '--namespace', namespace], {
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const doc of parseAllDocuments(rendered.stdout)) {
      const o = doc.toJS() as {
        kind?: string;
        metadata?: { name?: string };
        spec?: { template?: { metadata?: Pod['metadata']; spec?: Pod['spec'] } };
      } | null;
      if (!o || !['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind ?? '')) continue;
      const template = o.spec?.template;
      if (!template) continue;
      pods.push({
        app: path.basename(appDir),
        pod: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { ...template.metadata, generateName: `${o.metadata?.name ?? 'pod'}-`, namespace },
          spec: structuredClone(template.spec),
        },
      });
    }
  }
  return pods;
}

/** A `nmaas scheduler serve --dev` child process, once it serves. */
export interface DevServe {
  url: string;
  /** The CA file it generated (in a temp folder it removes when it stops). */
  ca: string;
  /** Sends SIGTERM and resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `nmaas scheduler serve --dev --port 0 …args` from the built CLI and waits for its
 * "serving" log line (JSON on stderr), which carries the URL and the CA file.
 */
export async function startDevServe(args: string[] = []): Promise<DevServe> {
  const cli = path.join(REPO_ROOT, 'cli', 'dist', 'main.js');
  const child = spawn(process.execPath, [cli, 'scheduler', 'serve', '--dev', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  try {
    const { url, ca } = await new Promise<{ url: string; ca: string }>((resolve, reject) => {
      let ca = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        for (const line of stderr.split('\n')) {
          if (!line.startsWith('{')) continue;
          const entry = JSON.parse(line) as { message: string; url?: string; ca?: string };
          if (entry.ca) ca = entry.ca;
          if (entry.message.startsWith('serving') && entry.url) resolve({ url: entry.url, ca });
        }
      });
      void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    return {
      url,
      ca,
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}
