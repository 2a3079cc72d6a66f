/**
 * Scheduler webhook under HTTPS load on loopback: 5,000 nodes and 20,000 admissions already made
 * (the five example apps), the webhook in its own process (`webhook/webhook-process.ts`), then
 *   1. a fixed 1,000 requests/s for 10 s of real placements and refusals mixed 3 : 1, the target
 *      being client p99 ≤ 5 ms, beside a no-op HTTPS handler under the same load in the same run;
 *      each with the load generator in a process of its own and in the bench's process;
 *   2. saturation: dry-run placements, the no-op handler, and non-measurement pods (the webhook
 *      without the engine), each as fast as 32 connections go;
 *   3. storms of 10,000 fresh TLS connections, paced and in one burst: how each ended, the
 *      answered ones' times, and the webhook's RSS before, during and after;
 *   4. node churn: every node's offer replaced four times, three times over; memory each time.
 * Every figure carries the 1-minute load average at its start (the machine is shared). With
 * `taskset` the webhook and the no-op peer run on CPU 0 and every load generator on CPU 1, so a
 * server and the client measuring it do not take turns on one core. CPU time and heap bytes per
 * request are reported beside the latencies (`webhook-cost.bench.ts` measures them per kind of request).
 * `NMAAS_BENCH_CPU_PROF=<dir>` writes a CPU profile of the webhook process there;
 * `NMAAS_BENCH_WEBHOOK_FLAGS="--max-semi-space-size=64"` runs the webhook with those node flags.
 */
import os from 'node:os';
import type { Bench } from './index.js';
import { IMPOSSIBLE, LIGHT, review } from './webhook/apps.js';
import { LineProcess, canPin, pinSelf, runOnce } from './webhook/line-process.js';
import { runLoad, type LoadFigures, type LoadOptions } from './webhook/load.js';

const NODES = 5_000;
const BOOKINGS = 20_000;
const STORM_CONNECTIONS = 10_000;
/** The servers on one CPU, every load generator (and this process) on the other, when taskset is there. */
const SERVER_CPU = 0;
const GENERATOR_CPU = 1;

interface Ready {
  url: string;
  ca: string;
  certFile: string;
  keyFile: string;
  placed: number;
  preloadSeconds: number;
  rssMiB: number;
  heapMiB: number;
}

interface ServerStats {
  cpuMicrosPerRequest: number | null;
  heapBytesPerRequest: number | null;
  gcPauseMicrosPerRequest: number | null;
  bookings: number;
  rssMiB: number;
  heapMiB: number;
  peakRssMiB: number;
  stats: Record<string, number>;
  shed: Record<string, number>;
  serverLatencyMs: { count: number; p50: number; p99: number; max: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  gc: Record<string, number>;
}

const loadAverage = () => Math.round(os.loadavg()[0]! * 100) / 100;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Real placements and refusals, 3 : 1. */
const MIXED = [review(LIGHT, false), review(LIGHT, false), review(LIGHT, false), review(IMPOSSIBLE, false)];
const DRY_RUN = [review(LIGHT, true)];
const NOT_MEASUREMENT = [review(LIGHT, true, false)];

const bench: Bench = async () => {
  // The 1, 5 and 15-minute load averages: the host is shared, and latencies are read against them.
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const profile = process.env.NMAAS_BENCH_CPU_PROF;
  const webhookFlags = (process.env.NMAAS_BENCH_WEBHOOK_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const webhook = new LineProcess(
    'webhook-process',
    { nodes: NODES, bookings: BOOKINGS },
    ['--expose-gc', ...webhookFlags, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    SERVER_CPU,
  );
  const pinned = pinSelf(GENERATOR_CPU);
  let noop: LineProcess | undefined;
  try {
    const ready = await webhook.next<Ready>();
    noop = new LineProcess('noop-process', { certFile: ready.certFile, keyFile: ready.keyFile }, [], SERVER_CPU);
    const targets = { webhook: `${ready.url}/mutate`, noop: `${(await noop.next<{ url: string }>()).url}/mutate` };

    /** One load against one target; the webhook's own figures for the same window when it is the target. */
    async function scenario(
      target: keyof typeof targets,
      load: Omit<LoadOptions, 'url' | 'ca'>,
      generator: 'own process' | 'bench process' = 'own process',
    ): Promise<LoadFigures & { loadAverage1m: number; generator: string; server: Partial<ServerStats> }> {
      const options = { ...load, url: targets[target], ca: ready.ca };
      const loadAverage1m = loadAverage();
      const peer = target === 'webhook' ? webhook : noop!;
      await peer.ask(target === 'webhook' ? 'reset' : 'stats');
      const figures =
        generator === 'own process'
          ? await runOnce<LoadFigures>('load-process', options, GENERATOR_CPU)
          : await runLoad(options);
      const server = await peer.ask<Partial<ServerStats>>('stats');
      return { ...figures, loadAverage1m, generator, server };
    }

    // Warm-up (JIT on the placement and refusal paths, TLS sessions), not reported.
    for (const target of ['webhook', 'noop'] as const)
      await scenario(target, { bodies: MIXED, connections: 10, rate: 500, seconds: 3 });

    // 50 connections: a response slower than 50 ms would otherwise lower the offered rate itself.
    const fixed = { bodies: MIXED, connections: 50, rate: 1000, seconds: 10 };
    const bookingsBefore = (await webhook.ask<ServerStats>('stats')).bookings;
    const webhookFixed = await scenario('webhook', fixed);
    const noopFixed = await scenario('noop', fixed);
    const webhookFixedInBench = await scenario('webhook', fixed, 'bench process');
    const noopFixedInBench = await scenario('noop', fixed, 'bench process');

    const saturation = { connections: 32, seconds: 10 };
    const webhookMax = await scenario('webhook', { ...saturation, bodies: DRY_RUN });
    const noopMax = await scenario('noop', { ...saturation, bodies: DRY_RUN });
    const passMax = await scenario('webhook', { ...saturation, bodies: NOT_MEASUREMENT });

    // Storms, against the webhook only (the no-op handler has no limits to check).
    await noop.stop();
    async function storm(batch: number) {
      const before = await webhook.ask<{ rssMiB: number; heapMiB: number }>('gc');
      await webhook.ask('reset');
      const loadAverage1m = loadAverage();
      const client = await runOnce<Record<string, unknown>>('storm-process', {
        url: targets.webhook,
        ca: ready.ca,
        body: DRY_RUN[0],
        connections: STORM_CONNECTIONS,
        boundMs: 30_000,
        batch,
      });
      const during = await webhook.ask<
        ServerStats & { refusedHandshakes: number; handshakeMs: Record<string, number> }
      >('stats');
      await new Promise((r) => setTimeout(r, 3_000)); // closed sockets and TLS sessions released
      const after = await webhook.ask<{ rssMiB: number; heapMiB: number }>('gc');
      return {
        loadAverage1m,
        ...client,
        server: {
          rssMiBBefore: before.rssMiB,
          rssMiBPeakDuring: during.peakRssMiB,
          rssMiBAfter: after.rssMiB,
          heapMiBBefore: before.heapMiB,
          heapMiBAfter: after.heapMiB,
          closedOnArrival: during.refusedHandshakes,
          handshakeMs: during.handshakeMs,
          shed: during.shed,
          latencyMs: during.serverLatencyMs,
        },
      };
    }
    const pacedStorm = await storm(100);
    const burstStorm = await storm(0);
    const rssAtEnd = (await webhook.ask<{ rssMiB: number }>('gc')).rssMiB;
    // Node churn three times over: a leak grows with every round, retained pages do not.
    const churnLoad = loadAverage();
    const churn: Record<string, unknown>[] = [];
    for (let i = 0; i < 3; i++) churn.push(await webhook.ask<Record<string, unknown>>('churn 4'));

    const ratio = (a: number, b: number) => round2(a / Math.max(1, b));
    return {
      machineLoad: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      setup: {
        nodes: NODES,
        preloadRequested: BOOKINGS,
        preloadPlaced: ready.placed,
        preloadSeconds: round2(ready.preloadSeconds),
        inProcessMicrosPerAdmission: Math.round((ready.preloadSeconds * 1e6) / BOOKINGS),
        transport: 'HTTPS (TLS 1.3, ECDSA P-256) on 127.0.0.1, keep-alive',
        loadGenerator: 'autocannon 9, in a process of its own unless marked "bench process"',
        webhookNodeFlags: webhookFlags,
        pinned: pinned
          ? `webhook and no-op peer on CPU ${SERVER_CPU}; load generators and the bench process on CPU ${GENERATOR_CPU}`
          : canPin
            ? 'servers pinned; the bench process could not be'
            : 'no (taskset absent)',
      },
      fixedRate1000: {
        mix: '3 placements : 1 refusal',
        targetP99Ms: 5,
        meetsTarget: webhookFixed.latencyMs.p99 <= 5,
        placedDuringRuns: webhookFixedInBench.server.bookings! - bookingsBefore,
        webhook: webhookFixed,
        noopHttpsReference: noopFixed,
        p99RatioWebhookToNoop: ratio(webhookFixed.latencyMs.p99, noopFixed.latencyMs.p99),
        generatorInBenchProcess: { webhook: webhookFixedInBench, noopHttpsReference: noopFixedInBench },
      },
      saturation: {
        dryRunPlacements: webhookMax,
        noopHttpsReference: noopMax,
        withoutEngine: passMax,
        throughputRatioWebhookToNoop: ratio(webhookMax.requestsPerSecond, noopMax.requestsPerSecond),
        bookingsUnchanged: webhookMax.server.bookings! === webhookFixedInBench.server.bookings!,
      },
      storm: {
        paced: pacedStorm,
        burst: burstStorm,
        note: 'paced: 100 connections opened per turn of the client event loop; burst: all opened in one loop, where the client (on the same 2 cores) computes thousands of key shares at once and sets the pace',
      },
      nodeChurn: { loadAverage1m: churnLoad, rounds: churn },
      serverMemory: {
        heapMiBAfterPreload: ready.heapMiB,
        rssMiBAfterPreload: ready.rssMiB,
        rssMiBAfterStorms: rssAtEnd,
      },
      reference:
        'Kyverno scale test: 1 replica, 100 VUs: latency avg 44.28 ms, p90 67.64 ms (kyverno/website scaling.md)',
    };
  } finally {
    await noop?.stop();
    await webhook.stop();
    pinSelf(null);
  }
};

export default bench;
