/**
 * Scheduler webhook under HTTPS load on loopback (autocannon): 5,000 nodes and 20,000 bookings
 * already made, then
 *   1. a fixed 1,000 requests/s for 10 s of real placements (each books a slot): p50/p99 latency,
 *      the target being p99 ≤ 5 ms (Kyverno's published p90 is 55-68 ms at 100 VUs);
 *   2. as fast as it goes, dry-run placements (state unchanged): requests/s and latency.
 * The webhook runs in its own process (`serve --dev` equivalent, in-memory state), so the load
 * generator does not share its event loop.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePodContract, type PodContract } from '@nmaas/sdk/contract';
import type { Bench } from './index.js';

const require = createRequire(import.meta.url);
interface AutocannonResult {
  requests: { average: number; total: number; sent: number };
  latency: { p50: number; p90: number; p99: number; p99_9?: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  '2xx': number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = require('autocannon') as Autocannon;

interface Stats {
  bookings: number;
  heapBytes: number;
  rssBytes: number;
  stats: Record<string, number>;
  serverLatencyMs: { count: number; p50: number; p99: number; max: number };
}

const NODES = 5_000;
const BOOKINGS = 20_000;
const here = path.dirname(fileURLToPath(import.meta.url));

/** The webhook process: builds the cluster state, then serves. Prints one JSON line when ready. */
const SERVER = `
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { encodePodContract } from '@nmaas/sdk/contract';
import { startDevReplica, generateCertificates } from '@nmaas/scheduler';
import { NODE_POOL_LABEL } from '@nmaas/sdk/contract';
const [nodes, bookings] = JSON.parse(process.argv[1]);
const certs = await generateCertificates(await mkdtemp(path.join(tmpdir(), 'nmaas-wh-bench-')));
const pools = ['edge', 'core', 'lab'];
const offers = Array.from({ length: nodes }, (_, i) => ({
  name: 'node-' + i, pool: pools[i % 3], labels: { [NODE_POOL_LABEL]: pools[i % 3], 'kubernetes.io/hostname': 'node-' + i },
  capacity: { cpu: 4000, memory: 8192, bandwidth: 1000 },
}));
const replica = await startDevReplica({ certFile: certs.certFile, keyFile: certs.keyFile, port: 0, host: '127.0.0.1', nodes: [], offers });
const apps = [
  { app: 'web-qos', everySeconds: 300, durationSeconds: 20, startWithinSeconds: 300, run: { cpu: 250, memory: 128, bandwidth: 20 }, idle: { cpu: 10, memory: 48 }, nodeSelector: {}, affinity: [], antiAffinity: [], exclusive: false, spreadGroup: null },
  { app: 'streaming-qos', everySeconds: 600, durationSeconds: 120, startWithinSeconds: 600, run: { cpu: 500, memory: 256, bandwidth: 200 }, idle: { cpu: 10, memory: 64 }, nodeSelector: {}, affinity: [], antiAffinity: ['ip-spoofing'], exclusive: false, spreadGroup: null },
  { app: 'dns-probe', everySeconds: 60, durationSeconds: 5, startWithinSeconds: 60, run: { cpu: 100, memory: 64, bandwidth: 1 }, idle: { cpu: 5, memory: 32 }, nodeSelector: { [NODE_POOL_LABEL]: 'edge' }, affinity: [], antiAffinity: [], exclusive: false, spreadGroup: null },
  { app: 'ip-spoofing', everySeconds: 900, durationSeconds: 60, startWithinSeconds: 900, run: { cpu: 200, memory: 128, bandwidth: 50 }, idle: { cpu: 5, memory: 32 }, nodeSelector: {}, affinity: [], antiAffinity: ['streaming-qos'], exclusive: true, spreadGroup: null },
  { app: 'cartography', everySeconds: 1800, durationSeconds: 60, startWithinSeconds: 600, run: { cpu: 200, memory: 128, bandwidth: 10 }, idle: { cpu: 5, memory: 64 }, nodeSelector: {}, affinity: ['web-qos'], antiAffinity: [], exclusive: false, spreadGroup: null },
];
const started = performance.now();
let placed = 0;
for (let i = 0; i < bookings; i++) {
  const c = apps[i % apps.length];
  const meta = encodePodContract(c);
  const o = await replica.decider.mutate({ metadata: { generateName: c.app + '-', namespace: 'm', labels: meta.labels, annotations: meta.annotations }, spec: { containers: [{ name: 'c' }] } }, 'm', false);
  if (o.allowed) placed++;
}
const preloadSeconds = (performance.now() - started) / 1000;
globalThis.gc?.();
process.stdout.write(JSON.stringify({ url: replica.url, ca: certs.caFile, certFile: certs.certFile, keyFile: certs.keyFile, placed, preloadSeconds, heapBytes: process.memoryUsage().heapUsed, rssBytes: process.memoryUsage().rss }) + '\\n');
process.stdin.on('data', (d) => {
  if (String(d).trim() === 'reset') { replica.server.latency(true); process.stdout.write('{}\\n'); }
  if (String(d).trim() === 'stats') process.stdout.write(JSON.stringify({ bookings: replica.state.engine.bookings().length, heapBytes: process.memoryUsage().heapUsed, rssBytes: process.memoryUsage().rss, stats: replica.server.stats, serverLatencyMs: replica.server.latency(true) }) + '\\n');
});
process.stdin.on('end', () => replica.stop().then(() => process.exit(0)));
`;

/**
 * The reference peer: a no-op HTTPS handler on the same certificate that reads the body and answers
 * a fixed AdmissionReview. Its latency under the same load is what TLS, HTTP and the event loop
 * cost on this machine at this moment; the webhook's figures are read against it.
 */
const NOOP_SERVER = `
import https from 'node:https';
import { readFileSync } from 'node:fs';
const [certFile, keyFile] = JSON.parse(process.argv[1]);
const answer = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'x', allowed: true } });
const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, (req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }); res.end(answer); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: 'https://127.0.0.1:' + server.address().port }) + '\\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

function review(c: PodContract, dryRun: boolean): string {
  const meta = encodePodContract(c);
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'bench-[<id>]',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'bench',
      operation: 'CREATE',
      dryRun,
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: `${c.app}-`, namespace: 'bench', labels: meta.labels, annotations: meta.annotations },
        spec: {
          containers: [
            {
              name: c.app,
              image: `example/${c.app}:1`,
              env: [{ name: 'NMAAS_CONFIG', value: '/etc/nmaas/config.json' }],
            },
          ],
        },
      },
    },
  });
}

/** Needs 5 Gbps on 1 Gbps nodes: always refused, with the reason computed (then remembered per shape). */
const impossible: PodContract = {
  app: 'bench-bulk',
  everySeconds: 300,
  durationSeconds: 10,
  startWithinSeconds: 300,
  run: { cpu: 50, memory: 32, bandwidth: 5000 },
  idle: { cpu: 2, memory: 16 },
  nodeSelector: {},
  affinity: [],
  antiAffinity: [],
  exclusive: false,
  spreadGroup: null,
};

const light: PodContract = {
  app: 'bench-probe',
  everySeconds: 300,
  durationSeconds: 10,
  startWithinSeconds: 300,
  run: { cpu: 50, memory: 32, bandwidth: 5 },
  idle: { cpu: 2, memory: 16 },
  nodeSelector: {},
  affinity: [],
  antiAffinity: [],
  exclusive: false,
  spreadGroup: null,
};

const figures = (r: AutocannonResult) => ({
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
});

const bench: Bench = async () => {
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--input-type=module', '-e', SERVER, JSON.stringify([NODES, BOOKINGS])],
    {
      cwd: here,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let buffer = '';
  const waiters: ((line: string) => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const l = lines.shift();
      if (l !== undefined) return resolve(l);
      waiters.push(resolve);
      child.once('exit', (code) => reject(new Error(`webhook process exited ${code}`)));
    });
  try {
    const ready = JSON.parse(await nextLine()) as {
      url: string;
      ca: string;
      certFile: string;
      keyFile: string;
      placed: number;
      preloadSeconds: number;
      heapBytes: number;
      rssBytes: number;
    };
    const ca = readFileSync(ready.ca);
    const common = {
      url: `${ready.url}/mutate`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      idReplacement: true,
      tlsOptions: { ca },
      duration: 10,
    };
    // Warm-up (JIT, TLS sessions), not reported.
    await autocannon({ ...common, body: review(light, true), connections: 10, duration: 2 });
    child.stdin.write('reset\n');
    await nextLine();
    // Real placements and refusals mixed (one in four refused), at a fixed 1,000 requests/s.
    const mixed = [review(light, false), review(light, false), review(light, false), review(impossible, false)].map(
      (body) => ({ body }),
    );
    const fixed = await autocannon({ ...common, requests: mixed, connections: 20, overallRate: 1000 });
    child.stdin.write('stats\n');
    const afterFixed = JSON.parse(await nextLine()) as Stats;
    // The reference peer under the same load, in the same run.
    const noop = spawn(
      process.execPath,
      ['--input-type=module', '-e', NOOP_SERVER, JSON.stringify([ready.certFile, ready.keyFile])],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const noopUrl = await new Promise<string>((resolve, reject) => {
      noop.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { url: string }).url));
      noop.once('exit', (code) => reject(new Error(`no-op server exited ${code}`)));
    });
    const noopCommon = { ...common, url: `${noopUrl}/mutate` };
    await autocannon({ ...noopCommon, body: review(light, true), connections: 10, duration: 2 });
    const reference = await autocannon({ ...noopCommon, requests: mixed, connections: 20, overallRate: 1000 });
    const referenceMax = await autocannon({ ...noopCommon, body: review(light, true), connections: 32 });
    noop.stdin.end();
    const max = await autocannon({ ...common, body: review(light, true), connections: 32 });
    child.stdin.write('stats\n');
    const afterMax = JSON.parse(await nextLine()) as Stats;
    // The same transport and parsing without the engine (a pod that is not a measurement): what
    // the webhook itself costs, to tell it apart from the placement decision.
    const plain = JSON.parse(review(light, true)) as {
      request: { object: { metadata: { labels: Record<string, string> } } };
    };
    plain.request.object.metadata.labels = { app: 'not-a-measurement' };
    const pass = await autocannon({ ...common, body: JSON.stringify(plain), connections: 32 });
    child.stdin.write('stats\n');
    const afterPass = JSON.parse(await nextLine()) as Stats;
    return {
      setup: {
        nodes: NODES,
        preloadRequested: BOOKINGS,
        preloadPlaced: ready.placed,
        preloadSeconds: Math.round(ready.preloadSeconds * 10) / 10,
        transport: 'HTTPS (TLS 1.3, ECDSA P-256) on 127.0.0.1, keep-alive',
      },
      fixedRate1000: {
        ...figures(fixed),
        mix: '3 placements : 1 refusal',
        serverSideMs: afterFixed.serverLatencyMs,
        placedDuringRun: afterFixed.bookings - ready.placed,
        refusedDuringRun: afterFixed.stats.refused,
        targetP99Ms: 5,
        meetsTarget: fixed.latency.p99 <= 5,
      },
      noopHttpsReference: {
        fixedRate1000: figures(reference),
        maxThroughput: { ...figures(referenceMax), connections: 32 },
        p99RatioWebhookToNoop: Math.round((fixed.latency.p99 / Math.max(1, reference.latency.p99)) * 100) / 100,
        throughputRatioWebhookToNoop:
          Math.round((max.requests.average / Math.max(1, referenceMax.requests.average)) * 100) / 100,
      },
      maxThroughputDryRun: {
        ...figures(max),
        serverSideMs: afterMax.serverLatencyMs,
        connections: 32,
        bookingsUnchanged: afterMax.bookings === afterFixed.bookings,
      },
      inProcessMicrosPerAdmission: Math.round((ready.preloadSeconds * 1e6) / BOOKINGS),
      loadAverage1m: os.loadavg()[0],
      maxThroughputWithoutEngine: { ...figures(pass), serverSideMs: afterPass.serverLatencyMs, connections: 32 },
      serverMemory: {
        heapMiBAfterPreload: Math.round(ready.heapBytes / 2 ** 20),
        rssMiBAfterRuns: Math.round(afterPass.rssBytes / 2 ** 20),
      },
      reference:
        'Kyverno scale test: 1 replica, 100 VUs: latency avg 44.28 ms, p90 67.64 ms (kyverno/website scaling.md)',
    };
  } finally {
    child.stdin.end();
    await new Promise((r) => {
      if (child.exitCode !== null) r(null);
      else child.once('exit', r);
      setTimeout(() => {
        child.kill('SIGKILL');
        r(null);
      }, 10_000).unref();
    });
  }
};

export default bench;
