/**
 * A connection storm: `connections` fresh TLS connections opened at once, each sending one
 * AdmissionReview and closing (what many API server replicas retrying after a network partition
 * look like). Prints how each ended: answered (with its time from connect to the last byte),
 * closed by the server before an answer (the connection limit), or still unanswered at the bound.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

interface StormOptions {
  url: string;
  ca: string;
  body: string;
  connections: number;
  /** A connection unanswered after this counts as timed out. */
  boundMs: number;
  /** Connections opened per turn of the event loop; 0: all in one go. */
  batch: number;
}

const o = JSON.parse(process.argv[2]!) as StormOptions;
const url = new URL(o.url);
// One context for all connections: building it per connection (parsing the CA) costs the client
// more than the whole handshake and would be measured as the server's delay.
const secureContext = tls.createSecureContext({ ca: readFileSync(o.ca) });
const request = (i: number) => {
  const body = o.body.replace('[<id>]', String(i));
  return (
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
};

type Ending = { kind: 'answered'; status: number; ms: number } | { kind: 'closed' | 'timeout' | 'error'; ms: number };

function one(i: number): Promise<Ending> {
  const started = performance.now();
  return new Promise((resolve) => {
    let head = '';
    let done = false;
    const finish = (e: Ending) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(e);
    };
    const socket = tls.connect({ host: url.hostname, port: Number(url.port), secureContext }, () =>
      socket.write(request(i)),
    );
    const timer = setTimeout(() => finish({ kind: 'timeout', ms: o.boundMs }), o.boundMs);
    socket.on('data', (d: Buffer) => {
      if (head.length < 64) head += d.toString('latin1');
    });
    socket.on('end', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
      const ms = performance.now() - started;
      finish(status === undefined ? { kind: 'closed', ms } : { kind: 'answered', status: Number(status), ms });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const ms = performance.now() - started;
      const closed = error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'ECONNREFUSED';
      finish({ kind: closed ? 'closed' : 'error', ms });
    });
  });
}

const started = performance.now();
// Paced: opened in batches, one per turn of the event loop, so the handshakes under way progress
// while the rest arrive. A burst (one synchronous loop) holds every handshake of this client until
// all are opened, and then the client works out thousands of key shares at once: there the client,
// not the server, sets the pace on a 2-core machine.
const pending: Promise<Ending>[] = [];
for (let i = 0; i < o.connections; i++) {
  pending.push(one(i));
  if (o.batch > 0 && i % o.batch === o.batch - 1) await new Promise((r) => setImmediate(r));
}
const openedMs = performance.now() - started;
const endings = await Promise.all(pending);
const seconds = (performance.now() - started) / 1000;
const answered = endings
  .filter((e) => e.kind === 'answered')
  .map((e) => e.ms)
  .sort((a, b) => a - b);
const at = (q: number) =>
  answered.length === 0 ? null : Math.round(answered[Math.min(answered.length - 1, Math.floor(q * answered.length))]!);
const count = (kind: Ending['kind']) => endings.filter((e) => e.kind === kind).length;
const statuses: Record<string, number> = {};
for (const e of endings) if (e.kind === 'answered') statuses[e.status] = (statuses[e.status] ?? 0) + 1;
const closedMs = endings
  .filter((e) => e.kind === 'closed')
  .map((e) => e.ms)
  .sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    connections: o.connections,
    seconds: Math.round(seconds * 10) / 10,
    openedWithinMs: Math.round(openedMs),
    answered: answered.length,
    statuses,
    closedByServer: count('closed'),
    closedWithinMs: {
      p50: closedMs.length ? Math.round(closedMs[closedMs.length >> 1]!) : null,
      max: closedMs.length ? Math.round(closedMs.at(-1)!) : null,
    },
    timedOut: count('timeout'),
    otherErrors: count('error'),
    answeredMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
  })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
