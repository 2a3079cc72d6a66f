/**
 * The webhook under test, in its own process (a `serve --dev` replica: in-memory state): builds
 * a cluster of `nodes` nodes and `bookings` admissions, prints one line when ready, then answers
 * commands on stdin, one JSON line each (`observe: false` leaves out the event-loop delay monitor
 * and the RSS sampler, whose timers cost CPU per second the no-op peer does not pay):
 *   reset  clears the server-side latency ring, the event-loop delay histogram and the GC record;
 *   stats  bookings, memory, server-side latency, event-loop delay and GC pauses since the reset;
 *   churn  replaces every node's offer (capacity changed and changed back) `rounds` times, then
 *          reports memory after a full GC: replaced nodes must leave nothing behind;
 *   gc     a full GC, then memory.
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PerformanceObserver, constants, monitorEventLoopDelay, type PerformanceEntry } from 'node:perf_hooks';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
import { generateCertificates, startDevReplica } from '@nmaas/scheduler/webhook';
import { PRELOAD_APPS, measurementPod } from './apps.js';
import { CostMeter } from './cost-meter.js';

const {
  nodes,
  bookings,
  limits,
  observe = true,
} = JSON.parse(process.argv[2]!) as {
  nodes: number;
  bookings: number;
  limits?: Record<string, number>;
  observe?: boolean;
};
const certDir = await mkdtemp(path.join(tmpdir(), 'nmaas-wh-bench-'));
const certs = await generateCertificates(certDir);
const pools = ['edge', 'core', 'lab'];
const offer = (i: number, bandwidth = 1000) => ({
  name: `node-${i}`,
  pool: pools[i % 3]!,
  labels: { [NODE_POOL_LABEL]: pools[i % 3]!, 'kubernetes.io/hostname': `node-${i}` },
  capacity: { cpu: 4000, memory: 8192, bandwidth },
});
const offers = Array.from({ length: nodes }, (_, i) => offer(i));
const replica = await startDevReplica({
  certFile: certs.certFile,
  keyFile: certs.keyFile,
  port: 0,
  host: '127.0.0.1',
  nodes: [],
  offers,
  limits,
});
const started = performance.now();
let placed = 0;
for (let i = 0; i < bookings; i++) {
  const o = await replica.decider.mutate(measurementPod(PRELOAD_APPS[i % PRELOAD_APPS.length]!, 'm'), 'm', false);
  if (o.allowed) placed++;
}
const preloadSeconds = (performance.now() - started) / 1000;

const gc = globalThis.gc as (() => void) | undefined;
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
function memory() {
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapMiB: mib(m.heapUsed), externalMiB: mib(m.external) };
}

// Where a tail can come from besides the decision: the event loop held by something else, GC.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
if (observe) loopDelay.enable();
let pauses: { kind: number; ms: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[])
    pauses.push({ kind: e.detail?.kind ?? 0, ms: e.duration });
}).observe({ entryTypes: ['gc'] });
// Peak RSS between two reads (a storm's "during").
let peakRss = 0;
const sampler = observe ? setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50) : undefined;

function gcSummary() {
  const sorted = pauses.map((p) => p.ms).sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  const major = pauses.filter((p) => p.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
  const minor = pauses.filter((p) => p.kind === constants.NODE_PERFORMANCE_GC_MINOR);
  return {
    count: pauses.length,
    totalMs: round(sorted.reduce((a, b) => a + b, 0)),
    maxMs: round(sorted.at(-1) ?? 0),
    over5Ms: sorted.filter((x) => x > 5).length,
    minor: minor.length,
    minorMaxMs: round(Math.max(0, ...minor.map((p) => p.ms))),
    major: major.length,
    majorMaxMs: round(Math.max(0, ...major.map((p) => p.ms))),
  };
}

// CPU time and heap bytes per request: what the webhook costs whatever else the machine runs.
const cost = new CostMeter(() => replica.server.stats.requests);

function stats() {
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    ...cost.read(),
    bookings: replica.state.engine.bookings().length,
    ...memory(),
    peakRssMiB: mib(peakRss),
    stats: replica.server.stats,
    shed: replica.decider.shed,
    refusedHandshakes: replica.server.tls.refusedHandshakes,
    handshakeMs: replica.server.tls.handshakeLatency(true),
    serverLatencyMs: replica.server.latency(true),
    eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
    gc: gcSummary(),
  };
}

function reset(): void {
  replica.server.latency(true);
  replica.server.tls.handshakeLatency(true);
  cost.reset();
  loopDelay.reset();
  pauses = [];
  peakRss = process.memoryUsage().rss;
}

function churn(rounds: number) {
  gc?.();
  const before = memory();
  const startedAt = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < nodes; i++) {
      const o = offer(i, r % 2 === 0 ? 1001 : 1000);
      replica.state.setOffer(o.name, { offer: o, hostname: o.name });
    }
  }
  const seconds = (performance.now() - startedAt) / 1000;
  gc?.();
  return { rounds, replacements: rounds * nodes, seconds, before, after: memory() };
}

gc?.();
process.stdout.write(
  `${JSON.stringify({ url: replica.url, ca: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile, pid: process.pid, placed, preloadSeconds, ...memory() })}\n`,
);
let pending = '';
process.stdin.on('data', (d: Buffer) => {
  pending += d.toString();
  let i: number;
  while ((i = pending.indexOf('\n')) >= 0) {
    const [command, arg] = pending.slice(0, i).trim().split(' ');
    pending = pending.slice(i + 1);
    let answer: unknown = { error: `unknown command ${command}` };
    if (command === 'reset') answer = (reset(), {});
    if (command === 'stats') answer = stats();
    if (command === 'gc') answer = (gc?.(), memory());
    if (command === 'churn') answer = churn(Number(arg ?? 4));
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
});
process.stdin.on('end', () => {
  clearInterval(sampler);
  loopDelay.disable();
  void replica.stop().then(() => {
    rmSync(certDir, { recursive: true, force: true });
    process.exit(0);
  });
});
