/**
 * One run of ip-spoofing-detection, by role. A **sender** run sends one session of probes (control
 * plus every forged class) to the receiver. A **receiver** run keeps the process's listener open
 * (it stays open between runs, so probes are never missed), waits `listenWindow`, and reports the
 * sessions that have gone quiet: per sender and class, whether forged packets got through.
 */
import { parseDuration, type MeasurementContext } from '@nmaas/sdk';
import { ProbeCollector, type SessionOutcome } from './receiver.js';
import { runSender } from './sender.js';

export interface SpoofingParams {
  role: 'sender' | 'receiver';
  receiver: string;
  port: number;
  sourceAddress: string;
  routableSources: string[];
  privateSources: string[];
  adjacentPrefixes: string[];
  probesPerClass: number;
  listenWindow: string;
  sharedKey: string;
}

/** Sessions are handed over once no probe of theirs came for this long. */
const QUIET_MS = 3000;

let collector: { port: number; key: string; ready: Promise<ProbeCollector> } | undefined;

function listener(port: number, key: string): Promise<ProbeCollector> {
  if (collector && (collector.port !== port || collector.key !== key)) {
    void collector.ready.then((c) => c.close());
    collector = undefined;
  }
  if (!collector) {
    const ready = ProbeCollector.listen(port, '0.0.0.0', key);
    collector = { port, key, ready };
    ready.catch(() => (collector = undefined));
  }
  return collector.ready;
}

export async function measureSpoofing(ctx: MeasurementContext<SpoofingParams>): Promise<void> {
  if (ctx.params.role === 'sender') return measureSender(ctx);
  return measureReceiver(ctx);
}

async function measureSender(ctx: MeasurementContext<SpoofingParams>): Promise<void> {
  const p = ctx.params;
  if (!p.receiver)
    throw new Error('the sender role needs the receiver parameter: the IPv4 address of the receiver instance');
  const adjacentPrefixes = p.adjacentPrefixes.map((text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > 31)
      throw new Error(`adjacentPrefixes: ${text} must be a prefix length from 1 to 31`);
    return n;
  });
  const report = await runSender({
    receiver: p.receiver,
    port: p.port,
    sourceAddress: p.sourceAddress,
    routableSources: p.routableSources,
    privateSources: p.privateSources,
    adjacentPrefixes,
    probesPerClass: p.probesPerClass,
    key: p.sharedKey,
    signal: ctx.signal,
  });
  for (const c of report.classes) {
    ctx.metrics.counter('ip_spoofing_detection_probes_sent_total').inc({ class: c.class }, c.sent);
    if (c.error) {
      ctx.metrics.counter('ip_spoofing_detection_send_errors_total').inc({ class: c.class });
      ctx.log.error('could not send probes', { class: c.class, source: c.source, error: c.error });
    }
  }
  ctx.result({ role: 'sender', ...report });
  ctx.log.info('session sent', { session: report.session, sender: report.sender, receiver: report.receiver });
  if (report.classes.every((c) => c.error))
    throw new Error(`no probe could be sent: ${report.classes[0]?.error ?? ''}`);
}

async function measureReceiver(ctx: MeasurementContext<SpoofingParams>): Promise<void> {
  const p = ctx.params;
  const probes = await listener(p.port, p.sharedKey);
  ctx.log.info('listening', { port: probes.port });
  const windowMs = (parseDuration(p.listenWindow) ?? 20) * 1000;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, windowMs);
    ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
  const sessions: SessionOutcome[] = probes.take(QUIET_MS);
  const m = ctx.metrics;
  for (const s of sessions) {
    const sender = s.sender;
    m.counter('ip_spoofing_detection_sessions_total').inc({ sender });
    for (const c of s.classes) {
      m.counter('ip_spoofing_detection_probes_received_total').inc({ sender, class: c.class }, c.received);
      if (c.verdict !== 'unknown')
        m.gauge('ip_spoofing_detection_spoofed_delivered').set(
          { sender, class: c.class },
          c.verdict === 'received' ? 1 : 0,
        );
    }
    m.gauge('ip_spoofing_detection_nat_detected').set({ sender }, s.natDetected ? 1 : 0);
    m.gauge('ip_spoofing_detection_spoofable_prefix_length').set({ sender }, s.spoofablePrefixLength);
    const open = s.classes.filter((c) => c.class !== 'control' && c.verdict === 'received').map((c) => c.class);
    ctx.log.info('session received', { session: s.session, sender, spoofable: open });
  }
  ctx.result({ role: 'receiver', port: probes.port, ignoredDatagrams: probes.ignored, sessions });
}
