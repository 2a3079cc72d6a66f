/**
 * The measurement: one run sends a GET request to each target and records whether it answered
 * and how long the full answer took. The NMaaS runtime calls this function on the schedule in
 * nmaas.yaml, at a time when nothing else measures on the node, and serves the metrics on :9464.
 */
import { defineMeasurement, parseDuration } from '@nmaas/sdk';

/** The parameters declared in nmaas.yaml, already validated by the runtime. */
export interface Params {
  targets: string[];
  timeout: string;
}

export interface ProbeResult {
  target: string;
  /** The HTTP status, when the target answered. */
  status?: number;
  /** Seconds from sending the request to the end of the body, when the target answered. */
  seconds?: number;
  error?: string;
}

export default defineMeasurement<Params>(async (ctx) => {
  const timeoutMs = (parseDuration(ctx.params.timeout) ?? 10) * 1000;
  const requests = ctx.metrics.counter('http_probe_requests_total');
  const duration = ctx.metrics.histogram('http_probe_duration_seconds');
  const up = ctx.metrics.gauge('http_probe_up');

  // Targets are probed one after the other: parallel requests would share the run's bandwidth
  // and disturb each other's timings.
  const results: ProbeResult[] = [];
  for (const target of ctx.params.targets) {
    if (ctx.signal.aborted) break; // the run deadline passed: stop, the runtime reports a timeout
    const started = performance.now();
    try {
      const response = await fetch(target, {
        redirect: 'manual', // a redirect is an answer; following it would time another server
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.arrayBuffer(); // the transfer time is part of what the user waits for
      const seconds = (performance.now() - started) / 1000;
      const ok = response.status < 400;
      duration.observe({ target }, seconds);
      requests.inc({ target, result: ok ? 'ok' : 'http_error' });
      up.set({ target }, ok ? 1 : 0);
      results.push({ target, status: response.status, seconds });
    } catch (error) {
      // A target that does not answer is a measurement, not a failure of the run.
      const message =
        error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      requests.inc({ target, result: 'error' });
      up.set({ target }, 0);
      ctx.log.warn('target did not answer', { target, error: message });
      results.push({ target, error: message });
    }
  }
  ctx.log.info('probed targets', {
    targets: results.length,
    up: results.filter((r) => r.status !== undefined && r.status < 400).length,
  });
  ctx.result({ probes: results });
});
