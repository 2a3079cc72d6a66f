/**
 * One run of streaming-qos: play each configured stream in turn (sessions share the node's link,
 * so they never overlap) for `sessionDuration`, bounded by the run's deadline, then export the
 * session metrics and publish each session's report as the run's result.
 */
import { parseDuration, type MeasurementContext } from '@nmaas/sdk';
import { createResolver, type IpFamily } from '@nmaas/example-web-cartography/hosts';
import { createFetchers } from './fetchers.js';
import { playSession, type SessionReport } from './player/session.js';
import { warmUp } from './warm-up.js';

export interface StreamingQosParams {
  streams: string[];
  sessionDuration: string;
  startupBuffer: string;
  maxBuffer: string;
  abrSafetyFactor: number;
  timeout: string;
  ipFamily: IpFamily;
  resolver: string;
  caCertificates: string;
}

export async function measureStreamingQos(ctx: MeasurementContext<StreamingQosParams>): Promise<void> {
  const p = ctx.params;
  const sessionSeconds = parseDuration(p.sessionDuration) ?? 30;
  const timeoutMs = (parseDuration(p.timeout) ?? 10) * 1000;
  const resolver = createResolver(p.resolver, { timeoutMs: Math.min(timeoutMs, 5000) });
  const sessions: SessionReport[] = [];
  await warmUp();
  for (const stream of p.streams) {
    if (ctx.signal.aborted) break;
    const fetchers = createFetchers({
      resolver,
      family: p.ipFamily,
      timeoutMs,
      signal: ctx.signal,
      ...(p.caCertificates.trim() ? { ca: p.caCertificates } : {}),
    });
    try {
      const report = await playSession(stream, {
        ...fetchers,
        sessionSeconds,
        startupBufferSeconds: parseDuration(p.startupBuffer) ?? 2,
        maxBufferSeconds: parseDuration(p.maxBuffer) ?? 30,
        abrSafety: p.abrSafetyFactor,
        signal: ctx.signal,
      });
      sessions.push(report);
      record(ctx, report);
    } finally {
      fetchers.close();
    }
  }
  ctx.result({ sessions });
  const failed = sessions.filter((s) => s.playbackFailed);
  if (sessions.length > 0 && failed.length === sessions.length)
    throw new Error(`no stream could be played: ${failed.map((s) => `${s.stream}: ${s.failure}`).join('; ')}`);
}

function record(ctx: MeasurementContext<StreamingQosParams>, r: SessionReport): void {
  const m = ctx.metrics;
  const stream = r.stream;
  m.counter('streaming_qos_sessions_total').inc(
    { stream, result: r.playbackFailed ? 'failed' : r.initialStartupTime === null ? 'not_started' : 'played' },
    1,
  );
  if (r.playbackFailed) ctx.log.warn('playback failed', { stream, failure: r.failure });
  if (r.initialStartupTime !== null)
    m.histogram('streaming_qos_startup_seconds').observe({ stream }, r.initialStartupTime);
  m.counter('streaming_qos_stalls_total').inc({ stream }, r.stallCount);
  m.counter('streaming_qos_stall_seconds_total').inc({ stream }, r.stallDuration);
  m.counter('streaming_qos_played_seconds_total').inc({ stream }, r.playedSeconds);
  m.counter('streaming_qos_rendition_switches_total').inc({ stream }, r.renditionSwitches);
  m.counter('streaming_qos_downloaded_bytes_total').inc({ stream }, r.downloadedBytes);
  m.gauge('streaming_qos_average_bitrate_bytes_per_second').set({ stream }, r.averageBitrate / 8);
  m.gauge('streaming_qos_session_stalls').set({ stream }, r.stallCount);
  m.gauge('streaming_qos_session_stall_seconds').set({ stream }, r.stallDuration);
  for (const s of r.segments)
    if (!s.init) m.histogram('streaming_qos_segment_throughput_bytes_per_second').observe({ stream }, s.throughput);
  ctx.log.info('session ended', {
    stream,
    startup: r.initialStartupTime,
    stalls: r.stallCount,
    stallSeconds: r.stallDuration,
    switches: r.renditionSwitches,
    bitrate: r.averageBitrate,
  });
}
