/**
 * One headless playback session: load the manifest, then fetch segments one after another in
 * real time, choosing each segment's rendition with the throughput ABR and keeping at most
 * `maxBufferSeconds` of media ahead of the playhead, while the buffer model records start-up and
 * stalls. A live HLS stream is followed by media sequence number along its sliding playlist. The report carries CTA-2066's per-session metrics (playbackFailed, initialStartupTime,
 * playbackStallCount, playbackStallDuration, bitsPlayed / media time) plus rendition switches and
 * segment download throughput.
 */
import { loadRenditionSegments, loadStream, type ManifestFetch } from '../manifest/load.js';
import type { Rendition, Segment, StreamDescription } from '../manifest/types.js';
import { ThroughputAbr } from './abr.js';
import { PlayerBuffer, type Stall } from './buffer.js';

export interface SegmentFetchResult {
  url: string;
  bytes: number;
  /** Request start to last byte, seconds. */
  seconds: number;
  status: number;
  address: string;
}

export type SegmentFetch = (url: string, signal: AbortSignal) => Promise<SegmentFetchResult>;

export interface SessionOptions {
  fetchText: ManifestFetch;
  fetchSegment: SegmentFetch;
  /** Wall-clock length of the session, from the manifest request. */
  sessionSeconds: number;
  startupBufferSeconds: number;
  /** Buffer needed to resume after a stall (defaults to the start-up level). */
  resumeBufferSeconds?: number;
  maxBufferSeconds: number;
  abrSafety: number;
  signal?: AbortSignal;
}

export interface SegmentRecord {
  /** Position in a VOD stream, media sequence number in a live one, -1 for an init segment. */
  index: number;
  rendition: string;
  bandwidth: number;
  url: string;
  bytes: number;
  seconds: number;
  /** Bytes per second over the whole request (request start to last byte). */
  throughput: number;
  /** Seconds since the session's request when the segment finished. */
  at: number;
  address: string;
  init?: boolean;
}

export interface SessionReport {
  stream: string;
  format?: StreamDescription['format'];
  live?: boolean;
  renditions: { id: string; bandwidth: number; width?: number; height?: number }[];
  playbackFailed: boolean;
  failure?: string;
  /** Seconds from the manifest request to playback start; null when playback never started. */
  initialStartupTime: number | null;
  stallCount: number;
  /** Seconds stalled after start-up (start-up itself is not a stall). */
  stallDuration: number;
  stalls: Stall[];
  /** Wall-clock seconds from the request to the end of the session. */
  sessionSeconds: number;
  /** Media seconds played. */
  playedSeconds: number;
  /** Declared bits per second of what was played, weighted by media time (CTA-2066 bitsPlayed / media time). */
  averageBitrate: number;
  renditionSwitches: number;
  downloadedBytes: number;
  /** Bytes per second over all segment downloads (total bytes / total download time). */
  meanThroughput: number;
  completed: boolean;
  /** Live: segments that slid out of the playlist window before the player could fetch them. */
  skippedSegments: number;
  segments: SegmentRecord[];
}

export async function playSession(url: string, options: SessionOptions): Promise<SessionReport> {
  const requestedAt = performance.now();
  const sessionEnd = AbortSignal.timeout(Math.max(1, options.sessionSeconds * 1000));
  const signal = options.signal ? AbortSignal.any([options.signal, sessionEnd]) : sessionEnd;
  const buffer = new PlayerBuffer(
    requestedAt,
    options.startupBufferSeconds,
    options.resumeBufferSeconds ?? options.startupBufferSeconds,
  );
  const abr = new ThroughputAbr(options.abrSafety);
  const report: SessionReport = {
    stream: url,
    renditions: [],
    playbackFailed: false,
    initialStartupTime: null,
    stallCount: 0,
    stallDuration: 0,
    stalls: [],
    sessionSeconds: 0,
    playedSeconds: 0,
    averageBitrate: 0,
    renditionSwitches: 0,
    downloadedBytes: 0,
    meanThroughput: 0,
    completed: false,
    skippedSegments: 0,
    segments: [],
  };
  /** Played media intervals with their declared bitrate, for the bitrate average. */
  const media: { start: number; end: number; bandwidth: number }[] = [];
  const since = (t: number) => (t - requestedAt) / 1000;
  try {
    const stream = await loadStream(url, options.fetchText);
    Object.assign(report, {
      format: stream.format,
      live: stream.live,
      renditions: stream.renditions.map(({ id, bandwidth, width, height }) => ({
        id,
        bandwidth,
        ...(width ? { width, height } : {}),
      })),
    });
    const initialised = new Set<string>();
    let previous: string | null = null;
    let mediaTime = 0;
    /** Live: the media sequence number of the next segment (null until the first playlist is read). */
    let nextSequence: number | null = null;
    for (let index = 0; ; index++) {
      if (signal.aborted) break;
      const rendition = stream.renditions[abr.choose(stream.renditions)]!;
      const segments = await loadRenditionSegments(stream, rendition, options.fetchText);
      report.live = stream.live; // known once a media playlist has been read
      let segment: Segment | undefined;
      let last = false;
      if (stream.live) {
        const found = await liveSegment(stream, rendition, nextSequence, options.fetchText, signal);
        if (!found) break;
        report.skippedSegments += found.skipped;
        segment = found.segment;
        nextSequence = (segment.sequence ?? 0) + 1;
      } else {
        segment = segments[index];
        last = index === segments.length - 1;
      }
      if (!segment) {
        report.completed = true;
        break;
      }
      // Keep at most maxBuffer seconds ahead: wait (in real time) for the playhead to make room.
      const wait = buffer.level(performance.now()) + segment.duration - options.maxBufferSeconds;
      if (wait > 0 && !(await sleep(wait * 1000, signal))) break;
      if (previous !== null && previous !== rendition.id) report.renditionSwitches += 1;
      previous = rendition.id;
      if (rendition.initUrl && !initialised.has(rendition.id)) {
        const init = await fetchOk(options.fetchSegment, rendition.initUrl, signal);
        initialised.add(rendition.id);
        report.downloadedBytes += init.bytes;
        report.segments.push(record(-1, rendition, init, since(performance.now()), true));
      }
      const got = await fetchOk(options.fetchSegment, segment.url, signal);
      const now = performance.now();
      abr.addSample((got.bytes * 8) / Math.max(got.seconds, 1e-6));
      buffer.append(now, segment.duration, last);
      if (report.initialStartupTime === null && buffer.startedAt !== null)
        report.initialStartupTime = since(buffer.startedAt);
      media.push({ start: mediaTime, end: mediaTime + segment.duration, bandwidth: rendition.bandwidth });
      mediaTime += segment.duration;
      report.downloadedBytes += got.bytes;
      report.segments.push(record(stream.live ? (segment.sequence ?? index) : index, rendition, got, since(now)));
    }
  } catch (error) {
    if (!signal.aborted) {
      report.playbackFailed = true;
      report.failure = (error as Error).message;
    }
  }
  const end = performance.now();
  buffer.closeOpenStall(end);
  report.sessionSeconds = since(end);
  report.playedSeconds = buffer.played(end);
  report.stalls = buffer.stalls;
  report.stallCount = buffer.stalls.length;
  report.stallDuration = buffer.stalls.reduce((sum, s) => sum + s.duration, 0);
  report.averageBitrate = weightedBitrate(media, report.playedSeconds);
  const media_ = report.segments.filter((s) => !s.init);
  const downloadSeconds = media_.reduce((sum, s) => sum + s.seconds, 0);
  report.meanThroughput = downloadSeconds > 0 ? media_.reduce((sum, s) => sum + s.bytes, 0) / downloadSeconds : 0;
  return report;
}

/**
 * The live segment with media sequence `wanted` (or, when joining, the one three segments back
 * from the live edge, RFC 8216 §6.3.3). A segment not yet published is waited for by reloading
 * the playlist every half target duration (§6.3.4) while the buffer drains; a segment that slid
 * out of the window is skipped to the oldest one still listed. Null when the session ends first.
 */
async function liveSegment(
  stream: StreamDescription,
  rendition: Rendition,
  wanted: number | null,
  fetchText: ManifestFetch,
  signal: AbortSignal,
): Promise<{ segment: Segment; skipped: number } | null> {
  for (;;) {
    const target = rendition.targetDuration || 2;
    let segments = rendition.segments ?? [];
    if (performance.now() - (rendition.loadedAt ?? 0) > target * 1000)
      segments = await loadRenditionSegments(stream, rendition, fetchText, { refresh: true });
    const first = segments[0]?.sequence;
    if (first !== undefined) {
      const want = wanted ?? segments[Math.max(0, segments.length - 3)]!.sequence!;
      if (want < first) return { segment: segments[0]!, skipped: first - want };
      const segment = segments[want - first];
      if (segment) return { segment, skipped: 0 };
    }
    if (!(await sleep(target * 500, signal))) return null;
    await loadRenditionSegments(stream, rendition, fetchText, { refresh: true });
  }
}

function record(
  index: number,
  rendition: { id: string; bandwidth: number },
  got: SegmentFetchResult,
  at: number,
  init = false,
): SegmentRecord {
  return {
    index,
    rendition: rendition.id,
    bandwidth: rendition.bandwidth,
    url: got.url,
    bytes: got.bytes,
    seconds: got.seconds,
    throughput: got.bytes / Math.max(got.seconds, 1e-6),
    at,
    address: got.address,
    ...(init ? { init } : {}),
  };
}

async function fetchOk(fetchSegment: SegmentFetch, url: string, signal: AbortSignal): Promise<SegmentFetchResult> {
  const got = await fetchSegment(url, signal);
  if (got.status >= 400) throw new Error(`${url} answered HTTP ${got.status}`);
  return got;
}

/** Average of the declared bitrates over the first `played` media seconds. */
function weightedBitrate(media: { start: number; end: number; bandwidth: number }[], played: number): number {
  let bits = 0;
  for (const m of media) bits += m.bandwidth * Math.max(0, Math.min(m.end, played) - m.start);
  return played > 0 ? bits / played : 0;
}

/** Sleeps unless aborted first; says whether the full time passed. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
