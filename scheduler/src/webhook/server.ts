/**
 * The webhook's HTTP surface, on a reloading HTTPS server:
 *   POST /mutate    AdmissionReview → placement patch or refusal (the leader decides; others forward)
 *   POST /validate  AdmissionReview → refuses a measurement pod whose final spec contradicts its booking
 *   GET  /healthz   process alive
 *   GET  /readyz    informers synced (200) or not (503)
 *   GET  /v1/nodes  pools, capacity and bookings as JSON (what `nmaas scheduler nodes --server` shows)
 *   GET  /metrics   Prometheus metrics (metrics.ts)
 *   GET  /replan    the re-plan's moves, not carried out; POST /replan carries them out (replan-routes.ts)
 *   GET  /plan      the live plan, read-only: SVG, or JSON with ?format=json (plan-route.ts)
 * Every request ends in an answer: malformed bodies get 400/413/415, internal errors a refusal
 * with a reason; nothing a client sends can throw past the handler.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import {
  BadReview,
  parseReview,
  podOf,
  refuse,
  reviewResponseJson,
  allow,
  type Outcome,
  type ReviewRequest,
} from './admission-review.js';
import type { Decider } from './decider.js';
import type { ReplanRoutes } from './replan-routes.js';
import { WebhookMetrics } from './metrics.js';
import { servePlan } from './plan-route.js';
import { ReloadingHttpsServer, type ConnectionLimits, type TlsFiles } from './tls-server.js';
import { DEFAULT_TIME_LIMITS } from './time-limits.js';
import { isMeasurementPod } from '@nmaas/sdk/contract';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Default budget for a decision's wait in the queue (time-limits.ts: its share of a 5-s webhook timeout). */
export const DEFAULT_ANSWER_WITHIN_MS = DEFAULT_TIME_LIMITS.answerWithinMs;
const FORWARDED_HEADER = 'x-nmaas-forwarded';

/** Who may decide now, in a cluster with several replicas. Absent in dev mode (always this process). */
export interface Leadership {
  canDecide(): boolean;
  isLeader: boolean;
  msUntilDecide(): number;
  leaderUrl: string | undefined;
}

export interface WebhookServerOptions extends TlsFiles {
  decider: Decider;
  leadership?: Leadership;
  /** CA and TLS name used to check the leader's certificate when forwarding. */
  forward?: { ca?: Buffer; caFile?: string; serverName?: string; timeoutMs?: number };
  ready?: () => boolean;
  pollMs?: number;
  /** Connection and time bounds (see `ConnectionLimits`); the defaults suit a webhook with timeoutSeconds ≥ 2. */
  limits?: Partial<ConnectionLimits>;
  /**
   * A decision whose turn comes later than this after it was queued is refused at once with
   * 503 (load shedding). Keep it below the webhook's timeoutSeconds so the API server reads an
   * explicit answer instead of timing out.
   */
  answerWithinMs?: number;
  /** A replica about to decide (a new leader settling in) waits this long at most, else answers 503. */
  leaderWaitMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Shared with the watch loops, which count their errors in it; default: the server's own. */
  metrics?: WebhookMetrics;
  /** The in-cluster re-plan's routes; absent in dev mode. */
  replan?: ReplanRoutes;
}

export class WebhookServer {
  private readonly https: ReloadingHttpsServer;
  private agent: https.Agent | undefined;
  readonly stats = { requests: 0, placed: 0, refused: 0, forwarded: 0, badRequests: 0, errors: 0 };
  /** Server-side time of the last admissions (body read → answer written), a bounded ring. */
  private readonly durations = new Float64Array(1 << 16);
  private recorded = 0;
  readonly metrics: WebhookMetrics;

  constructor(private readonly options: WebhookServerOptions) {
    this.metrics = (options.metrics ?? new WebhookMetrics()).readFrom(options);
    this.https = new ReloadingHttpsServer(
      {
        certFile: options.certFile,
        keyFile: options.keyFile,
        pollMs: options.pollMs,
        limits: options.limits,
        onReload: (error) => {
          options.log?.(
            error ? 'certificate reload failed; keeping the previous one' : 'certificate reloaded',
            error ? { error: error.message } : {},
          );
          // The CA rotates with the certificate (cert-manager renews the Secret as a whole).
          if (error === null && options.forward?.caFile !== undefined) this.agent = this.forwardAgent();
        },
      },
      (req, res) => {
        this.handle(req, res).catch((error: unknown) => {
          this.stats.errors += 1;
          options.log?.('request failed', { error: error instanceof Error ? error.stack : String(error) });
          if (!res.headersSent) sendJson(res, 500, { message: 'internal error' });
          else res.destroy();
        });
      },
    );
    this.agent = this.forwardAgent();
  }

  /** The client that relays reviews to the leader, checking its certificate against the CA. */
  private forwardAgent(): https.Agent {
    const f = this.options.forward;
    let ca = f?.ca;
    if (f?.caFile !== undefined) {
      try {
        ca = readFileSync(f.caFile);
      } catch (error) {
        this.options.log?.('cannot read the CA file; forwarding keeps the previous CA', {
          file: f.caFile,
          error: (error as Error).message,
        });
      }
    }
    const previous = this.agent;
    if (previous !== undefined && ca === undefined) return previous;
    previous?.destroy();
    return new https.Agent({ keepAlive: true, maxSockets: 64, ca, servername: f?.serverName });
  }

  /** Percentiles (ms) of the server-side time of the last (up to 65,536) admissions; `reset` starts afresh. */
  latency(reset = false): { count: number; p50: number; p99: number; max: number } {
    const n = Math.min(this.recorded, this.durations.length);
    const sorted = Array.from(this.durations.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number) => (n === 0 ? 0 : Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 1000) / 1000);
    const out = { count: this.recorded, p50: at(0.5), p99: at(0.99), max: at(1) };
    if (reset) this.recorded = 0;
    return out;
  }

  get tls(): ReloadingHttpsServer {
    return this.https;
  }

  async listen(port: number, host = '0.0.0.0'): Promise<string> {
    const address = await this.https.listen(port, host);
    const h = address.address.includes(':') ? `[${address.address}]` : address.address;
    return `https://${h}:${address.port}`;
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    await this.https.close();
  }

  /**
   * GET routes: path → answer. A new read-only endpoint is one entry here. Admission reviews are
   * POSTed to /mutate and /validate, handled below.
   */
  private readonly getRoutes: Record<
    string,
    (res: http.ServerResponse, req: http.IncomingMessage) => void | Promise<void>
  > = {
    '/healthz': (res) => sendJson(res, 200, { ok: true }),
    '/readyz': (res) => {
      const ready = this.options.ready?.() ?? true;
      sendJson(res, ready ? 200 : 503, { ready });
    },
    '/v1/nodes': (res) => sendJson(res, 200, this.options.decider.service.report()),
    '/metrics': (res) => this.metrics.serve(res),
    '/replan': (res) => this.options.replan?.preview(res) ?? sendJson(res, 404, { message: 're-planning is off' }),
    '/plan': (res, req) =>
      servePlan(req, res, (query) =>
        this.options.decider.service.plan(query, this.options.leadership?.isLeader ?? true),
      ),
  };

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (req.method === 'GET') {
      const route = Object.hasOwn(this.getRoutes, path) ? this.getRoutes[path] : undefined;
      if (route !== undefined) return route(res, req);
      return sendJson(res, 404, { message: `no such path ${path}` });
    }
    if (path === '/replan' && req.method === 'POST' && this.options.replan)
      return this.options.replan.trigger(req, res);
    if (path !== '/mutate' && path !== '/validate')
      return sendJson(res, 404, {
        message: `no such path ${path}; the webhook serves POST /mutate and POST /validate`,
      });
    if (req.method !== 'POST') return sendJson(res, 405, { message: 'AdmissionReview requests are POSTed' });
    const type = mediaType(req.headers['content-type']);
    if (type !== 'application/json')
      return sendJson(res, 415, { message: `Content-Type must be application/json, not ${type || '(none)'}` });
    const body = await readBody(req, res);
    if (body === null) return;
    const started = performance.now();
    this.stats.requests += 1;
    try {
      await this.review(path, body, req, res, started);
    } finally {
      // Until the answer is handed to the socket (or the request failed); no per-request listener.
      this.durations[this.recorded % this.durations.length] = performance.now() - started;
      this.recorded += 1;
    }
  }

  /** Parses, decides and answers one AdmissionReview read from `body`. */
  private async review(
    path: '/mutate' | '/validate',
    body: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    started: number,
  ): Promise<void> {
    let review: ReviewRequest;
    try {
      review = parseReview(body);
    } catch (error) {
      if (error instanceof BadReview) {
        this.stats.badRequests += 1;
        return sendJson(res, 400, { message: error.message });
      }
      throw error;
    }
    let outcome: Outcome;
    try {
      const answer = path === '/mutate' ? await this.mutate(review, body, req) : this.validate(review);
      if ('forwarded' in answer) return sendRaw(res, 200, answer.forwarded);
      outcome = answer;
    } catch (error) {
      this.stats.errors += 1;
      this.options.log?.('decision failed', {
        uid: review.uid,
        error: error instanceof Error ? error.stack : String(error),
      });
      outcome = refuse(
        500,
        `the NMaaS scheduler failed on this request: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (outcome.allowed && outcome.patch !== undefined) this.stats.placed += 1;
    if (!outcome.allowed) this.stats.refused += 1;
    this.metrics.observeAdmission(path, outcome, (performance.now() - started) / 1000);
    sendRaw(res, 200, reviewResponseJson(review.apiVersion, review.uid, outcome));
  }

  private async mutate(review: ReviewRequest, body: string, req: http.IncomingMessage): Promise<Outcome | Forwarded> {
    if (!review.isPod || review.operation !== 'CREATE') return allow();
    const pod = podOf(review.object);
    if (typeof pod === 'string') return refuse(400, `not a Pod: ${pod}`);
    if (!isMeasurementPod(pod.metadata.labels)) return allow();
    const namespace =
      review.namespace || (typeof pod.metadata.namespace === 'string' ? pod.metadata.namespace : 'default');
    const leadership = this.options.leadership;
    if (leadership !== undefined && !leadership.canDecide()) {
      const wait = leadership.msUntilDecide();
      // A millisecond more: a timer rounds its delay down and may fire a fraction before the instant.
      if (wait <= (this.options.leaderWaitMs ?? DEFAULT_TIME_LIMITS.leaderWaitMs))
        await new Promise((r) => setTimeout(r, Math.ceil(wait) + 1));
      else if (
        req.headers[FORWARDED_HEADER] === undefined &&
        leadership.leaderUrl !== undefined &&
        !leadership.isLeader
      ) {
        const relayed = await this.forward(leadership.leaderUrl, body, review);
        if (relayed !== null) return relayed;
      }
      if (!leadership.canDecide()) {
        return refuse(
          503,
          'the NMaaS scheduler has no leader able to decide right now (leader election in progress); retry in a few seconds',
          'nmaas: scheduler leader election in progress; retry shortly',
        );
      }
    }
    // Counted from here, not from arrival: a wait for leadership above is deliberate and bounded.
    const deadline = performance.now() + (this.options.answerWithinMs ?? DEFAULT_ANSWER_WITHIN_MS);
    return this.options.decider.mutate(pod, namespace, review.dryRun, deadline);
  }

  private validate(review: ReviewRequest): Outcome {
    if (!review.isPod || (review.operation !== 'CREATE' && review.operation !== 'UPDATE')) return allow();
    const pod = podOf(review.object);
    if (typeof pod === 'string') return refuse(400, `not a Pod: ${pod}`);
    if (!isMeasurementPod(pod.metadata.labels)) return allow();
    const namespace =
      review.namespace || (typeof pod.metadata.namespace === 'string' ? pod.metadata.namespace : 'default');
    return this.options.decider.validate(pod, namespace, review.operation);
  }

  /** Relays the review to the leader: its answer, or null when it cannot be reached or did not answer 200. */
  private async forward(leaderUrl: string, body: string, review: ReviewRequest): Promise<Forwarded | null> {
    const answer = await new Promise<{ status: number; body: string } | null>((resolve) => {
      const req = https.request(
        new URL('/mutate', leaderUrl),
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            [FORWARDED_HEADER]: '1',
            'content-length': Buffer.byteLength(body),
          },
          timeout: this.options.forward?.timeoutMs ?? DEFAULT_TIME_LIMITS.forwardWithinMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', () => resolve(null));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => {
        this.options.log?.('forwarding to the leader failed', {
          leader: leaderUrl,
          uid: review.uid,
          error: error.message,
        });
        resolve(null);
      });
      req.end(body);
    });
    if (answer === null || answer.status !== 200) return null;
    this.stats.forwarded += 1;
    return { forwarded: answer.body };
  }
}

/** The leader's AdmissionReview answer, relayed as it came. */
interface Forwarded {
  forwarded: string;
}

/**
 * The path of a request target. The API server calls `/mutate?timeout=5s`: the query is cut
 * without a URL parse; anything unusual (dot segments, an absolute form) goes through one.
 */
function pathOf(target: string | undefined): string {
  const raw = target ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  if (path.startsWith('/') && !path.includes('.') && !path.includes('%') && !path.startsWith('//')) return path;
  return new URL(raw, 'https://webhook').pathname;
}

/** The media type of a Content-Type header (parameters and blanks cut), without splitting the common value. */
function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  if (header === 'application/json') return header;
  const semicolon = header.indexOf(';');
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim();
}

/** The body as text, or null once a 413 has been sent (declared or actual size over the bound). */
function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    sendJson(res, 413, { message: `the body is larger than ${MAX_BODY_BYTES} bytes` }, true);
    req.resume();
    return Promise.resolve(null);
  }
  // Plain events rather than the stream's async iterator: one promise per request, not per chunk.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        sendJson(res, 413, { message: `the body is larger than ${MAX_BODY_BYTES} bytes` }, true);
        req.destroy();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
    // A client gone mid-body: nothing to answer.
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  sendRaw(res, status, JSON.stringify(body), close);
}

function sendRaw(res: http.ServerResponse, status: number, text: string, close = false): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  };
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}
