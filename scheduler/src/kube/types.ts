/**
 * Every Kubernetes API call the scheduler webhook makes goes through `KubeApi`, a deliberately small
 * interface: list+watch pods and nodes, get/patch a pod with a resourceVersion precondition, Lease
 * get/create/update (leader election) and create an Eviction (readapt). Objects travel in their wire
 * (JSON) form, so the real client (`ClientNodeKubeApi`) and the in-process fake API server speak
 * the same thing and one contract suite checks both sides.
 */

export type StringMap = Record<string, string>;

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: StringMap;
  annotations?: StringMap;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    affinity?: unknown;
    containers?: { name: string; env?: { name: string; value?: string }[]; [key: string]: unknown }[];
    [key: string]: unknown;
  };
  status?: { phase?: string; [key: string]: unknown };
}

export type Node = KubeObject;

export interface Lease extends KubeObject {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface ObjectList<T> {
  items: T[];
  /** The collection's resourceVersion: watch from here to see every later change. */
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchHandle {
  stop(): void;
}

export interface WatchOptions<T> {
  resourceVersion: string;
  labelSelector?: string;
  onEvent(type: WatchEventType, object: T): void;
  /**
   * The watch ended: `error` is null on a normal close (the server's timeout), a KubeApiError with
   * status 410 when the resourceVersion is too old (relist), or a transport error.
   */
  onClose(error: Error | null): void;
}

/** A non-2xx answer of the API server, with its Status reason (Conflict, NotFound, TooManyRequests…). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409;
export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;

export interface KubeApi {
  listPods(labelSelector?: string): Promise<ObjectList<Pod>>;
  watchPods(options: WatchOptions<Pod>): Promise<WatchHandle>;
  listNodes(labelSelector?: string): Promise<ObjectList<Node>>;
  watchNodes(options: WatchOptions<Node>): Promise<WatchHandle>;
  /** null when the pod does not exist. */
  getPod(namespace: string, name: string): Promise<Pod | null>;
  /**
   * JSON merge patch (RFC 7386) of a pod. With `resourceVersion`, the patch applies only if the pod
   * is still at that version: otherwise KubeApiError 409 Conflict.
   */
  patchPod(namespace: string, name: string, patch: Record<string, unknown>, resourceVersion?: string): Promise<Pod>;
  /** null when the Lease does not exist. */
  getLease(namespace: string, name: string): Promise<Lease | null>;
  /** 409 when a Lease of that name already exists. */
  createLease(namespace: string, lease: Lease): Promise<Lease>;
  /** Replace; `lease.metadata.resourceVersion` is the precondition (409 when someone wrote in between). */
  updateLease(namespace: string, lease: Lease): Promise<Lease>;
  /** Eviction API: 429 when a PodDisruptionBudget forbids it now, 404 when the pod is gone. */
  evictPod(namespace: string, name: string): Promise<void>;
  /** Records a core/v1 Event (what `kubectl describe` shows under the object it names). */
  createEvent(namespace: string, event: KubeObject): Promise<void>;
}
