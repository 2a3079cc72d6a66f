/**
 * An in-process fake Kubernetes API server: a real HTTP server on loopback that speaks the slice of
 * the REST API the scheduler uses (pods, nodes, leases, pod evictions, PodDisruptionBudgets), with
 * the semantics that matter for correctness:
 *  - one cluster-wide, strictly increasing resourceVersion; every write bumps it;
 *  - writes carrying a resourceVersion (Lease replace, merge patch with metadata.resourceVersion)
 *    succeed only at that version, else 409 Conflict; creating an existing name is 409 AlreadyExists;
 *  - list returns the collection resourceVersion; watch from it replays every later event in order,
 *    and a resourceVersion older than the retained history gets a 410 Gone ERROR event (relist);
 *  - evictions honour PodDisruptionBudgets (429 TooManyRequests) and delete the pod.
 * It exists because no real API server runs on our machines; the contract suite runs the real
 * `@kubernetes/client-node` implementation against it, so either side can be swapped.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { parseLabelSelector } from './label-selector.js';
import type { KubeObject, Lease, Node, Pod, StringMap } from './types.js';

type Kind = 'pods' | 'nodes' | 'leases' | 'poddisruptionbudgets' | 'events';

interface StoredEvent {
  rv: number;
  kind: Kind;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface Watcher {
  kind: Kind;
  namespace: string | undefined;
  matches: (labels: StringMap | undefined) => boolean;
  res: http.ServerResponse;
}

const API_VERSION: Record<Kind, string> = {
  pods: 'v1',
  nodes: 'v1',
  leases: 'coordination.k8s.io/v1',
  poddisruptionbudgets: 'policy/v1',
  events: 'v1',
};
const KIND: Record<Kind, string> = {
  pods: 'Pod',
  nodes: 'Node',
  leases: 'Lease',
  poddisruptionbudgets: 'PodDisruptionBudget',
  events: 'Event',
};

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 3 * 1024 * 1024;

export interface FakeApiServerOptions {
  /** How many events watch can replay (older resourceVersions get 410 Gone). */
  historyLimit?: number;
  /** Serve HTTPS with this certificate (PEM), as a real API server does; plain HTTP otherwise. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Graceful deletion of evicted pods: first a MODIFIED event with deletionTimestamp, the DELETED
   * event this many ms later (as the kubelet's termination grace period does). 0: deleted at once.
   */
  evictionGraceMs?: number;
}

export class FakeApiServer {
  private rv = 1;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoredEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly server: http.Server | https.Server;
  private readonly historyLimit: number;
  private readonly scheme: string;
  private readonly evictionGraceMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sockets = new Set<Socket>();
  /** Counts of API requests by verb, so tests can see what the webhook costs the API server. */
  readonly requests: Record<string, number> = {};

  constructor(options: FakeApiServerOptions = {}) {
    this.historyLimit = options.historyLimit ?? 200_000;
    this.evictionGraceMs = options.evictionGraceMs ?? 0;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => this.fail(res, error));
    };
    this.scheme = options.tls ? 'https' : 'http';
    this.server = options.tls
      ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
      : http.createServer(handler);
    this.server.keepAliveTimeout = 60_000;
    // Every socket, including those still in the TLS handshake (closeAllConnections misses them):
    // stop() must not wait for a keep-alive client that connected at the last moment.
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `${this.scheme}://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Ends every open watch, as an API server restart or a load-balancer timeout would. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  // ---- direct access for tests (the same code paths as HTTP) --------------------------------

  create<T extends KubeObject>(kind: Kind, object: T): T {
    return this.createObject(kind, structuredClone(object)) as T;
  }
  get<T extends KubeObject>(kind: Kind, namespace: string | undefined, name: string): T | undefined {
    const o = this.objects.get(key(kind, namespace, name));
    return o === undefined ? undefined : (structuredClone(o) as T);
  }
  list<T extends KubeObject>(kind: Kind): T[] {
    const prefix = `${kind}/`;
    return [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, o]) => structuredClone(o) as T);
  }
  delete(kind: Kind, namespace: string | undefined, name: string): void {
    this.deleteObject(kind, namespace, name);
  }
  get resourceVersion(): string {
    return String(this.rv);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = parseRoute(url.pathname);
    if (route === null)
      throw new HttpError(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const method = req.method ?? 'GET';
    const verb =
      route.name === undefined
        ? url.searchParams.get('watch') === 'true'
          ? 'watch'
          : method === 'GET'
            ? 'list'
            : method
        : (route.sub ?? method);
    this.requests[`${verb} ${route.kind}`] = (this.requests[`${verb} ${route.kind}`] ?? 0) + 1;

    if (route.name === undefined) {
      if (method === 'GET') {
        const matches = parseLabelSelector(url.searchParams.get('labelSelector') ?? undefined);
        if (url.searchParams.get('watch') === 'true') return this.watch(route.kind, route.namespace, matches, url, res);
        const items = this.list<KubeObject>(route.kind).filter(
          (o) =>
            (route.namespace === undefined || o.metadata.namespace === route.namespace) && matches(o.metadata.labels),
        );
        return send(res, 200, {
          apiVersion: API_VERSION[route.kind],
          kind: `${KIND[route.kind]}List`,
          metadata: { resourceVersion: String(this.rv) },
          items,
        });
      }
      if (method === 'POST') {
        const body = (await readJson(req)) as KubeObject;
        if (route.namespace !== undefined) body.metadata = { ...(body.metadata ?? {}), namespace: route.namespace };
        return send(res, 201, this.createObject(route.kind, body));
      }
      throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on a collection`);
    }

    const k = key(route.kind, route.namespace, route.name);
    if (route.sub !== undefined && !(route.sub === 'eviction' && route.kind === 'pods'))
      throw new HttpError(404, 'NotFound', `no subresource ${route.sub}`);
    if (route.sub === 'eviction') {
      if (method !== 'POST') throw new HttpError(405, 'MethodNotAllowed', 'evictions are created with POST');
      await readJson(req);
      this.evict(route.namespace, route.name);
      return send(res, 201, { apiVersion: 'v1', kind: 'Status', status: 'Success', code: 201 });
    }
    const current = this.objects.get(k);
    switch (method) {
      case 'GET':
        if (current === undefined) throw notFound(route.kind, route.name);
        return send(res, 200, current);
      case 'PUT': {
        const body = (await readJson(req)) as KubeObject;
        if (current === undefined) throw notFound(route.kind, route.name);
        const want = body.metadata?.resourceVersion;
        if (want !== undefined && want !== current.metadata.resourceVersion) throw conflict(route.kind, route.name);
        if (body.metadata?.name !== undefined && body.metadata.name !== route.name)
          throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name in the URL');
        const next: KubeObject = {
          ...body,
          metadata: {
            ...body.metadata,
            name: route.name,
            namespace: current.metadata.namespace,
            uid: current.metadata.uid,
            creationTimestamp: current.metadata.creationTimestamp,
          },
        };
        return send(res, 200, this.write(route.kind, next, 'MODIFIED'));
      }
      case 'PATCH': {
        const type = String(req.headers['content-type'] ?? '').split(';')[0];
        if (type !== 'application/merge-patch+json' && type !== 'application/strategic-merge-patch+json') {
          throw new HttpError(
            415,
            'UnsupportedMediaType',
            `the fake API server accepts merge patches only, not ${type}`,
          );
        }
        const patch = (await readJson(req)) as Record<string, unknown>;
        if (current === undefined) throw notFound(route.kind, route.name);
        const meta = (patch.metadata ?? {}) as Record<string, unknown>;
        if (meta.resourceVersion !== undefined && meta.resourceVersion !== current.metadata.resourceVersion)
          throw conflict(route.kind, route.name);
        const next = mergePatch(current, patch) as KubeObject;
        next.metadata = {
          ...next.metadata,
          name: current.metadata.name,
          namespace: current.metadata.namespace,
          uid: current.metadata.uid,
        };
        return send(res, 200, this.write(route.kind, next, 'MODIFIED'));
      }
      case 'DELETE': {
        if (current === undefined) throw notFound(route.kind, route.name);
        this.deleteObject(route.kind, route.namespace, route.name);
        return send(res, 200, current);
      }
      default:
        throw new HttpError(405, 'MethodNotAllowed', `${method} is not supported`);
    }
  }

  private watch(
    kind: Kind,
    namespace: string | undefined,
    matches: Watcher['matches'],
    url: URL,
    res: http.ServerResponse,
  ): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? this.rv);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const oldest = this.history[0]?.rv ?? this.rv + 1;
    if (!Number.isInteger(from) || (from < oldest - 1 && from < this.rv)) {
      // Like etcd compaction: the client must relist.
      res.end(
        line('ERROR', {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          code: 410,
          reason: 'Expired',
          message: `too old resource version: ${from} (${oldest - 1})`,
        }),
      );
      return;
    }
    const watcher: Watcher = { kind, namespace, matches, res };
    for (const e of this.history) if (e.rv > from && this.visible(watcher, e)) res.write(line(e.type, e.object));
    this.watchers.add(watcher);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }

  private visible(w: Watcher, e: StoredEvent): boolean {
    return (
      e.kind === w.kind &&
      (w.namespace === undefined || e.object.metadata.namespace === w.namespace) &&
      w.matches(e.object.metadata.labels)
    );
  }

  private createObject(kind: Kind, body: KubeObject): KubeObject {
    if (body === null || typeof body !== 'object' || typeof body.metadata !== 'object' || body.metadata === null) {
      throw new HttpError(400, 'BadRequest', 'the object has no metadata');
    }
    const meta = body.metadata;
    const namespace = kind === 'nodes' ? undefined : (meta.namespace ?? 'default');
    let name = meta.name;
    // Like the API server since 1.30: a generated name that collides is generated again.
    while (name === undefined && meta.generateName !== undefined) {
      const candidate = meta.generateName + randomUUID().slice(0, 5);
      if (!this.objects.has(key(kind, namespace, candidate))) name = candidate;
    }
    if (typeof name !== 'string' || name === '')
      throw new HttpError(422, 'Invalid', `${KIND[kind]} metadata.name: Required value`);
    if (this.objects.has(key(kind, namespace, name)))
      throw new HttpError(409, 'AlreadyExists', `${kind} "${name}" already exists`);
    const object: KubeObject = {
      ...body,
      apiVersion: API_VERSION[kind],
      kind: KIND[kind],
      metadata: {
        ...meta,
        name,
        ...(namespace === undefined ? {} : { namespace }),
        uid: randomUUID(),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    delete object.metadata.resourceVersion;
    return this.write(kind, object, 'ADDED');
  }

  private write(kind: Kind, object: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    this.objects.set(key(kind, object.metadata.namespace, object.metadata.name!), object);
    this.publish({ rv: this.rv, kind, type, object });
    return object;
  }

  private deleteObject(kind: Kind, namespace: string | undefined, name: string): void {
    const k = key(kind, kind === 'nodes' ? undefined : namespace, name);
    const current = this.objects.get(k);
    if (current === undefined) throw notFound(kind, name);
    this.objects.delete(k);
    this.rv += 1;
    const object = { ...current, metadata: { ...current.metadata, resourceVersion: String(this.rv) } };
    this.publish({ rv: this.rv, kind, type: 'DELETED', object });
  }

  private publish(event: StoredEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    const text = line(event.type, event.object);
    for (const w of this.watchers) if (this.visible(w, event)) w.res.write(text);
  }

  private evict(namespace: string | undefined, name: string): void {
    const pod = this.objects.get(key('pods', namespace, name)) as Pod | undefined;
    if (pod === undefined) throw notFound('pods', name);
    const pods = this.list<Pod>('pods').filter(
      (p) => p.metadata.namespace === namespace && p.metadata.deletionTimestamp === undefined,
    );
    for (const pdb of this.list<KubeObject>('poddisruptionbudgets')) {
      if (pdb.metadata.namespace !== namespace) continue;
      const spec = (pdb.spec ?? {}) as {
        selector?: { matchLabels?: StringMap };
        minAvailable?: number;
        maxUnavailable?: number;
      };
      const sel = spec.selector?.matchLabels ?? {};
      const covered = (p: Pod) => Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v);
      if (!covered(pod)) continue;
      const healthy = pods.filter(covered).length;
      const allowed =
        spec.minAvailable !== undefined
          ? healthy - 1 >= spec.minAvailable
          : spec.maxUnavailable !== undefined
            ? spec.maxUnavailable >= 1
            : true;
      if (!allowed) {
        throw new HttpError(
          429,
          'TooManyRequests',
          `Cannot evict pod as it would violate the pod's disruption budget ${pdb.metadata.name}.`,
        );
      }
    }
    if (this.evictionGraceMs <= 0) {
      this.deleteObject('pods', namespace, name);
      return;
    }
    if (pod.metadata.deletionTimestamp !== undefined) return;
    this.write(
      'pods',
      { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } },
      'MODIFIED',
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.objects.has(key('pods', namespace, name))) this.deleteObject('pods', namespace, name);
    }, this.evictionGraceMs);
    this.timers.add(timer);
  }

  private fail(res: http.ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const e =
      error instanceof HttpError
        ? error
        : new HttpError(500, 'InternalError', error instanceof Error ? error.message : String(error));
    send(res, e.code, {
      apiVersion: 'v1',
      kind: 'Status',
      status: 'Failure',
      message: e.message,
      reason: e.reason,
      code: e.code,
    });
  }
}

interface Route {
  kind: Kind;
  namespace: string | undefined;
  name: string | undefined;
  sub: string | undefined;
}

function parseRoute(pathname: string): Route | null {
  const p = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const rest = p[0] === 'api' && p[1] === 'v1' ? p.slice(2) : p[0] === 'apis' && p.length >= 3 ? p.slice(3) : null;
  if (rest === null) return null;
  const group = p[0] === 'api' ? 'core' : `${p[1]}/${p[2]}`;
  let namespace: string | undefined;
  let i = 0;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    i = 2;
  }
  const kind = rest[i] as Kind;
  const ok =
    (group === 'core' && (kind === 'pods' || kind === 'nodes' || kind === 'events')) ||
    (group === 'coordination.k8s.io/v1' && kind === 'leases') ||
    (group === 'policy/v1' && kind === 'poddisruptionbudgets');
  if (!ok || (kind === 'nodes') !== (namespace === undefined && kind === 'nodes')) return null;
  if (rest.length > i + 3) return null;
  return { kind, namespace, name: rest[i + 1], sub: rest[i + 2] };
}

const key = (kind: Kind, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;
const notFound = (kind: Kind, name: string) => new HttpError(404, 'NotFound', `${kind} "${name}" not found`);
const conflict = (kind: Kind, name: string) =>
  new HttpError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BadRequest', 'the request body is not JSON');
  }
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export type { Lease, Node, Pod };
