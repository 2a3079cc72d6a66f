/**
 * One webhook replica, assembled: state fed by list+watch of pooled nodes and measurement pods,
 * the reconciler, leader election on a Lease (cluster mode) and the HTTPS server. `--dev` mode uses
 * the same server and decider with nodes from a file and no API server.
 */
import { APP_LABEL, HOSTNAME_LABEL, NODE_POOL_LABEL, type NodeOffer } from '@nmaas/sdk/contract';
import { LeaderElector, type LeaderElectionOptions } from '../kube/leader-election.js';
import { Reflector } from '../kube/reflector.js';
import type { KubeApi, Node, Pod } from '../kube/types.js';
import { AdmissionService } from './admission-service.js';
import { Decider } from './decider.js';
import { eventObject, ReplanLoop, type ReplanSettings } from './replan-loop.js';
import { ReplanMetrics } from './replan-metrics.js';
import { ReplanRoutes } from './replan-routes.js';
import { defaultSearch } from './replan-search.js';
import { WebhookServer } from './server.js';
import { WebhookMetrics } from './metrics.js';
import type { ConnectionLimits } from './tls-server.js';
import { SchedulerState, type StateOptions } from './state.js';

export interface ReplicaOptions {
  certFile: string;
  keyFile: string;
  port: number;
  host?: string;
  migrations?: number;
  state?: StateOptions;
  reconcileEveryMs?: number;
  certPollMs?: number;
  /** Connection and time bounds of the HTTPS server (defaults: `DEFAULT_LIMITS`). */
  limits?: Partial<ConnectionLimits>;
  /** Load shedding: the longest a decision may wait for its turn before a 503 refusal. */
  answerWithinMs?: number;
  /** The longest search for moves for one pod before it is refused (cluster mode; see AdmissionServiceOptions). */
  repairWithinMs?: number;
  /** The longest wait of a new leader for its first decision (cluster mode), else a 503. */
  leaderWaitMs?: number;
  /** Load shedding: most decisions waiting at once. */
  maxPending?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface ClusterReplicaOptions extends ReplicaOptions {
  api: KubeApi;
  election: Omit<LeaderElectionOptions, 'url' | 'onChange' | 'onError'>;
  /** URL peers forward to; defaults to https://<host>:<port>. */
  advertiseUrl?: string;
  forward?: { ca?: Buffer; serverName?: string; timeoutMs?: number };
  /** Re-planning: always previewable (GET /replan); run every `intervalSeconds` (0: never) and on POST with the token. */
  replan?: ReplanSettings & { intervalSeconds: number; tokenFile?: string };
}

export interface Replica {
  url: string;
  state: SchedulerState;
  decider: Decider;
  server: WebhookServer;
  leader?: LeaderElector;
  replan?: ReplanLoop;
  ready(): boolean;
  stop(): Promise<void>;
}

/** A replica in a cluster: state from the API server, decisions only while it holds the Lease. */
export async function startClusterReplica(options: ClusterReplicaOptions): Promise<Replica> {
  const log = options.log ?? (() => {});
  const state = new SchedulerState({ ...options.state, log });
  const api = options.api;
  const metrics = new WebhookMetrics();
  const nodes = new Reflector<Node>(
    {
      list: () => api.listNodes(NODE_POOL_LABEL),
      watch: (o) => api.watchNodes({ ...o, labelSelector: NODE_POOL_LABEL }),
    },
    {
      onSync: (items) => state.syncNodes(items),
      onEvent: (type, node) =>
        type === 'DELETED' ? state.deleteNode(node.metadata.name ?? '') : state.upsertNode(node),
      onError: (e) => {
        metrics.watchError('nodes');
        log('node watch failed; relisting', { error: e.message });
      },
    },
  );
  // Affinity after admission: when a pod goes, the leader evicts the pods that needed it beside
  // them (one pass per burst of deletions; the reconciler retries blocked evictions). Wired to the
  // admission service once it exists; deletions seen before that are covered by the first pass.
  let affinityCheck: NodeJS.Timeout | undefined;
  let checkAffinity: () => Promise<void> = async () => {};
  const scheduleAffinityCheck = (): void => {
    if (affinityCheck !== undefined) return;
    affinityCheck = setTimeout(() => {
      affinityCheck = undefined;
      void checkAffinity();
    }, 50);
    affinityCheck.unref();
  };
  const pods = new Reflector<Pod>(
    { list: () => api.listPods(APP_LABEL), watch: (o) => api.watchPods({ ...o, labelSelector: APP_LABEL }) },
    {
      onSync: (items) => state.syncPods(items),
      onEvent: (type, pod) => {
        if (type === 'DELETED') {
          state.deletePod(pod);
          scheduleAffinityCheck();
        } else state.upsertPod(pod);
      },
      onError: (e) => {
        metrics.watchError('pods');
        log('pod watch failed; relisting', { error: e.message });
      },
    },
  );
  // Nodes first: a pod's booking needs its node.
  await nodes.start();
  await pods.start();

  const service = new AdmissionService(state, {
    migrations: options.migrations ?? 0,
    evict: (ns, name) => api.evictPod(ns, name),
    ...(options.repairWithinMs !== undefined ? { repairWithinMs: options.repairWithinMs } : {}),
  });
  const decider = new Decider(service, { maxPending: options.maxPending });
  let leader: LeaderElector | undefined;
  let affinityRunning = false;
  checkAffinity = async (): Promise<void> => {
    if (affinityRunning || leader === undefined || !leader.canDecide()) return;
    affinityRunning = true;
    try {
      const { evicted, blocked } = await service.maintainAffinity();
      if (evicted.length > 0) log('evicted pods whose affinity partner left their node', { pods: evicted });
      if (blocked.length > 0) log('affinity partner gone, eviction refused; retrying', { pods: blocked });
    } catch (e) {
      log('affinity maintenance failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      affinityRunning = false;
    }
  };
  const ready = () => nodes.hasSynced && pods.hasSynced;
  const canDecide = () => leader?.canDecide() ?? false;
  const replan = new ReplanLoop(
    state,
    service.pending,
    options.replan ?? { maxMigrations: 5, timeLimitSeconds: 10, maxWaitSeconds: 300 },
    {
      evict: (ns, name) => api.evictPod(ns, name),
      recordEvent: (e) =>
        api.createEvent(e.pod.namespace, eventObject(e, 'nmaas-scheduler', options.election.identity, Date.now())),
      canDecide,
      metrics: new ReplanMetrics(metrics.registry),
      search: defaultSearch,
      log,
    },
  );
  const server = new WebhookServer({
    certFile: options.certFile,
    keyFile: options.keyFile,
    decider,
    ready,
    log,
    pollMs: options.certPollMs,
    limits: options.limits,
    answerWithinMs: options.answerWithinMs,
    leaderWaitMs: options.leaderWaitMs,
    forward: options.forward,
    metrics,
    replan: new ReplanRoutes(replan, { tokenFile: options.replan?.tokenFile, canDecide }),
    get leadership() {
      return leader;
    },
  });
  const url = await server.listen(options.port, options.host ?? '0.0.0.0');
  leader = new LeaderElector(api, {
    ...options.election,
    url: options.advertiseUrl ?? url,
    onChange: (leading) => log(leading ? 'became leader' : 'lost leadership', { identity: options.election.identity }),
    onError: (e) => log('leader election error', { error: e.message }),
  });
  leader.start();
  const reconciler = setInterval(() => {
    const released = state.reconcile();
    if (released.length > 0) log('released bookings whose pods never appeared', { count: released.length });
    void checkAffinity();
  }, options.reconcileEveryMs ?? 10_000);
  reconciler.unref();
  // Off by default: periodic re-plans only with an interval, and only on the leader.
  const interval = options.replan?.intervalSeconds ?? 0;
  const replanner =
    interval > 0
      ? setInterval(() => {
          if (canDecide() && ready() && !replan.busy) void replan.run();
        }, interval * 1000)
      : undefined;
  replanner?.unref();
  return {
    url,
    state,
    decider,
    server,
    leader,
    replan,
    ready,
    async stop() {
      clearInterval(reconciler);
      clearInterval(replanner);
      clearTimeout(affinityCheck);
      await leader?.stop();
      nodes.stop();
      pods.stop();
      await server.close();
    },
  };
}

/** `serve --dev`: one process, nodes from a file, bookings in memory. */
export async function startDevReplica(
  options: ReplicaOptions & { nodes: Node[]; offers?: NodeOffer[] },
): Promise<Replica> {
  const log = options.log ?? (() => {});
  const state = new SchedulerState({ ...options.state, confirmOnAdmit: true, log });
  state.syncNodes(options.nodes);
  for (const offer of options.offers ?? [])
    state.setOffer(offer.name, { offer, hostname: offer.labels[HOSTNAME_LABEL] ?? offer.name });
  const decider = new Decider(new AdmissionService(state), { maxPending: options.maxPending });
  const server = new WebhookServer({
    certFile: options.certFile,
    keyFile: options.keyFile,
    decider,
    log,
    pollMs: options.certPollMs,
    limits: options.limits,
    answerWithinMs: options.answerWithinMs,
  });
  const url = await server.listen(options.port, options.host ?? '127.0.0.1');
  return {
    url,
    state,
    decider,
    server,
    ready: () => true,
    stop: () => server.close(),
  };
}
