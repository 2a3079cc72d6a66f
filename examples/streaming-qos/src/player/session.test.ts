import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createResolver } from '@nmaas/example-web-cartography/hosts';
import { createFetchers, type Fetchers } from '../fetchers.js';
import { startStreamServer, type StreamLogEntry, type TestStreamServer } from '../testing/stream-server.js';
import { playSession, type SessionReport } from './session.js';

const SEGMENT = 1; // media seconds per segment

const accuracy: string[] = [];
afterAll(() => {
  if (accuracy.length > 0) process.stderr.write(`[streaming-qos accuracy] ${accuracy.join('; ')}\n`);
});

let server: TestStreamServer | undefined;
let fetchers: Fetchers | undefined;
afterEach(async () => {
  fetchers?.close();
  await server?.close();
  server = undefined;
});

/** Client-side instants (performance.now()) seen around the player's fetches. */
const clientTimes = { manifestRequested: NaN, firstSegmentDone: NaN };

function play(url: string, overrides: Partial<Parameters<typeof playSession>[1]> = {}): Promise<SessionReport> {
  fetchers = createFetchers({ resolver: createResolver(''), family: 'ipv4', timeoutMs: 10_000 });
  const { fetchText, fetchSegment } = fetchers;
  clientTimes.manifestRequested = NaN;
  clientTimes.firstSegmentDone = NaN;
  return playSession(url, {
    fetchText: (u) => {
      if (Number.isNaN(clientTimes.manifestRequested)) clientTimes.manifestRequested = performance.now();
      return fetchText(u);
    },
    fetchSegment: async (u, signal) => {
      const got = await fetchSegment(u, signal);
      if (Number.isNaN(clientTimes.firstSegmentDone)) clientTimes.firstSegmentDone = performance.now();
      return got;
    },
    sessionSeconds: 30,
    startupBufferSeconds: SEGMENT,
    maxBufferSeconds: 30,
    abrSafety: 0.8,
    ...overrides,
  });
}

/** Media segments in the order the server finished them. */
const served = (log: StreamLogEntry[]) =>
  log.filter((e) => e.kind === 'segment').sort((a, b) => a.finished - b.finished);
const switchesIn = (sequence: string[]) => sequence.filter((id, i) => i > 0 && id !== sequence[i - 1]).length;

describe('playSession against a throttled stream on loopback', () => {
  it('HLS: start-up, a stall caused by a held segment, ABR switches and throughput match what the server did', async () => {
    const HELD = 6;
    server = await startStreamServer({
      renditions: [
        { id: 'low', bandwidth: 300_000 },
        { id: 'mid', bandwidth: 800_000, width: 1280, height: 720 },
        { id: 'high', bandwidth: 2_000_000 },
      ],
      segmentSeconds: SEGMENT,
      segmentCount: 10,
      rate: (info) => (info.kind === 'segment' ? 187_500 : undefined), // 1.5 Mbit/s
      hold: (info) => (info.kind === 'segment' && info.index === HELD ? 4000 : 0),
    });
    const report = await play(server.hlsUrl());
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ format: 'hls', live: false, playbackFailed: false, completed: true });
    const segments = served(server.log);
    expect(segments.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // Start-up: from the manifest request to the end of the first segment (the start-up buffer is
    // one segment). The server sees a slightly shorter span: not the connection set-up, the
    // request's way in and the last byte's way out (≈ 15 ms here, mostly the first HTTP request of
    // a fresh process, more on a loaded machine). So: never below the server's span, equal to the
    // span between those two client-side events, and close to the server's.
    const master = server.log.find((e) => e.kind === 'manifest')!;
    const expectedStartup = (segments[0]!.finished - master.arrived) / 1000;
    expect(report.initialStartupTime! - expectedStartup).toBeGreaterThan(-0.005);
    expect(
      Math.abs(report.initialStartupTime! - (clientTimes.firstSegmentDone - clientTimes.manifestRequested) / 1000),
    ).toBeLessThan(0.005);
    expect(report.initialStartupTime! - expectedStartup).toBeLessThan(0.25);
    accuracy.push(
      `startup ${(expectedStartup * 1000).toFixed(0)} ms: ${((report.initialStartupTime! - expectedStartup) * 1000).toFixed(1)} ms`,
    );

    // The stall: playback started when segment 0 arrived, so the buffer ran dry at start + HELD
    // seconds of media and refilled when the held segment finished.
    const start = segments[0]!.finished;
    const expectedStall = (segments[HELD]!.finished - (start + HELD * SEGMENT * 1000)) / 1000;
    expect(expectedStall).toBeGreaterThan(0.5);
    expect(report.stallCount).toBe(1);
    expect(Math.abs(report.stallDuration - expectedStall)).toBeLessThan(0.05);
    accuracy.push(
      `stall ${(expectedStall * 1000).toFixed(0)} ms: ${((report.stallDuration - expectedStall) * 1000).toFixed(1)} ms`,
    );
    // It began after exactly HELD seconds of uninterrupted playback.
    expect(report.stalls[0]!.start - report.initialStartupTime!).toBeCloseTo(HELD * SEGMENT, 3);

    // ABR: climbed from the lowest rendition, never above what 1.5 Mbit/s carries, dropped after the held segment.
    const sequence = segments.map((s) => s.rendition!);
    expect(sequence[0]).toBe('low');
    expect(sequence).not.toContain('high');
    expect(sequence.slice(1, HELD + 1).every((id) => id === 'mid')).toBe(true);
    expect(sequence[HELD + 1]).toBe('low');
    expect(report.renditionSwitches).toBe(switchesIn(sequence));
    expect(report.segments.map((s) => s.rendition)).toEqual(sequence.map((id) => `${id}/playlist.m3u8`));

    // Throughput of each unheld segment, as the client measured it, against the server's own timing.
    const errors: number[] = [];
    for (const s of report.segments.filter((x) => x.index !== HELD)) {
      const log = segments[s.index]!;
      const serverRate = log.bytes / ((log.finished - log.arrived) / 1000);
      errors.push((s.throughput - serverRate) / serverRate);
      expect(Math.abs(s.throughput - serverRate) / serverRate).toBeLessThan(0.15);
      expect(s.bytes).toBe(log.bytes);
    }
    accuracy.push(`segment throughput: worst ${(Math.max(...errors.map(Math.abs)) * 100).toFixed(1)} %`);
    expect(report.downloadedBytes).toBe(segments.reduce((sum, s) => sum + s.bytes, 0));

    // Average bitrate: declared bitrates of what was played, by media time.
    const bandwidth: Record<string, number> = { low: 300_000, mid: 800_000, high: 2_000_000 };
    let bits = 0;
    sequence.forEach((id, i) => (bits += bandwidth[id]! * Math.max(0, Math.min(i + 1, report.playedSeconds) - i)));
    expect(report.averageBitrate).toBeCloseTo(bits / report.playedSeconds, 6);
    expect(report.playedSeconds).toBeGreaterThan(0);
    expect(report.playedSeconds).toBeLessThanOrEqual(10);
  }, 40_000);

  it('DASH: init segments, an up-switch, then a down-switch when the server slows down, no stall', async () => {
    server = await startStreamServer({
      renditions: [
        { id: 'v400', bandwidth: 400_000 },
        { id: 'v1600', bandwidth: 1_600_000 },
      ],
      segmentSeconds: SEGMENT,
      segmentCount: 8,
      // 3.2 Mbit/s for the first four segments, then 0.8 Mbit/s.
      rate: (info) => (info.kind === 'segment' ? ((info.index ?? 0) < 4 ? 400_000 : 100_000) : undefined),
    });
    const report = await play(server.dashUrl());
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ format: 'dash', completed: true, stallCount: 0, stallDuration: 0 });
    const sequence = served(server.log).map((s) => s.rendition!);
    expect(sequence.slice(0, 5)).toEqual(['v400', 'v1600', 'v1600', 'v1600', 'v1600']);
    expect(sequence[5]).toBe('v400');
    expect(report.renditionSwitches).toBe(switchesIn(sequence));
    // One init segment per rendition used, fetched before its first media segment.
    const inits = server.log.filter((e) => e.kind === 'init').map((e) => e.rendition);
    expect(inits.sort()).toEqual(['v1600', 'v400']);
    expect(report.segments.filter((s) => s.init).length).toBe(2);
  }, 40_000);

  it('ends the session at sessionSeconds, counting a stall still running', async () => {
    server = await startStreamServer({
      renditions: [{ id: 'only', bandwidth: 500_000 }],
      segmentSeconds: SEGMENT,
      segmentCount: 30,
      hold: (info) => (info.kind === 'segment' && (info.index ?? 0) >= 2 ? 10_000 : 0),
    });
    const report = await play(server.hlsUrl(), { sessionSeconds: 4 });
    expect(report.completed).toBe(false);
    expect(report.playbackFailed).toBe(false);
    expect(report.sessionSeconds).toBeGreaterThanOrEqual(4 - 0.01);
    expect(report.sessionSeconds).toBeLessThan(4.5);
    // Two seconds of media, then a dry buffer until the session ended.
    expect(report.stallCount).toBe(1);
    expect(report.playedSeconds).toBeCloseTo(2, 1);
    expect(Math.abs(report.stallDuration - (report.sessionSeconds - report.initialStartupTime! - 2))).toBeLessThan(
      0.05,
    );
  }, 20_000);

  it('live HLS: joins three segments from the edge, follows the sliding playlist, and stalls when the encoder pauses', async () => {
    const PAUSED_FROM = 6;
    server = await startStreamServer({
      renditions: [{ id: 'live', bandwidth: 400_000 }],
      segmentSeconds: SEGMENT,
      segmentCount: 100,
      // The encoder stalls for 3 s before segment 6, then publishes the backlog at once.
      live: {
        window: 4,
        delayMs: (sequence) =>
          sequence >= PAUSED_FROM ? Math.max(0, (PAUSED_FROM - 3 + 3) * 1000 - (sequence - 3) * 1000) : 0,
      },
    });
    const report = await play(server.hlsUrl(), { sessionSeconds: 8 });
    expect(report.failure).toBeUndefined();
    expect(report).toMatchObject({ live: true, completed: false, playbackFailed: false, skippedSegments: 0 });
    const sequences = report.segments.map((s) => s.index);
    // Segments 0–3 exist at the start: the player joins at 1, then takes every segment in order.
    expect(sequences[0]).toBe(1);
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    expect(sequences.length).toBeGreaterThanOrEqual(PAUSED_FROM);
    const served = new Map(server.log.filter((e) => e.kind === 'segment').map((e) => [e.index!, e]));
    for (const seq of sequences) expect(served.get(seq)!.arrived).toBeGreaterThanOrEqual(server.publishedAt(seq) - 1); // never asked before it existed
    // Playback started when segment 1 arrived; segments 1–5 hold 5 s of media; the stall lasted
    // until segment 6, published 3 s late, had arrived.
    const expectedStall =
      (served.get(PAUSED_FROM)!.finished - (served.get(1)!.finished + (PAUSED_FROM - 1) * SEGMENT * 1000)) / 1000;
    expect(expectedStall).toBeGreaterThan(0.5);
    expect(report.stallCount).toBe(1);
    expect(Math.abs(report.stallDuration - expectedStall)).toBeLessThan(0.05);
    accuracy.push(
      `live stall ${(expectedStall * 1000).toFixed(0)} ms: ${((report.stallDuration - expectedStall) * 1000).toFixed(1)} ms`,
    );
  }, 20_000);

  it('reports a failed playback with the reason', async () => {
    server = await startStreamServer({
      renditions: [{ id: 'a', bandwidth: 100_000 }],
      segmentSeconds: 1,
      segmentCount: 3,
    });
    const report = await play(server.hlsUrl().replace('master', 'missing'));
    expect(report.playbackFailed).toBe(true);
    expect(report.failure).toMatch(/404/);
    expect(report.initialStartupTime).toBeNull();
  });
});
