/**
 * streaming-qos side by side with the reference tool, curl's `--write-out` timings, on a path
 * shaped by tc tbf between two network namespaces this test builds. The server namespace serves
 * an HLS stream; from the client namespace, streaming-qos plays it and curl fetches the same
 * requests (master playlist, media playlist, every segment) over one keep-alive connection, in
 * turn, several times. Asserted: the same segments with the same sizes; the median per-segment
 * throughput within 2 % of curl's (`size_download / time_total`), and both within 5 % of the
 * shaped rate's payload share; the start-up time within 10 ms or 5 % (the larger) of curl's time
 * for the requests start-up needs (master + media playlist + first segment).
 * With NMAAS_SIDE_BY_SIDE_REPORT=<dir> the comparison table is written there (bench/results).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import {
  createNetnsTestbed,
  netnsSupport,
  waitForLine,
  type NetnsTestbed,
} from '@nmaas/example-web-cartography/testing';
import type { SessionReport } from './player/session.js';

const netns = netnsSupport();
const curl = tool('curl', 'apt-get install curl');
const dist = fileURLToPath(new URL('../dist/testing/', import.meta.url));

const RATE_MBIT = 10;
const SEGMENT_SECONDS = 2;
const SEGMENT_COUNT = 5;
const BANDWIDTH = 1_600_000; // 400 kB segments: ~330 ms each on the shaped link
const SESSIONS = 5;
/** Payload bytes per second the link can carry: TCP/IP/Ethernet headers take 66 of every 1514 bytes. */
const PAYLOAD_RATE = ((RATE_MBIT * 1e6) / 8) * (1448 / 1514);

interface CurlTransfer {
  url: string;
  bytes: number;
  seconds: number;
  startTransfer: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface CurlComparison {
  sessions: number;
  segmentBytes: number;
  payloadBytesPerSecond: number;
  throughputMedian: { streamingQos: number; curl: number };
  throughputRange: { streamingQos: number[]; curl: number[] };
  startupMedianSeconds: { streamingQos: number; curl: number };
}

function renderTable(c: CurlComparison, when: string): string {
  const mbit = (bytesPerSecond: number) => `${((bytesPerSecond * 8) / 1e6).toFixed(3)} Mbit/s`;
  const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;
  const pct = (value: number, reference: number) => `${(((value - reference) / reference) * 100).toFixed(2)} %`;
  return [
    '# streaming-qos vs curl --write-out, side by side',
    '',
    `Run ${when} by \`examples/streaming-qos/src/curl-side-by-side.test.ts\`: two network namespaces joined by a veth`,
    `shaped with tc tbf at ${RATE_MBIT} Mbit/s (payload share ${mbit(c.payloadBytesPerSecond)}); an HLS stream of`,
    `${SEGMENT_COUNT} segments of ${c.segmentBytes} bytes; ${c.sessions} streaming-qos sessions (each in a fresh process,`,
    "after the app's warm-up) alternating with curl fetching the same requests over one keep-alive connection.",
    '',
    '| measure | streaming-qos | curl | difference |',
    '|---|---|---|---|',
    `| per-segment throughput, median (segments 2–${SEGMENT_COUNT}) | ${mbit(c.throughputMedian.streamingQos)} | ${mbit(c.throughputMedian.curl)} | ${pct(c.throughputMedian.streamingQos, c.throughputMedian.curl)} |`,
    `| per-segment throughput, range | ${c.throughputRange.streamingQos.map(mbit).join(' – ')} | ${c.throughputRange.curl.map(mbit).join(' – ')} | |`,
    `| start-up time, median (curl: master + playlist + first segment) | ${ms(c.startupMedianSeconds.streamingQos)} | ${ms(c.startupMedianSeconds.curl)} | ${ms(c.startupMedianSeconds.streamingQos - c.startupMedianSeconds.curl)} |`,
    '',
    'The test requires the throughput medians within 2 % of each other and within 5 % of the payload share, and the',
    'start-up medians within 10 ms or 5 % (the larger).',
    '',
  ].join('\n');
}

describe.skipIf(netns.skip || curl.skip)(
  'streaming-qos side by side with curl --write-out on a tbf-shaped path',
  () => {
    let bed: NetnsTestbed | undefined;
    let base = '';

    beforeAll(async () => {
      if (netns.missingMessage) throw new Error(netns.missingMessage);
      for (const script of ['stream-server-main.js', 'session-runner.js']) {
        if (!existsSync(path.join(dist, script)))
          throw new Error(`${script} is not built: run \`npm run build\` first`);
      }
      bed = await createNetnsTestbed({ tag: 'sq', rateMbit: RATE_MBIT, subnet: 12 });
      const server = bed.start(bed.server, process.execPath, [
        path.join(dist, 'stream-server-main.js'),
        JSON.stringify({
          address: bed.serverAddress,
          bandwidth: BANDWIDTH,
          segmentSeconds: SEGMENT_SECONDS,
          segmentCount: SEGMENT_COUNT,
        }),
      ]);
      const ready = JSON.parse(await waitForLine(server, (line) => line.includes('"ready"'))) as { port: number };
      server.stdout!.resume();
      server.stderr!.resume();
      base = `http://${bed.serverAddress}:${ready.port}/hls`;
    }, 60_000);

    afterAll(async () => {
      await bed?.close();
    });

    it('reports the per-segment throughput and start-up time curl measures for the same requests', async () => {
      const b = bed!;
      const urls = [
        `${base}/master.m3u8`,
        `${base}/main/playlist.m3u8`,
        ...Array.from({ length: SEGMENT_COUNT }, (_, i) => `${base}/main/seg${i}.ts`),
      ];
      const writeOut = '%{url_effective} %{size_download} %{time_total} %{time_starttransfer}\\n';
      const sessions: SessionReport[] = [];
      const curlRuns: CurlTransfer[][] = [];
      for (let round = 0; round < SESSIONS; round++) {
        const out = await b.run(
          b.client,
          process.execPath,
          [path.join(dist, 'session-runner.js'), urls[0]!, '30'],
          60_000,
        );
        sessions.push(JSON.parse(out) as SessionReport);
        const curlOut = await b.run(
          b.client,
          curl.path(),
          ['-s', '--fail', ...urls.flatMap((u) => ['-o', '/dev/null', '-w', writeOut, u])],
          60_000,
        );
        curlRuns.push(
          curlOut
            .trim()
            .split('\n')
            .map((line) => {
              const [url, bytes, seconds, startTransfer] = line.split(' ');
              return {
                url: url!,
                bytes: Number(bytes),
                seconds: Number(seconds),
                startTransfer: Number(startTransfer),
              };
            }),
        );
      }
      for (const session of sessions) {
        expect(session).toMatchObject({ playbackFailed: false, completed: true });
        expect(session.segments.map((s) => [s.url, s.bytes])).toEqual(
          curlRuns[0]!.slice(2).map((t) => [t.url, t.bytes]),
        );
      }
      // Segment 0 shares its connection's set-up with the playlists; the others are steady transfers.
      const ours = sessions.flatMap((s) => s.segments.slice(1).map((seg) => seg.throughput));
      const theirs = curlRuns.flatMap((run) => run.slice(3).map((t) => t.bytes / t.seconds));
      const startupOurs = median(sessions.map((s) => s.initialStartupTime ?? NaN));
      const startupCurl = median(curlRuns.map((run) => run.slice(0, 3).reduce((sum, t) => sum + t.seconds, 0)));
      const comparison = {
        rateMbit: RATE_MBIT,
        payloadBytesPerSecond: PAYLOAD_RATE,
        segmentBytes: curlRuns[0]![2]!.bytes,
        sessions: SESSIONS,
        throughputMedian: { streamingQos: median(ours), curl: median(theirs) },
        throughputRange: {
          streamingQos: [Math.min(...ours), Math.max(...ours)],
          curl: [Math.min(...theirs), Math.max(...theirs)],
        },
        startupMedianSeconds: { streamingQos: startupOurs, curl: startupCurl },
        startupSeconds: {
          streamingQos: sessions.map((x) => x.initialStartupTime),
          curl: curlRuns.map((run) => run.slice(0, 3).reduce((sum, t) => sum + t.seconds, 0)),
        },
      };
      process.stderr.write(`[streaming-qos vs curl] ${JSON.stringify(comparison)}\n`);
      const reportDir = process.env.NMAAS_SIDE_BY_SIDE_REPORT;
      if (reportDir) {
        writeFileSync(path.join(reportDir, 'streaming-qos-vs-curl.json'), `${JSON.stringify(comparison, null, 2)}\n`);
        writeFileSync(
          path.join(reportDir, 'streaming-qos-vs-curl.md'),
          renderTable(comparison, new Date().toISOString()),
        );
      }
      expect(Math.abs(median(ours) - median(theirs)) / median(theirs)).toBeLessThan(0.02);
      expect(Math.abs(median(ours) - PAYLOAD_RATE) / PAYLOAD_RATE).toBeLessThan(0.05);
      expect(Math.abs(median(theirs) - PAYLOAD_RATE) / PAYLOAD_RATE).toBeLessThan(0.05);
      // Start-up adds the player's own work between requests, which curl does not have.
      expect(Math.abs(startupOurs - startupCurl)).toBeLessThan(Math.max(0.01, 0.05 * startupCurl));
    }, 120_000);
  },
);
