/**
 * `nmaas scheduler serve`, `nmaas scheduler nodes` and `nmaas scheduler chart`: the webhook's CLI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { homedir, hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { APP_LABEL, NODE_POOL_LABEL, type NodeOffer } from '@nmaas/sdk/contract';
import { action, formatOption, UsageError } from '@nmaas/sdk/kit';
import { IMAGE_REPOSITORY, IMAGE_TAG } from '@nmaas/sdk/model';
import { readNodes } from '../engine/index.js';
import { schedulerGroup } from '../cli/command-group.js';
import type { NodeSpec } from '../engine/index.js';
import { writeSchedulerChart } from '../chart/render.js';
import { connectKubeApi, defaultConnection } from '../kube/connect.js';
import { generateCertificates } from './certificates.js';
import { formatNodesReport, nodesReport, type NodesReport } from './nodes-report.js';
import { registerReviewCommand } from './review-command.js';
import { startClusterReplica, startDevReplica } from './runtime.js';
import { SchedulerState } from './state.js';
import { DEFAULT_TIMEOUT_SECONDS, timeLimitsFor } from './time-limits.js';

/** Nodes `serve --dev` uses when no --nodes file is given: two pools, as in the examples. */
export const DEFAULT_DEV_NODES: NodeSpec[] = [
  ...[1, 2, 3, 4].map((i) => ({
    name: `edge-${i}`,
    labels: { [NODE_POOL_LABEL]: 'edge' },
    capacity: { cpu: 2000, memory: 4096, bandwidth: 1000 },
  })),
  ...[1, 2].map((i) => ({
    name: `core-${i}`,
    labels: { [NODE_POOL_LABEL]: 'core' },
    capacity: { cpu: 8000, memory: 16384, bandwidth: 10000 },
  })),
];

export function offerOf(spec: NodeSpec): NodeOffer {
  return {
    name: spec.name,
    pool: spec.labels[NODE_POOL_LABEL] ?? 'default',
    labels: { ...spec.labels, [NODE_POOL_LABEL]: spec.labels[NODE_POOL_LABEL] ?? 'default' },
    capacity: spec.capacity,
  };
}

const port = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('must be a TCP port (0-65535)');
  return Number(v);
};
const count = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) > 100) throw new InvalidArgumentError('must be a whole number from 0 to 100');
  return Number(v);
};
/** Whole seconds from 0 to a day (a re-plan interval, time limit or wait bound). */
const secondsUpToADay = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) > 86_400) throw new InvalidArgumentError('must be whole seconds from 0 to 86400');
  return Number(v);
};
/** A webhook's timeoutSeconds: Kubernetes allows whole seconds from 1 to 30. */
const webhookTimeout = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 30)
    throw new InvalidArgumentError("must be whole seconds from 1 to 30 (the webhook configuration's timeoutSeconds)");
  return Number(v);
};
const log = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', component: 'nmaas-scheduler', message, ...fields })}\n`,
  );

function namespaceDefault(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return 'nmaas-system';
  }
}

interface ServeOptions {
  dev?: boolean;
  nodes?: string;
  cert?: string;
  key?: string;
  caFile?: string;
  port: number;
  host?: string;
  migrations: number;
  timeoutSeconds: number;
  namespace: string;
  leaseName: string;
  identity: string;
  advertiseUrl?: string;
  tlsServerName?: string;
  kubeconfig?: string;
  replanInterval: number;
  replanMaxMigrations: number;
  replanTimeLimit: number;
  replanMaxWait: number;
  replanTokenFile?: string;
}

/** What only a replica in a cluster does: moves go through the Eviction API, the leader holds a Lease. */
const CLUSTER_ONLY = {
  migrations: '--migrations',
  replanInterval: '--replan-interval',
  replanMaxMigrations: '--replan-max-migrations',
  replanTimeLimit: '--replan-time-limit',
  replanMaxWait: '--replan-max-wait',
  replanTokenFile: '--replan-token-file',
  namespace: '--namespace',
  leaseName: '--lease-name',
  advertiseUrl: '--advertise-url',
  kubeconfig: '--kubeconfig',
} as const;

async function serve(o: ServeOptions, command: Command): Promise<void> {
  if (o.dev) {
    const given = Object.entries(CLUSTER_ONLY)
      .filter(([name]) => command.getOptionValueSource(name) === 'cli')
      .map(([, flag]) => flag);
    if (given.length > 0)
      throw new UsageError(
        `${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} a cluster (moves are evictions through its API, the leader holds a Lease); --dev keeps bookings in memory and moves nothing: leave ${given.length === 1 ? 'it' : 'them'} out`,
      );
  }
  // Read before the throwaway certificate is made: a bad nodes file then leaves no key behind.
  const devSpecs = o.dev && o.nodes !== undefined ? await readNodes(o.nodes) : DEFAULT_DEV_NODES;
  let { cert, key } = o;
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError('give both --cert and --key, or neither (only with --dev)');
  /** The throwaway certificate's folder (it holds a private key): removed when serving stops. */
  let throwaway: string | undefined;
  if (cert === undefined || key === undefined) {
    if (!o.dev)
      throw new UsageError(
        '--cert and --key are required (the API server only calls webhooks over HTTPS); with --dev a throwaway certificate is made',
      );
    throwaway = await mkdtemp(path.join(tmpdir(), 'nmaas-scheduler-dev-'));
    const files = await generateCertificates(throwaway).catch(async (error: unknown) => {
      await rm(throwaway!, { recursive: true, force: true });
      throw error;
    });
    ({ certFile: cert, keyFile: key } = files);
    log('generated a throwaway certificate for dev mode', { ca: files.caFile });
  }
  const removeThrowaway = () =>
    throwaway === undefined ? Promise.resolve() : rm(throwaway, { recursive: true, force: true });
  if (o.dev) {
    const replica = await startDevReplica({
      // Alone, with nothing to move: only the queue's wait applies.
      answerWithinMs: timeLimitsFor(o.timeoutSeconds).answerWithinMs,
      certFile: cert,
      keyFile: key,
      port: o.port,
      host: o.host ?? '127.0.0.1',
      nodes: [],
      offers: devSpecs.map(offerOf),
      log,
    }).catch(async (error: unknown) => {
      await removeThrowaway();
      throw error;
    });
    log('serving (dev mode: in-memory bookings)', {
      url: replica.url,
      nodes: devSpecs.length,
      mutate: `${replica.url}/mutate`,
      validate: `${replica.url}/validate`,
    });
    await untilSignal(() => replica.stop().finally(removeThrowaway));
    return;
  }
  if (o.nodes !== undefined) throw new UsageError('--nodes is for --dev; in a cluster, nodes come from the API server');
  requireCluster(o.kubeconfig);
  const api = await connectKubeApi(defaultConnection(o.kubeconfig));
  const limits = timeLimitsFor(o.timeoutSeconds);
  const replica = await startClusterReplica({
    answerWithinMs: limits.answerWithinMs,
    repairWithinMs: limits.repairWithinMs,
    leaderWaitMs: limits.leaderWaitMs,
    api,
    certFile: cert,
    keyFile: key,
    port: o.port,
    host: o.host ?? '0.0.0.0',
    migrations: o.migrations,
    replan: {
      intervalSeconds: o.replanInterval,
      maxMigrations: o.replanMaxMigrations,
      timeLimitSeconds: Math.max(1, o.replanTimeLimit),
      maxWaitSeconds: o.replanMaxWait,
      ...(o.replanTokenFile !== undefined ? { tokenFile: o.replanTokenFile } : {}),
    },
    election: { namespace: o.namespace, name: o.leaseName, identity: o.identity },
    ...(o.advertiseUrl !== undefined ? { advertiseUrl: o.advertiseUrl } : {}),
    forward: {
      ...(o.caFile !== undefined ? { caFile: o.caFile } : {}),
      ...(o.tlsServerName !== undefined ? { serverName: o.tlsServerName } : {}),
      timeoutMs: limits.forwardWithinMs,
    },
    log,
  });
  log('serving', { url: replica.url, identity: o.identity, lease: `${o.namespace}/${o.leaseName}` });
  await untilSignal(() => replica.stop());
}

function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      log('stopping');
      stop().then(resolve, resolve);
    };
    process.on('SIGTERM', done);
    process.on('SIGINT', done);
  });
}

const NO_CLUSTER =
  'no cluster to ask: pass --kubeconfig <file>, set KUBECONFIG, or run inside a pod; ' +
  'or ask a running webhook with --server https://host:port --ca-file <ca.pem>, or read a file with --nodes <nodes.json>';

/** Refuses early when nothing says where a cluster is (the client would otherwise try http://localhost:8080). */
function requireCluster(kubeconfig: string | undefined): void {
  if (kubeconfig !== undefined || process.env.KUBERNETES_SERVICE_HOST || process.env.KUBECONFIG) return;
  if (existsSync(path.join(homedir(), '.kube', 'config'))) return;
  throw new UsageError(NO_CLUSTER);
}

async function fetchReport(server: string, caFile: string | undefined): Promise<NodesReport> {
  // The webhook's certificate comes from the cluster's own CA (or serve --dev's throwaway one).
  if (caFile === undefined) {
    throw new UsageError(
      `--server needs --ca-file <ca.pem>: the CA that signed ${server}'s certificate (serve --dev logs its path)`,
    );
  }
  const ca = await readFile(caFile);
  return new Promise((resolve, reject) => {
    https
      .get(new URL('/v1/nodes', server), { ca, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${server} answered HTTP ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as NodesReport);
        });
      })
      .on('error', (e) => reject(new UsageError(`cannot reach ${server}: ${e.message}`)));
  });
}

export function registerWebhookCommands(program: Command): void {
  const g = schedulerGroup(program);
  registerReviewCommand(g);
  g.command('serve')
    .description(
      'run the admission webhook (HTTPS): places measurement pods on a node and a phase, or refuses them with a reason',
    )
    .option('--dev', 'no cluster: nodes from --nodes (or a built-in set), bookings in memory')
    .option(
      '--nodes <file>',
      `with --dev: nodes.json ({"nodes":[{"name","labels":{"${NODE_POOL_LABEL}":"edge"},"capacity":{"cpu","memory","bandwidth"}}]})`,
    )
    .option('--cert <file>', 'TLS certificate (PEM), reloaded when it changes')
    .option('--key <file>', 'TLS private key (PEM), reloaded when it changes')
    .option('--ca-file <file>', "CA that signed the replicas' certificates (to check the leader when forwarding)")
    .option(
      '--tls-server-name <name>',
      "name the replicas' certificate is valid for (e.g. nmaas-scheduler.nmaas-system.svc)",
    )
    .option('--port <port>', 'HTTPS port', port, 8443)
    .option('--host <address>', 'address to listen on (default 0.0.0.0, 127.0.0.1 with --dev)')
    .option(
      '--migrations <K>',
      'readapt: a new pod may move up to K placed pods (evicted through the Eviction API)',
      count,
      0,
    )
    .option(
      '--timeout-seconds <seconds>',
      "the webhook configuration's timeoutSeconds, which every answer must beat: a decision waits at most a fifth of it (1 s at most) for its turn, its search for moves runs at most two fifths before the pod is refused, a new leader waits at most three tenths (3 s at most) to decide, and a replica relaying to the leader waits nine tenths for its answer",
      webhookTimeout,
      DEFAULT_TIMEOUT_SECONDS,
    )
    .option(
      '--replan-interval <seconds>',
      'the leader re-plans the whole pool this often and carries the moves out (0: never, the default)',
      secondsUpToADay,
      0,
    )
    .option('--replan-max-migrations <K>', 'most placed pods one re-plan may move', count, 5)
    .option('--replan-time-limit <seconds>', "time the re-plan's search may take", secondsUpToADay, 10)
    .option(
      '--replan-max-wait <seconds>',
      'longest wait for a pod to finish its run before it is evicted (a move needing longer is left out)',
      secondsUpToADay,
      300,
    )
    .option(
      '--replan-token-file <file>',
      'token a POST /replan must present as "Authorization: Bearer <token>" (without it, on-demand re-plans are off)',
    )
    .option('--namespace <ns>', 'namespace of the leader-election Lease', namespaceDefault())
    .option('--lease-name <name>', 'name of the leader-election Lease', 'nmaas-scheduler')
    .option('--identity <id>', "this replica's identity in the Lease", process.env.POD_NAME ?? hostname())
    .option('--advertise-url <url>', 'where the other replicas reach this one (https://<pod IP>:<port>)')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster service account, else ~/.kube/config)')
    .action(action(async (o: ServeOptions, command: Command) => serve(o, command)));

  g.command('nodes')
    .description(
      'show measurement pools, node capacity and bookings (from the cluster, a running webhook, or a nodes file)',
    )
    .option('--server <url>', 'ask a running webhook (https://host:port) instead of the cluster')
    .option('--ca-file <file>', 'with --server: CA of its certificate')
    .option('--nodes <file>', 'show a nodes.json file as the scheduler would read it (no bookings)')
    .option('--kubeconfig <file>', 'kubeconfig (default: ~/.kube/config or in-cluster)')
    .addOption(formatOption())
    .action(
      action(async (o: { server?: string; caFile?: string; nodes?: string; kubeconfig?: string; format: string }) => {
        let report: NodesReport;
        if (o.server !== undefined) report = await fetchReport(o.server, o.caFile);
        else {
          const state = new SchedulerState();
          if (o.nodes !== undefined) {
            const specs = await readNodes(o.nodes);
            for (const s of specs) state.setOffer(s.name, { offer: offerOf(s), hostname: s.name });
          } else {
            requireCluster(o.kubeconfig);
            const api = await connectKubeApi(defaultConnection(o.kubeconfig));
            state.syncNodes((await api.listNodes(NODE_POOL_LABEL)).items);
            state.syncPods((await api.listPods(APP_LABEL)).items);
          }
          report = nodesReport(state);
        }
        process.stdout.write(
          o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : `${formatNodesReport(report)}\n`,
        );
        if (report.ignored.length > 0) process.exitCode = 1;
      }),
    );

  g.command('chart')
    .description("write the scheduler's own Helm chart (cdk8s-synthesised) into a folder the catalogue can package")
    .requiredOption('-o, --out <dir>', 'output folder (the chart goes to <dir>/nmaas-scheduler)')
    .option('--image <repository:tag>', 'default image in values.yaml')
    .addOption(formatOption())
    .action(
      action(async (o: { out: string; image?: string; format: string }) => {
        let image: { repository: string; tag: string } | undefined;
        if (o.image !== undefined) {
          const at = o.image.lastIndexOf(':');
          const [repository, tag] = [o.image.slice(0, at), o.image.slice(at + 1)];
          if (at <= 0 || !IMAGE_REPOSITORY.test(repository) || !IMAGE_TAG.test(tag))
            throw new UsageError(
              `--image must be repository:tag with a lower-case repository, e.g. ghcr.io/org/nmaas-scheduler:0.1.0; got ${o.image}`,
            );
          image = { repository, tag };
        }
        const result = await writeSchedulerChart(o.out, image ? { image } : {});
        process.stdout.write(
          o.format === 'json'
            ? `${JSON.stringify(result)}\n`
            : `wrote chart ${result.name} ${result.version} to ${result.chartDir}\n`,
        );
      }),
    );
}
