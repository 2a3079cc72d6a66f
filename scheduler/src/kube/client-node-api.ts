/**
 * `KubeApi` on the official client, `@kubernetes/client-node`: typed CoreV1/CoordinationV1 calls
 * for requests and its `Watch` for streams. The typed client hands back model instances (Dates,
 * renamed fields); a JSON round trip turns them into the wire form the rest of the scheduler reads,
 * the same form the fake API server returns, so the contract suite covers both.
 */
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type CoreV1Event,
  type V1Lease,
} from '@kubernetes/client-node';
import {
  KubeApiError,
  type KubeApi,
  type Lease,
  type Node,
  type ObjectList,
  type KubeObject,
  type Pod,
  type WatchHandle,
  type WatchOptions,
} from './types.js';
import { describeSystemError, errorMessage, isSystemError, UsageError } from '@nmaas/sdk/kit';

const wire = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

/** Where the client finds its credentials: in a pod (service account), a kubeconfig file, or a URL (tests). */
export type KubeConnection = { inCluster: true } | { kubeconfig?: string } | { server: string; caFile: string };

export function loadKubeConfig(connection: KubeConnection): KubeConfig {
  const kc = new KubeConfig();
  if ('inCluster' in connection) kc.loadFromCluster();
  else if ('server' in connection) {
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: connection.server, caFile: connection.caFile, skipTLSVerify: false }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  } else if (connection.kubeconfig !== undefined) loadKubeconfigFile(kc, connection.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

/** The client's own errors name neither the file nor the fix ("Cannot read properties of undefined"). */
function loadKubeconfigFile(kc: KubeConfig, file: string): void {
  const fix = 'give a kubeconfig as kubectl writes it (kubectl config view --raw)';
  try {
    kc.loadFromFile(file);
  } catch (error) {
    const reason = isSystemError(error)
      ? describeSystemError(error, file)
      : error instanceof TypeError // the client reads fields of a document that is empty or not a mapping
        ? `${file}: holds no clusters, users and contexts`
        : `${file}: ${errorMessage(error).split('\n')[0]}`;
    throw new UsageError(`--kubeconfig ${reason}; ${fix}`);
  }
  if (kc.getCurrentCluster() === null)
    throw new UsageError(`--kubeconfig ${file} names no cluster for its current context; ${fix}`);
}

export class ClientNodeKubeApi implements KubeApi {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly watcher: Watch;

  constructor(readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
    this.coordination = config.makeApiClient(CoordinationV1Api);
    this.watcher = new Watch(config);
  }

  async listPods(labelSelector?: string): Promise<ObjectList<Pod>> {
    const list = await call(() => this.core.listPodForAllNamespaces({ labelSelector }));
    return { items: wire<Pod[]>(list.items), resourceVersion: list.metadata?.resourceVersion ?? '0' };
  }

  watchPods(options: WatchOptions<Pod>): Promise<WatchHandle> {
    return this.watch('/api/v1/pods', options);
  }

  async listNodes(labelSelector?: string): Promise<ObjectList<Node>> {
    const list = await call(() => this.core.listNode({ labelSelector }));
    return { items: wire<Node[]>(list.items), resourceVersion: list.metadata?.resourceVersion ?? '0' };
  }

  watchNodes(options: WatchOptions<Node>): Promise<WatchHandle> {
    return this.watch('/api/v1/nodes', options);
  }

  async getPod(namespace: string, name: string): Promise<Pod | null> {
    return orNull(async () => wire<Pod>(await call(() => this.core.readNamespacedPod({ name, namespace }))));
  }

  async patchPod(
    namespace: string,
    name: string,
    patch: Record<string, unknown>,
    resourceVersion?: string,
  ): Promise<Pod> {
    // In a merge patch, metadata.resourceVersion is a precondition: the API server answers 409 if it moved.
    const body =
      resourceVersion === undefined
        ? patch
        : {
            ...patch,
            metadata: { ...((patch.metadata as Record<string, unknown> | undefined) ?? {}), resourceVersion },
          };
    const pod = await call(() =>
      this.core.patchNamespacedPod(
        { name, namespace, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    return wire<Pod>(pod);
  }

  async getLease(namespace: string, name: string): Promise<Lease | null> {
    return orNull(async () =>
      wire<Lease>(await call(() => this.coordination.readNamespacedLease({ name, namespace }))),
    );
  }

  async createLease(namespace: string, lease: Lease): Promise<Lease> {
    return wire<Lease>(
      await call(() => this.coordination.createNamespacedLease({ namespace, body: lease as V1Lease })),
    );
  }

  async updateLease(namespace: string, lease: Lease): Promise<Lease> {
    const name = lease.metadata.name ?? '';
    return wire<Lease>(
      await call(() => this.coordination.replaceNamespacedLease({ name, namespace, body: lease as V1Lease })),
    );
  }

  async evictPod(namespace: string, name: string): Promise<void> {
    await call(() =>
      this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
      }),
    );
  }

  async createEvent(namespace: string, event: KubeObject): Promise<void> {
    await call(() => this.core.createNamespacedEvent({ namespace, body: event as unknown as CoreV1Event }));
  }

  private async watch<T>(path: string, options: WatchOptions<T>): Promise<WatchHandle> {
    let closed = false;
    const finish = (error: Error | null) => {
      if (closed) return;
      closed = true;
      options.onClose(error);
    };
    const controller = await this.watcher.watch(
      path,
      { resourceVersion: options.resourceVersion, labelSelector: options.labelSelector, allowWatchBookmarks: false },
      (type: string, object: unknown) => {
        if (closed) return;
        if (type === 'ERROR') {
          const status = object as { code?: number; reason?: string; message?: string };
          finish(new KubeApiError(status.code ?? 500, status.reason ?? 'Unknown', status.message ?? 'watch error'));
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') options.onEvent(type, object as T);
      },
      (error: unknown) => finish(error === null || error === undefined ? null : toError(error)),
    );
    return {
      stop() {
        closed = true;
        controller.abort();
      },
    };
  }
}

async function orNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return null;
    throw error;
  }
}

/** Maps the client's ApiException (body = the Status object or its text) to KubeApiError. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toError(error);
  }
}

function toError(error: unknown): Error {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) {
    let status: { reason?: string; message?: string } = {};
    const body: unknown = error.body;
    if (typeof body === 'string') {
      try {
        status = JSON.parse(body) as typeof status;
      } catch {
        status = { message: body };
      }
    } else if (body !== null && typeof body === 'object') status = body as typeof status;
    return new KubeApiError(error.code, status.reason ?? 'Unknown', status.message ?? error.message);
  }
  const statusCode = (error as { statusCode?: number } | null)?.statusCode;
  if (typeof statusCode === 'number') return new KubeApiError(statusCode, 'Unknown', (error as Error).message);
  return error instanceof Error ? error : new Error(String(error));
}
