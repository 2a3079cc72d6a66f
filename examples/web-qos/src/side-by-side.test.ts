/**
 * web-qos side by side with the reference tool, Debian's prometheus-blackbox-exporter, in network
 * namespaces this test builds: a server namespace (HTTP, TLS with a leaf-only and with a full chain,
 * DNS, all with delays imposed and timed on the server's own clock) behind a tc-tbf-shaped veth, and
 * a client namespace where both tools probe the same targets in turn through the same resolver.
 *
 * Asserted: the functional fields agree probe by probe (success, status, redirects, content length,
 * IP protocol, TLS, presented and last-chain certificate expiry, TLS version), and per phase,
 * web-qos's median error against the imposed truth is within 1 ms of blackbox's (2 ms on HTTPS).
 * With NMAAS_SIDE_BY_SIDE_REPORT=<dir> the comparison table is written there (bench/results).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import {
  createNetnsTestbed,
  netnsSupport,
  tbfArgs,
  waitForLine,
  type NetnsTestbed,
} from '@nmaas/example-web-cartography/testing';
import { PHASES, type Phase, type ProbeResult } from './probe.js';
import { makeTestChainPki, type TestChainPki } from './testing/pki.js';
import {
  compareSideBySide,
  renderComparison,
  renderRemeasured,
  type Comparison,
  type PhaseRow,
  type ProbeView,
  type Scenario,
} from './testing/side-by-side-report.js';

const netns = netnsSupport();
const openssl = tool('openssl', 'apt-get install openssl');
const blackbox = tool('prometheus-blackbox-exporter', 'apt-get install prometheus-blackbox-exporter');
const curl = tool('curl', 'apt-get install curl');
const dist = fileURLToPath(new URL('../dist/testing/', import.meta.url));

const RATE_MBIT = 20;
const ROUNDS = 11;
const DNS_DELAY_MS = 15;
const SNI_DELAY_MS = 25;
const PORTS = { http: 8080, leaf: 8443, chain: 8444, blackbox: 9115 };
const HOST = 'web.test';

const SCENARIOS: Scenario[] = [
  { name: 'first byte after 40 ms', scheme: 'http', port: PORTS.http, path: '/delay?ms=40', timeoutMs: 5000 },
  {
    name: 'slow head (rest of head 150 ms after the status line)',
    scheme: 'http',
    port: PORTS.http,
    path: '/slowhead?ms=150',
    timeoutMs: 5000,
  },
  {
    name: `300 kB over ${RATE_MBIT} Mbit/s tbf`,
    scheme: 'http',
    port: PORTS.http,
    path: '/bytes?n=300000',
    timeoutMs: 5000,
  },
  { name: '2 redirects', scheme: 'http', port: PORTS.http, path: '/redirect?n=2', timeoutMs: 5000 },
  { name: '404', scheme: 'http', port: PORTS.http, path: '/notfound', timeoutMs: 5000 },
  { name: 'timeout (1 s)', scheme: 'http', port: PORTS.http, path: '/hang', timeoutMs: 1000 },
  {
    name: 'HTTPS, leaf only, SNI delay 25 ms, first byte 20 ms',
    scheme: 'https',
    port: PORTS.leaf,
    path: '/delay?ms=20',
    timeoutMs: 5000,
  },
  {
    name: 'HTTPS, full chain, SNI delay 25 ms, first byte 20 ms',
    scheme: 'https',
    port: PORTS.chain,
    path: '/delay?ms=20',
    timeoutMs: 5000,
  },
];

interface ServerRecord {
  tag?: string;
  path?: string;
  processing?: number;
  stall?: number;
  bytes?: number;
  tls?: number;
  dns?: number;
}

/** A Prometheus text exposition as name → [labels, value][]. */
function parseExposition(text: string): Map<string, { labels: Record<string, string>; value: number }[]> {
  const out = new Map<string, { labels: Record<string, string>; value: number }[]>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line.trim());
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const list = out.get(m[1]!) ?? [];
    list.push({ labels, value: Number(m[3]) });
    out.set(m[1]!, list);
  }
  return out;
}

function blackboxView(text: string): ProbeView {
  const metrics = parseExposition(text);
  const one = (name: string) => metrics.get(name)?.[0]?.value;
  const phases = {} as Record<Phase, number>;
  for (const phase of PHASES)
    phases[phase] = metrics.get('probe_http_duration_seconds')?.find((s) => s.labels.phase === phase)?.value ?? 0;
  const ssl = one('probe_http_ssl') === 1;
  return {
    success: one('probe_success') === 1,
    status: one('probe_http_status_code') ?? 0,
    redirects: one('probe_http_redirects') ?? 0,
    contentLength: one('probe_http_content_length') ?? 0,
    bodyBytes: one('probe_http_uncompressed_body_length') ?? 0,
    ipProtocol: one('probe_ip_protocol') ?? 0,
    ssl,
    earliestCertExpiry: ssl ? (one('probe_ssl_earliest_cert_expiry') ?? 0) : 0,
    lastChainExpiry: ssl ? (one('probe_ssl_last_chain_expiry_timestamp_seconds') ?? 0) : 0,
    tlsVersion: ssl ? (metrics.get('probe_tls_version_info')?.[0]?.labels.version ?? '') : '',
    phases,
    durationSeconds: one('probe_duration_seconds') ?? 0,
  };
}

function webQosView(r: ProbeResult): ProbeView {
  return {
    success: r.success,
    status: r.status,
    redirects: r.redirects,
    contentLength: r.contentLength,
    bodyBytes: r.bodyBytes,
    ipProtocol: r.ipProtocol,
    ssl: r.tls !== undefined,
    earliestCertExpiry: r.tls?.earliestCertExpiry ?? 0,
    lastChainExpiry: r.tls?.lastChainExpiry ?? 0,
    tlsVersion: r.tls?.version ?? '',
    phases: r.phases,
    durationSeconds: r.durationSeconds,
  };
}

const skip = netns.skip || openssl.skip || blackbox.skip || curl.skip;

describe.skipIf(skip)('web-qos side by side with prometheus-blackbox-exporter in network namespaces', () => {
  let bed: NetnsTestbed | undefined;
  let work: string;
  let pki: TestChainPki;
  const records: ServerRecord[] = [];
  const url = (s: Scenario, tag: string) => {
    const u = new URL(`${s.scheme}://${HOST}:${s.port}${s.path}`);
    u.searchParams.set('t', tag);
    return u.href;
  };

  beforeAll(async () => {
    if (netns.missingMessage) throw new Error(netns.missingMessage);
    for (const script of ['side-by-side-server.js', 'probe-runner.js']) {
      if (!existsSync(path.join(dist, script))) throw new Error(`${script} is not built: run \`npm run build\` first`);
    }
    work = mkdtempSync(path.join(tmpdir(), 'nmaas-wq-sbs-'));
    // The root expires first, then the intermediate, then the leaves: every expiry is told apart.
    pki = makeTestChainPki(openssl.path(), { dns: [HOST], ip: [] }, { root: 300, intermediate: 500, leaf: 700 });
    bed = await createNetnsTestbed({ tag: 'wq', rateMbit: RATE_MBIT, subnet: 11 });
    bed.setResolver(bed.client, bed.serverAddress);
    const serverConfig = path.join(work, 'server.json');
    writeFileSync(
      serverConfig,
      JSON.stringify({
        host: bed.serverAddress,
        httpPort: PORTS.http,
        leafPort: PORTS.leaf,
        chainPort: PORTS.chain,
        sniDelayMs: SNI_DELAY_MS,
        dnsDelayMs: DNS_DELAY_MS,
        zone: { [HOST]: { a: [bed.serverAddress] } },
        leafOnly: pki.leafOnly,
        fullChain: { cert: pki.fullChain.cert, key: pki.fullChain.key },
      }),
    );
    const server = bed.start(bed.server, process.execPath, [path.join(dist, 'side-by-side-server.js'), serverConfig]);
    await waitForLine(server, (line) => line.includes('"ready"'));
    let partial = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) records.push(JSON.parse(line) as ServerRecord);
    });
    writeFileSync(path.join(work, 'root.pem'), pki.rootCert);
    const httpModule = (timeout: string) =>
      `    prober: http\n    timeout: ${timeout}\n    http:\n      preferred_ip_protocol: ip4\n      ip_protocol_fallback: false\n` +
      `      tls_config:\n        ca_file: ${path.join(work, 'root.pem')}\n`;
    writeFileSync(
      path.join(work, 'blackbox.yml'),
      `modules:\n  http:\n${httpModule('5s')}  http_1s:\n${httpModule('1s')}`,
    );
    const exporter = bed.start(bed.client, blackbox.path(), [
      `--config.file=${path.join(work, 'blackbox.yml')}`,
      `--web.listen-address=127.0.0.1:${PORTS.blackbox}`,
    ]);
    exporter.stdout!.resume();
    exporter.stderr!.resume();
    // Ready once it answers its own health endpoint.
    for (let i = 0; ; i++) {
      const ok = await bed.run(bed.client, curl.path(), ['-sf', `http://127.0.0.1:${PORTS.blackbox}/-/healthy`]).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error('blackbox exporter did not become healthy within 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('agrees on every functional field, and per phase its median error is within 1 ms of blackbox (2 ms on HTTPS)', async () => {
    const b = bed!;
    // web-qos in one warm process, as the app runs; its probes alternate with blackbox's so that
    // both tools see the same load on a shared machine.
    writeFileSync(
      path.join(work, 'runner.json'),
      JSON.stringify({ resolver: `${b.serverAddress}:53`, ca: pki.rootCert }),
    );
    const runner = b.start(
      b.client,
      process.execPath,
      [path.join(dist, 'probe-runner.js'), path.join(work, 'runner.json')],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    await waitForLine(runner, (line) => line.includes('"ready"'));
    const webQos = new Map<string, ProbeView>();
    const reference = new Map<string, ProbeView>();
    const measure = async (scenarios: number[], firstRound: number) => {
      for (let round = firstRound; round < firstRound + ROUNDS; round++) {
        for (const si of scenarios) {
          const s = SCENARIOS[si]!;
          const probeWebQos = async () => {
            const id = `wq-${si}-${round}`;
            const answer = waitForLine(runner, (line) => line.includes(`"id":"${id}"`), 30_000);
            runner.stdin!.write(`${JSON.stringify({ id, url: url(s, id), timeoutMs: s.timeoutMs })}\n`);
            webQos.set(id, webQosView((JSON.parse(await answer) as { result: ProbeResult }).result));
          };
          const probeBlackbox = async () => {
            const tag = `bb-${si}-${round}`;
            const module = s.timeoutMs < 5000 ? 'http_1s' : 'http';
            const probeUrl = `http://127.0.0.1:${PORTS.blackbox}/probe?module=${module}&target=${encodeURIComponent(url(s, tag))}`;
            reference.set(tag, blackboxView(await b.run(b.client, curl.path(), ['-s', probeUrl], 20_000)));
          };
          // Who goes first alternates, so neither tool always probes right after the other.
          if (round % 2 === 0) {
            await probeWebQos();
            await probeBlackbox();
          } else {
            await probeBlackbox();
            await probeWebQos();
          }
        }
      }
    };
    const { burstBytes } = tbfArgs(RATE_MBIT);
    const compare = (scenarios: number[], firstRound: number, dnsAnswers: number[]) =>
      compareSideBySide({
        scenarios: scenarios.map((si) => SCENARIOS[si]!),
        rounds: ROUNDS,
        webQos: (i, round) => webQos.get(`wq-${scenarios[i]}-${firstRound + round}`),
        blackbox: (i, round) => reference.get(`bb-${scenarios[i]}-${firstRound + round}`),
        records: (tag) =>
          records.filter(
            (r) =>
              r.tag ===
              tag.replace(
                /-(\d+)-(\d+)$/,
                (_, i: string, round: string) => `-${scenarios[Number(i)]}-${firstRound + Number(round)}`,
              ),
          ),
        dnsAnswers,
        shaping: { rateMbit: RATE_MBIT, burstBytes },
      });
    const dnsAnswersNow = async () => {
      await new Promise((r) => setTimeout(r, 100)); // the server flushes DNS records every 20 ms
      return records.filter((r) => r.dns !== undefined).map((r) => r.dns!);
    };
    const everyScenario = SCENARIOS.map((_, si) => si);
    await measure(everyScenario, 0);
    const dnsAnswers = await dnsAnswersNow();
    // One lookup per probe for each tool: the redirects stay on the host already resolved.
    expect(dnsAnswers.length).toBe(2 * SCENARIOS.length * ROUNDS);
    const comparison = compare(everyScenario, 0, dnsAnswers);
    const tolerance = (row: PhaseRow) => (row.https ? 0.002 : 0.001);
    const outsideOf = (rows: PhaseRow[]) =>
      rows
        .filter((row) => Math.abs(row.webQosMedianError) > Math.abs(row.blackboxMedianError) + tolerance(row))
        .map(
          (row) =>
            `${row.scenario} ${row.phase}: web-qos ${(row.webQosMedianError * 1000).toFixed(2)} ms, blackbox ${(row.blackboxMedianError * 1000).toFixed(2)} ms`,
        );
    // On a machine shared with other jobs a burst of load can shift one tool's median in one
    // scenario: a scenario outside the bound is measured once more, both tools afresh, and must
    // then be within it. A real offset fails both times.
    const firstOutside = outsideOf(comparison.phases);
    const retried = everyScenario.filter((si) =>
      firstOutside.some((line) => line.startsWith(`${SCENARIOS[si]!.name} `)),
    );
    let outside = firstOutside;
    let second: Comparison | undefined;
    if (retried.length > 0) {
      process.stderr.write(`[web-qos side by side] measuring again: ${firstOutside.join('; ')}\n`);
      await measure(retried, ROUNDS);
      second = compare(retried, ROUNDS, await dnsAnswersNow());
      expect(second.disagreements).toEqual([]);
      outside = outsideOf(second.phases);
    }
    runner.stdin!.end();
    process.stderr.write(`${renderComparison(comparison, { when: new Date().toISOString() })}\n`);
    const reportDir = process.env.NMAAS_SIDE_BY_SIDE_REPORT;
    if (reportDir) {
      const json = { ...comparison, outOfBoundAtFirst: firstOutside, ...(second ? { measuredAgain: second } : {}) };
      writeFileSync(path.join(reportDir, 'web-qos-vs-blackbox.json'), `${JSON.stringify(json, null, 2)}\n`);
      const markdown =
        renderComparison(comparison, { when: new Date().toISOString() }) +
        (second ? renderRemeasured(firstOutside, second) : '');
      writeFileSync(path.join(reportDir, 'web-qos-vs-blackbox.md'), markdown);
    }
    expect(comparison.disagreements).toEqual([]);
    expect(outside).toEqual([]);
    // The cases the issue names give blackbox's answers.
    const leafOnly = webQos.get(`wq-6-0`)!;
    const fullChain = webQos.get(`wq-7-0`)!;
    const expiry = (pem: string) => Date.parse(new X509Certificate(pem).validTo) / 1000;
    expect(leafOnly).toMatchObject({
      earliestCertExpiry: expiry(pki.leafOnly.cert),
      lastChainExpiry: expiry(pki.rootCert),
      ipProtocol: 4,
    });
    expect(fullChain).toMatchObject({
      earliestCertExpiry: expiry(pki.fullChain.intermediateCert),
      lastChainExpiry: expiry(pki.rootCert),
    });
    const slowHead = comparison.phases.find((p) => p.scenario === SCENARIOS[1]!.name && p.phase === 'processing')!;
    expect(slowHead.webQosMedian).toBeLessThan(0.05);
  }, 120_000);
});
