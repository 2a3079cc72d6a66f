/**
 * The load generator (autocannon) and the figures the bench keeps of a run. It runs either in
 * the bench's own process or in a process of its own (`load-process.ts`), so the report can say
 * how much of a tail is the generator sharing a core with what it measures.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

export interface LoadOptions {
  url: string;
  /** CA file checking the server's certificate. */
  ca: string;
  /** AdmissionReview bodies, sent in turn. */
  bodies: string[];
  connections: number;
  /** Requests per second over all connections; absent: as fast as it goes. */
  rate?: number;
  seconds: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  requests: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadFigures> {
  const autocannon = require('autocannon') as Autocannon;
  const r = await autocannon({
    url: o.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    idReplacement: true,
    tlsOptions: { ca: readFileSync(o.ca) },
    requests: o.bodies.map((body) => ({ body })),
    connections: o.connections,
    duration: o.seconds,
    ...(o.rate !== undefined ? { overallRate: o.rate } : {}),
  });
  return {
    requestsPerSecond: Math.round(r.requests.average),
    requests: r.requests.total,
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      average: Math.round(r.latency.average * 100) / 100,
    },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}
