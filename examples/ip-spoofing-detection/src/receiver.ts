/**
 * The receiver role: a UDP listener that stays open for the life of the process (probes may come
 * at any time between the receiver's runs), groups probes by sender session, and hands over a
 * session once it has been quiet for a while. For each class it says whether forged packets
 * arrived (the sender's network does not filter that class), did not arrive while the control
 * did (filtered), or cannot be judged (the control was lost too). A probe whose observed source
 * differs from the source it claims went through address translation, which hides spoofing.
 */
import dgram from 'node:dgram';
import type { ProbeClass } from './addresses.js';
import { decodeProbe } from './probe-format.js';

export type Verdict = 'received' | 'filtered' | 'unknown';

export interface ClassOutcome {
  class: ProbeClass;
  claimed: string;
  sent: number;
  received: number;
  verdict: Verdict;
  /** Sources seen for this class that differ from the claimed one (a NAT rewrote them). */
  rewrittenTo?: string[];
}

export interface SessionOutcome {
  session: string;
  sender: string;
  firstSeen: string;
  classes: ClassOutcome[];
  natDetected: boolean;
  /** Smallest N for which a forged adjacent_N probe arrived (32 when none did). */
  spoofablePrefixLength: number;
}

interface OpenSession {
  sender: string;
  classes: ProbeClass[];
  count: number;
  firstSeen: number;
  lastSeen: number;
  byClass: Map<ProbeClass, { claimed: string; received: number; observed: Set<string> }>;
}

export class ProbeCollector {
  private readonly socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  private readonly sessions = new Map<string, OpenSession>();
  /** Datagrams on the port that were not valid probes (scans, wrong key). */
  ignored = 0;

  private constructor(private readonly key: string) {}

  static async listen(port: number, address: string, key: string): Promise<ProbeCollector> {
    const collector = new ProbeCollector(key);
    collector.socket.on('message', (msg, rinfo) => collector.onMessage(msg, rinfo.address));
    await new Promise<void>((resolve, reject) => {
      collector.socket.once('error', reject);
      collector.socket.bind(port, address, () => resolve());
    });
    return collector;
  }

  get port(): number {
    return this.socket.address().port;
  }

  private onMessage(msg: Buffer, observed: string): void {
    const probe = decodeProbe(msg, this.key);
    if (!probe) {
      this.ignored += 1;
      return;
    }
    const now = Date.now();
    let session = this.sessions.get(probe.session);
    if (!session) {
      session = {
        sender: probe.from,
        classes: probe.classes,
        count: probe.count,
        firstSeen: now,
        lastSeen: now,
        byClass: new Map(),
      };
      this.sessions.set(probe.session, session);
    }
    session.lastSeen = now;
    const entry = session.byClass.get(probe.class) ?? {
      claimed: probe.claimed,
      received: 0,
      observed: new Set<string>(),
    };
    entry.received += 1;
    entry.observed.add(observed);
    session.byClass.set(probe.class, entry);
  }

  /** Sessions quiet for `quietMs` (or all with `all`), removed from the collector. */
  take(quietMs: number, all = false): SessionOutcome[] {
    const now = Date.now();
    const done: SessionOutcome[] = [];
    for (const [id, s] of this.sessions) {
      if (!all && now - s.lastSeen < quietMs) continue;
      this.sessions.delete(id);
      done.push(summarise(id, s));
    }
    return done;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

function summarise(id: string, s: OpenSession): SessionOutcome {
  const controlArrived = (s.byClass.get('control')?.received ?? 0) > 0;
  const classes: ClassOutcome[] = s.classes.map((cls) => {
    const got = s.byClass.get(cls);
    const received = got?.received ?? 0;
    const rewritten = got ? [...got.observed].filter((a) => a !== got.claimed) : [];
    return {
      class: cls,
      claimed: got?.claimed ?? '',
      sent: s.count,
      received,
      verdict: received > 0 ? 'received' : controlArrived ? 'filtered' : 'unknown',
      ...(rewritten.length > 0 ? { rewrittenTo: rewritten } : {}),
    };
  });
  const adjacent = classes
    .filter((c) => c.class.startsWith('adjacent_') && c.received > 0)
    .map((c) => Number(c.class.slice('adjacent_'.length)));
  return {
    session: id,
    sender: s.sender,
    firstSeen: new Date(s.firstSeen).toISOString(),
    classes,
    natDetected: classes.some((c) => c.rewrittenTo !== undefined),
    spoofablePrefixLength: adjacent.length > 0 ? Math.min(...adjacent) : 32,
  };
}
