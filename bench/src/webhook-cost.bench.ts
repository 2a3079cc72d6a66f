/**
 * What one admission costs the webhook, in figures that do not depend on what else the machine
 * runs: CPU microseconds and JavaScript heap bytes per request (`webhook/cost-meter.ts`), at the
 * target rate of 1,000 requests/s over HTTPS on loopback, 5,000 nodes and 20,000 admissions
 * already made (the same cluster as the `webhook` bench). Beside it, the no-op HTTPS handler under
 * the same load: its cost is what TLS, HTTP and the body read take, the floor of any handler.
 * Each kind of request is measured on its own (placements, refusals, pods that are not
 * measurements) and mixed 3 : 1 as in the latency bench. The servers run pinned to CPU 0 and the
 * load generator to CPU 1 when `taskset` is there, so they do not take turns on one core.
 */
import os from 'node:os';
import type { Bench } from './index.js';
import { IMPOSSIBLE, LIGHT, review } from './webhook/apps.js';
import type { RequestCost } from './webhook/cost-meter.js';
import { LineProcess, canPin, runOnce } from './webhook/line-process.js';
import type { LoadFigures, LoadOptions } from './webhook/load.js';

const NODES = 5_000;
const BOOKINGS = 20_000;
const SERVER_CPU = 0;
const GENERATOR_CPU = 1;
const RATE = 1_000;
const SECONDS = 6;

const loadAverage = () => Math.round(os.loadavg()[0]! * 100) / 100;

const PLACEMENT = review(LIGHT, false);
const REFUSAL = review(IMPOSSIBLE, false);
const LOADS = {
  mixed: [PLACEMENT, PLACEMENT, PLACEMENT, REFUSAL],
  placements: [PLACEMENT],
  refusals: [REFUSAL],
  notMeasurement: [review(LIGHT, false, false)],
};

const bench: Bench = async () => {
  // The 1, 5 and 15-minute load averages: the host is shared, and latencies are read against them.
  const loadAtStart = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const webhookFlags = (process.env.NMAAS_BENCH_WEBHOOK_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const profile = process.env.NMAAS_BENCH_CPU_PROF;
  const webhook = new LineProcess(
    'webhook-process',
    { nodes: NODES, bookings: BOOKINGS, observe: false },
    [...webhookFlags, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    SERVER_CPU,
  );
  let noop: LineProcess | undefined;
  try {
    const ready = await webhook.next<{ url: string; ca: string; certFile: string; keyFile: string }>();
    noop = new LineProcess('noop-process', { certFile: ready.certFile, keyFile: ready.keyFile }, [], SERVER_CPU);
    const noopUrl = (await noop.next<{ url: string }>()).url;

    /** One fixed-rate load; the server's cost over exactly that window. */
    async function measure(server: LineProcess, url: string, bodies: string[], seconds = SECONDS) {
      const loadAverage1m = loadAverage();
      await server.ask(server === webhook ? 'reset' : 'stats');
      const options: LoadOptions = { url: `${url}/mutate`, ca: ready.ca, bodies, connections: 20, rate: RATE, seconds };
      const load = await runOnce<LoadFigures>('load-process', options, GENERATOR_CPU);
      const cost = await server.ask<RequestCost>('stats');
      return {
        loadAverage1m,
        requests: load.requests,
        non2xx: load.non2xx,
        errors: load.errors,
        cpuMicrosPerRequest: cost.cpuMicrosPerRequest,
        heapBytesPerRequest: cost.heapBytesPerRequest,
        systemCpuMicrosPerRequest: cost.systemCpuMicrosPerRequest,
        gcPauseMicrosPerRequest: cost.gcPauseMicrosPerRequest,
        gcPerThousandRequests: cost.gcPerThousandRequests,
      };
    }

    // Warm-up: the JIT on every path, TLS sessions; not reported.
    await measure(webhook, ready.url, LOADS.mixed, 3);
    await measure(noop, noopUrl, LOADS.mixed, 3);

    const noopCost = await measure(noop, noopUrl, LOADS.mixed);
    const webhookCost: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    for (const [name, bodies] of Object.entries(LOADS)) webhookCost[name] = await measure(webhook, ready.url, bodies);
    const mixed = webhookCost.mixed!;
    return {
      machineLoad: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      setup: {
        nodes: NODES,
        preloadRequested: BOOKINGS,
        ratePerSecond: RATE,
        secondsPerLoad: SECONDS,
        transport: 'HTTPS (TLS 1.3, ECDSA P-256) on 127.0.0.1, keep-alive, 20 connections',
        pinned: canPin ? `servers on CPU ${SERVER_CPU}, load generator on CPU ${GENERATOR_CPU}` : 'no (taskset absent)',
        webhookNodeFlags: webhookFlags,
      },
      webhook: webhookCost,
      noopHttpsReference: noopCost,
      mixedAboveNoop: {
        cpuMicrosPerRequest: (mixed.cpuMicrosPerRequest ?? 0) - (noopCost.cpuMicrosPerRequest ?? 0),
        heapBytesPerRequest: (mixed.heapBytesPerRequest ?? 0) - (noopCost.heapBytesPerRequest ?? 0),
      },
    };
  } finally {
    await noop?.stop();
    await webhook.stop();
  }
};

export default bench;
