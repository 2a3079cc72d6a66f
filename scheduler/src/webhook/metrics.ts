/**
 * The webhook's Prometheus metrics, served on its HTTPS port at `GET /metrics` (the chart's
 * ServiceMonitor scrapes it with scheme https and the CA of the serving certificate, so no second
 * listener and no second NetworkPolicy port are needed).
 *
 * Counters and the latency histogram are fed by the server (`observeAdmission`) and the watch
 * loops (`watchError`); gauges are read at scrape time from what the replica already holds (the
 * decision queue, the nodes and bookings, the Lease, the certificate file), so nothing has to keep
 * them up to date. The names are what the chart's alerts read (`SCHEDULER_METRICS`).
 */
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type http from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Outcome } from './admission-review.js';
import type { ServiceCounts } from './admission-service.js';

export const SCHEDULER_METRICS = {
  admissions: 'nmaas_scheduler_admissions_total',
  duration: 'nmaas_scheduler_admission_duration_seconds',
  queue: 'nmaas_scheduler_queue_depth',
  nodes: 'nmaas_scheduler_nodes',
  bookings: 'nmaas_scheduler_bookings',
  leader: 'nmaas_scheduler_leader',
  ready: 'nmaas_scheduler_ready',
  certificateExpiry: 'nmaas_scheduler_certificate_expiry_timestamp_seconds',
  watchErrors: 'nmaas_scheduler_watch_errors_total',
  affinityOrphans: 'nmaas_scheduler_affinity_orphans',
  repairsCut: 'nmaas_scheduler_repairs_cut_total',
} as const;

/**
 * How an admission ended. `shed` is every retryable 503 (queue full, turn past its deadline, no
 * leader yet): the API server got an explicit refusal instead of a decision.
 */
export const ADMISSION_OUTCOMES = ['placed', 'allowed', 'refused', 'shed', 'error'] as const;
export type AdmissionOutcome = (typeof ADMISSION_OUTCOMES)[number];

/** Which webhook answered: the mutating one places, the validating one checks bookings. */
export const WEBHOOK_PATHS = ['mutate', 'validate'] as const;

/** Fine below 100 ms (decisions take about 1 ms) and up to the largest webhook timeoutSeconds (30 s). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];

/** What the gauges read at scrape time; the webhook server's own options satisfy it. */
export interface WebhookMetricsSources {
  decider: {
    readonly queued: number;
    readonly service: { counts(): ServiceCounts };
  };
  /** Absent in dev mode, where this process always decides. */
  leadership?: { canDecide(): boolean };
  ready?: () => boolean;
  certFile: string;
}

export function admissionOutcome(outcome: Outcome): AdmissionOutcome {
  if (outcome.allowed) return outcome.patch !== undefined ? 'placed' : 'allowed';
  if (outcome.code === 503) return 'shed';
  if ((outcome.code ?? 0) >= 500) return 'error';
  return 'refused';
}

/** The certificate's notAfter in Unix seconds, or NaN when the file cannot be read or parsed. */
export function certificateExpiry(certFile: string): number {
  try {
    const validTo = new X509Certificate(readFileSync(certFile)).validTo;
    return Date.parse(validTo) / 1000;
  } catch {
    return Number.NaN;
  }
}

/** Label sets built once: prom-client would otherwise get a new object per observation. */
const WEBHOOK_LABELS = new Map(WEBHOOK_PATHS.map((webhook) => [`/${webhook}`, { webhook }]));

export class WebhookMetrics {
  readonly registry = new Registry();
  /**
   * Admissions by webhook and outcome, counted in a plain array on the hot path (no label hashing,
   * nothing allocated) and handed to the counter when it is scraped.
   */
  private readonly answered = new Float64Array(WEBHOOK_PATHS.length * ADMISSION_OUTCOMES.length);
  private readonly admissions: Counter<'webhook' | 'outcome'>;
  private readonly duration: Histogram<'webhook'>;
  private readonly watchErrors: Counter<'resource'>;
  private sources: WebhookMetricsSources | undefined;

  constructor() {
    const registers = [this.registry];
    const m = SCHEDULER_METRICS;
    const answered = this.answered;
    this.admissions = new Counter({
      name: m.admissions,
      help: 'Admission reviews answered, by webhook (mutate, validate) and outcome (placed, allowed, refused, shed, error).',
      labelNames: ['webhook', 'outcome'] as const,
      registers,
      // Every series from the start, so rate() and the error-ratio alert see zeros instead of nothing.
      collect(this: Counter<'webhook' | 'outcome'>) {
        this.reset();
        WEBHOOK_PATHS.forEach((webhook, w) =>
          ADMISSION_OUTCOMES.forEach((outcome, o) =>
            this.inc({ webhook, outcome }, answered[w * ADMISSION_OUTCOMES.length + o]!),
          ),
        );
      },
    });
    this.duration = new Histogram({
      name: m.duration,
      help: 'Time from a review read to its answer (queue wait and decision), by webhook.',
      labelNames: ['webhook'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    for (const webhook of WEBHOOK_PATHS) this.duration.zero({ webhook });
    this.watchErrors = new Counter({
      name: m.watchErrors,
      help: 'Failed list or watch calls to the API server (each is followed by a relist), by resource.',
      labelNames: ['resource'] as const,
      registers,
    });
    for (const resource of ['nodes', 'pods']) this.watchErrors.inc({ resource }, 0);
    const sourcesNow = () => this.sources;
    const gauge = (name: string, help: string, read: (s: WebhookMetricsSources) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect(this: Gauge) {
          const sources = sourcesNow();
          if (sources !== undefined) this.set(read(sources));
        },
      });
    gauge(m.queue, 'Placement decisions queued or running now.', (s) => s.decider.queued);
    gauge(m.nodes, 'Pooled nodes with a valid capacity offer.', (s) => s.decider.service.counts().nodes);
    gauge(
      m.bookings,
      'Measurement pods tracked (booked, pending or running).',
      (s) => s.decider.service.counts().bookings,
    );
    gauge(
      m.affinityOrphans,
      'Measurement pods whose required affinity partner left their node, not yet evicted (e.g. held by a PodDisruptionBudget).',
      (s) => s.decider.service.counts().affinityOrphans,
    );
    new Counter({
      name: m.repairsCut,
      help: "Measurement pods refused because their search for moves reached its time limit (a share of the webhook's timeoutSeconds) before it had tried everything.",
      registers,
      collect(this: Counter) {
        const sources = sourcesNow();
        if (sources === undefined) return;
        this.reset();
        this.inc(sources.decider.service.counts().repairsCut);
      },
    });
    gauge(m.leader, '1 while this replica may decide (it holds the Lease, or runs alone).', (s) =>
      s.leadership === undefined || s.leadership.canDecide() ? 1 : 0,
    );
    gauge(m.ready, '1 once the node and pod informers have synced.', (s) => ((s.ready?.() ?? true) ? 1 : 0));
    gauge(m.certificateExpiry, 'notAfter of the serving certificate, in Unix seconds.', (s) =>
      certificateExpiry(s.certFile),
    );
  }

  /** Where the gauges read from; returns this, so the server binds it in one expression. */
  readFrom(sources: WebhookMetricsSources): this {
    this.sources = sources;
    return this;
  }

  /** `path` is the request path (`/mutate` or `/validate`); `seconds` the time to the answer. */
  observeAdmission(path: string, outcome: Outcome, seconds: number): void {
    const w = path === '/mutate' ? 0 : path === '/validate' ? 1 : -1;
    if (w < 0) return;
    this.answered[w * ADMISSION_OUTCOMES.length + ADMISSION_OUTCOMES.indexOf(admissionOutcome(outcome))]! += 1;
    this.duration.observe(WEBHOOK_LABELS.get(path)!, seconds);
  }

  watchError(resource: 'nodes' | 'pods'): void {
    this.watchErrors.inc({ resource });
  }

  /** The text exposition (format 0.0.4) of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Answers `GET /metrics`. */
  async serve(res: http.ServerResponse): Promise<void> {
    const body = await this.text();
    res.writeHead(200, { 'content-type': this.registry.contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }
}
