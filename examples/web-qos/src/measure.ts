/**
 * One run of web-qos: probe every target (concurrently, each on its own connections), export the
 * blackbox-style gauges per target, count probes by outcome, and publish each probe's detail as
 * the run's result.
 */
import { parseDuration } from '@nmaas/sdk';
import { createResolver, type IpFamily } from '@nmaas/example-web-cartography/hosts';
import type { MeasurementContext } from '@nmaas/sdk';
import { PHASES, probeHttp } from './probe.js';
import { parseStatusPatterns } from './status-codes.js';
import { warmUp } from './warm-up.js';

export interface WebQosParams {
  targets: string[];
  method: 'GET' | 'HEAD';
  validStatusCodes: string[];
  timeout: string;
  ipFamily: IpFamily;
  resolver: string;
  followRedirects: boolean;
  caCertificates: string;
}

export async function measureWebQos(ctx: MeasurementContext<WebQosParams>): Promise<void> {
  const p = ctx.params;
  const timeoutMs = (parseDuration(p.timeout) ?? 10) * 1000;
  const isExpectedStatus = parseStatusPatterns(p.validStatusCodes);
  const resolver = createResolver(p.resolver, { timeoutMs: Math.min(timeoutMs, 5000) });
  const ca = p.caCertificates.trim() ? p.caCertificates : undefined;
  await warmUp(resolver, ca);
  const results = await Promise.all(
    p.targets.map((target) =>
      probeHttp(target, {
        resolver,
        family: p.ipFamily,
        method: p.method,
        timeoutMs,
        signal: ctx.signal,
        isExpectedStatus,
        followRedirects: p.followRedirects,
        ...(ca ? { ca } : {}),
      }),
    ),
  );
  const m = ctx.metrics;
  for (const r of results) {
    const target = r.target;
    m.gauge('web_qos_probe_success').set({ target }, r.success ? 1 : 0);
    m.gauge('web_qos_probe_duration_seconds').set({ target }, r.durationSeconds);
    for (const phase of PHASES) m.gauge('web_qos_http_duration_seconds').set({ target, phase }, r.phases[phase]);
    m.gauge('web_qos_http_status_code').set({ target }, r.status);
    m.gauge('web_qos_http_body_size_bytes').set({ target }, r.bodyBytes);
    m.gauge('web_qos_http_content_length').set({ target }, r.contentLength);
    m.gauge('web_qos_http_redirects').set({ target }, r.redirects);
    m.gauge('web_qos_http_version').set({ target }, Number(r.httpVersion) || 0);
    m.gauge('web_qos_ip_protocol').set({ target }, r.ipProtocol);
    m.gauge('web_qos_http_ssl').set({ target }, r.tls ? 1 : 0);
    if (r.tls) {
      m.gauge('web_qos_tls_earliest_cert_expiry_timestamp_seconds').set({ target }, r.tls.earliestCertExpiry);
      m.gauge('web_qos_tls_last_chain_expiry_timestamp_seconds').set({ target }, r.tls.lastChainExpiry);
      m.gauge('web_qos_tls_version').set({ target, version: r.tls.version }, 1);
    }
    m.counter('web_qos_probes_total').inc({ target, result: r.success ? 'success' : 'failure' });
    if (r.success) ctx.log.info('probe succeeded', { target, status: r.status, seconds: r.durationSeconds });
    else ctx.log.warn('probe failed', { target, status: r.status, failure: r.failure });
  }
  ctx.result({ resolver: p.resolver || 'system', probes: results });
}
