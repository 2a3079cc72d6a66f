import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeasurementOnce } from '@nmaas/sdk';
import { tool } from '@nmaas/sdk/testing';
import { sampleValue, startTestDnsServer, type TestDnsServer } from '@nmaas/example-web-cartography/testing';
import measurement from './index.js';
import type { SessionReport } from './player/session.js';
import { startStreamServer, type TestStreamServer } from './testing/stream-server.js';

const promtool = tool('promtool', 'apt-get install prometheus');
const appDir = fileURLToPath(new URL('..', import.meta.url));

describe.skipIf(promtool.skip)('streaming-qos through the SDK runtime (runMeasurementOnce)', () => {
  let server: TestStreamServer;
  let dns: TestDnsServer;
  beforeAll(async () => {
    server = await startStreamServer({
      renditions: [
        { id: 'sd', bandwidth: 400_000 },
        { id: 'hd', bandwidth: 1_200_000 },
      ],
      segmentSeconds: 1,
      segmentCount: 6,
      rate: (info) => (info.kind === 'segment' ? 500_000 : undefined),
      hold: (info) => (info.format === 'hls' && info.kind === 'segment' && info.index === 3 ? 3500 : 0),
    });
    dns = await startTestDnsServer({ 'video.example.test': { a: ['127.0.0.1'] } });
  });
  afterAll(async () => {
    await server?.close();
    await dns?.close();
  });

  it('plays an HLS and a DASH stream and exports the session metrics', async () => {
    const hls = server.hlsUrl('video.example.test');
    const dash = server.dashUrl('video.example.test');
    const run = await runMeasurementOnce(measurement, {
      appDir,
      parameters: { streams: [hls, dash], resolver: dns.address, sessionDuration: '20s', startupBuffer: '1s' },
      timeoutSeconds: 60,
    });
    expect(run.error).toBeUndefined();
    expect(run.outcome).toBe('success');
    const [h, d] = (run.result as { sessions: SessionReport[] }).sessions;
    expect(h!.format).toBe('hls');
    expect(d!.format).toBe('dash');
    expect(h!.stallCount).toBe(1);
    expect(d!.stallCount).toBe(0);
    const text = run.metricsText;
    for (const [url, r] of [
      [hls, h!],
      [dash, d!],
    ] as const) {
      expect(sampleValue(text, 'streaming_qos_sessions_total', { stream: url, result: 'played' })).toBe(1);
      expect(sampleValue(text, 'streaming_qos_startup_seconds_sum', { stream: url })).toBeCloseTo(
        r.initialStartupTime!,
        6,
      );
      expect(sampleValue(text, 'streaming_qos_stalls_total', { stream: url })).toBe(r.stallCount);
      expect(sampleValue(text, 'streaming_qos_stall_seconds_total', { stream: url })).toBeCloseTo(r.stallDuration, 6);
      expect(sampleValue(text, 'streaming_qos_rendition_switches_total', { stream: url })).toBe(r.renditionSwitches);
      expect(sampleValue(text, 'streaming_qos_average_bitrate_bytes_per_second', { stream: url })).toBeCloseTo(
        r.averageBitrate / 8,
        3,
      );
      expect(sampleValue(text, 'streaming_qos_segment_throughput_bytes_per_second_count', { stream: url })).toBe(6);
      expect(sampleValue(text, 'streaming_qos_downloaded_bytes_total', { stream: url })).toBe(
        server.log
          .filter((e) => e.format === r.format && (e.kind === 'segment' || e.kind === 'init'))
          .reduce((sum, e) => sum + e.bytes, 0),
      );
    }
    expect(dns.queries).toContain('video.example.test/A');
    execFileSync(promtool.path(), ['check', 'metrics'], { input: text });
  }, 60_000);

  it('fails the run when no stream can be played', async () => {
    const run = await runMeasurementOnce(measurement, {
      appDir,
      parameters: { streams: [server.hlsUrl().replace('master', 'nope')] },
    });
    expect(run.outcome).toBe('failure');
    expect(run.error).toMatch(/404/);
  });
});
