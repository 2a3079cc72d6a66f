/**
 * The webhook's /metrics over real HTTPS from a dev replica: admissions counted by outcome, the
 * latency histogram, the gauges read at scrape time (queue, nodes, bookings, leader, readiness,
 * certificate expiry), watch errors, and the exposition checked by the real `promtool check metrics`.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { refuse, allow } from './admission-review.js';
import { generateCertificates } from './certificates.js';
import { ADMISSION_OUTCOMES, SCHEDULER_METRICS, WebhookMetrics, admissionOutcome } from './metrics.js';
import { startClusterReplica, startDevReplica, type Replica } from './runtime.js';
import type { KubeApi, Pod, WatchOptions } from '../kube/types.js';
import { fakeCluster } from '../kube/test-api.js';
import { admissionReview, contract, contractPod, httpsGet, measurementNode, post } from './testing.js';

const temp = new TempDirs('wh-metrics');
afterAll(() => temp.removeAll());

const openssl = tool('openssl', 'apt-get install openssl');
const promtool = tool('promtool', 'apt-get install prometheus');

/** The value of one sample line (`name{labels} value`) in an exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('admissionOutcome', () => {
  it('names placements, plain allows, refusals, shed 503s and internal errors apart', () => {
    expect(admissionOutcome(allow({ patch: [] }))).toBe('placed');
    expect(admissionOutcome(allow())).toBe('allowed');
    expect(admissionOutcome(refuse(403, 'no room'))).toBe('refused');
    expect(admissionOutcome(refuse(400, 'bad contract'))).toBe('refused');
    expect(admissionOutcome(refuse(503, 'overloaded'))).toBe('shed');
    expect(admissionOutcome(refuse(500, 'failed'))).toBe('error');
  });
});

describe.skipIf(openssl.skip)('GET /metrics on the webhook port', () => {
  let replica: Replica;
  let ca: Buffer;
  let certFile: string;

  beforeAll(async () => {
    const certs = await generateCertificates(await temp.make());
    ca = await readFile(certs.caFile);
    certFile = certs.certFile;
    replica = await startDevReplica({
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      port: 0,
      nodes: [measurementNode('edge-1', 'edge'), measurementNode('edge-2', 'edge')],
    });
  });
  afterAll(() => replica.stop());

  it('counts each admission by webhook and outcome, and reads the gauges when scraped', async () => {
    const m = SCHEDULER_METRICS;
    const before = await httpsGet(`${replica.url}/metrics`, { ca });
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    // Every outcome is there from the start, at zero.
    for (const outcome of ADMISSION_OUTCOMES)
      expect(sample(before.body, `${m.admissions}{webhook="mutate",outcome="${outcome}"}`)).toBe(0);
    expect(sample(before.body, m.bookings)).toBe(0);

    const review = (pod: unknown) => JSON.stringify(admissionReview(pod));
    const fits = contractPod(contract('probe'));
    const tooBig = contractPod(contract('hog', { run: { cpu: 64_000, memory: 128, bandwidth: 20 } }));
    const plain = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'apps' }, spec: {} };
    for (const pod of [fits, fits, tooBig, plain])
      expect((await post(replica.url, review(pod), { ca })).status).toBe(200);
    expect((await post(replica.url, review(plain), { ca, path: '/validate' })).status).toBe(200);

    const after = (await httpsGet(`${replica.url}/metrics`, { ca })).body;
    expect(sample(after, `${m.admissions}{webhook="mutate",outcome="placed"}`)).toBe(2);
    expect(sample(after, `${m.admissions}{webhook="mutate",outcome="refused"}`)).toBe(1);
    expect(sample(after, `${m.admissions}{webhook="mutate",outcome="allowed"}`)).toBe(1);
    expect(sample(after, `${m.admissions}{webhook="validate",outcome="allowed"}`)).toBe(1);
    expect(sample(after, `${m.duration}_count{webhook="mutate"}`)).toBe(4);
    expect(sample(after, `${m.duration}_bucket{le="+Inf",webhook="mutate"}`)).toBe(4);
    expect(sample(after, m.nodes)).toBe(2);
    expect(sample(after, m.bookings)).toBe(replica.state.tracked.size);
    expect(replica.state.tracked.size).toBeGreaterThan(0);
    expect(sample(after, m.queue)).toBe(0);
    // Dev mode decides alone: it is the leader, and ready.
    expect(sample(after, m.leader)).toBe(1);
    expect(sample(after, m.ready)).toBe(1);
    const notAfter = Date.parse(new X509Certificate(await readFile(certFile)).validTo) / 1000;
    expect(sample(after, m.certificateExpiry)).toBe(notAfter);
  });

  it.skipIf(promtool.skip)('the exposition passes promtool check metrics', async () => {
    const { body } = await httpsGet(`${replica.url}/metrics`, { ca });
    const result = spawnSync(promtool.path(), ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});

describe.skipIf(openssl.skip)('a cluster replica against a fake API server', () => {
  it('reports the Lease it holds and counts a pod watch that breaks', async () => {
    const certs = await generateCertificates(await temp.make());
    const ca = await readFile(certs.caFile);
    const { fake, api } = await fakeCluster();
    // The real client, except that the test can cut the pod watch as a network failure would.
    let podWatch: WatchOptions<Pod> | undefined;
    const flaky: KubeApi = Object.create(api) as KubeApi;
    flaky.watchPods = (options) => {
      podWatch = options;
      return api.watchPods(options);
    };
    let replica: Replica | undefined;
    try {
      replica = await startClusterReplica({
        api: flaky,
        certFile: certs.certFile,
        keyFile: certs.keyFile,
        port: 0,
        host: '127.0.0.1',
        election: { namespace: 'nmaas-system', name: 'nmaas-scheduler', identity: 'a', retryPeriodMs: 50, settleMs: 0 },
      });
      const m = SCHEDULER_METRICS;
      const scrape = async () => (await httpsGet(`${replica!.url}/metrics`, { ca })).body;
      const until = async (what: string, ok: (text: string) => boolean) => {
        for (let i = 0; i < 500; i++) {
          if (ok(await scrape())) return;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      await until('the Lease', (t) => sample(t, m.leader) === 1);
      expect(sample(await scrape(), `${m.watchErrors}{resource="pods"}`)).toBe(0);
      const watchesBefore = podWatch;
      podWatch!.onClose(new Error('read ECONNRESET'));
      await until('the watch error', (t) => sample(t, `${m.watchErrors}{resource="pods"}`) === 1);
      // The reflector relists and watches again: the replica stays ready.
      await until('a new watch', () => podWatch !== watchesBefore);
      const text = await scrape();
      expect(sample(text, m.ready)).toBe(1);
      expect(sample(text, `${m.watchErrors}{resource="nodes"}`)).toBe(0);
    } finally {
      await replica?.stop();
      await fake.stop();
    }
  }, 60_000);
});

describe('gauges from the sources a replica binds', () => {
  it('follows the Lease, readiness and the watch errors', async () => {
    let leading = false;
    let synced = false;
    let repairsCut = 0;
    const metrics = new WebhookMetrics().readFrom({
      decider: {
        queued: 3,
        service: { counts: () => ({ nodes: 1, bookings: 0, affinityOrphans: 0, repairsCut }) },
      },
      leadership: { canDecide: () => leading },
      ready: () => synced,
      certFile: '/nonexistent/tls.crt',
    });
    const m = SCHEDULER_METRICS;
    let text = await metrics.text();
    expect(sample(text, m.leader)).toBe(0);
    expect(sample(text, m.ready)).toBe(0);
    expect(sample(text, m.queue)).toBe(3);
    expect(sample(text, m.repairsCut)).toBe(0);
    // An unreadable certificate is NaN, never a made-up date the expiry alert would trust.
    expect(sample(text, m.certificateExpiry)).toBeNaN();
    leading = true;
    synced = true;
    metrics.watchError('pods');
    metrics.watchError('pods');
    repairsCut = 2;
    text = await metrics.text();
    expect(sample(text, m.repairsCut)).toBe(2);
    expect(sample(text, m.leader)).toBe(1);
    expect(sample(text, m.ready)).toBe(1);
    expect(sample(text, `${m.watchErrors}{resource="pods"}`)).toBe(2);
    expect(sample(text, `${m.watchErrors}{resource="nodes"}`)).toBe(0);
  });
});
