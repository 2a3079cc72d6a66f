/**
 * The server of the side-by-side test, run inside the testbed's server namespace. It answers HTTP
 * by hand on raw sockets (so a head can be split and every write timed) over plain TCP, over TLS
 * with a leaf-only certificate and over TLS with a full chain, delays each TLS handshake at SNI,
 * and answers DNS with a delay. What it really did, on its own clock, goes to stdout as one JSON
 * line per request (`{"tag",…}`) or DNS answer (`{"dns":seconds}`): the truth the probes are held to.
 *
 * Paths: /delay?ms=N (first byte after N ms), /slowhead?ms=N (status line at once, rest of the
 * head N ms later), /bytes?n=N (N body bytes at once, paced by the shaped link), /redirect?n=K
 * (K redirects, then /delay?ms=10), /notfound (404), /hang (never answers). `t=` tags a probe.
 * Not used by the image.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { startTestDnsServer } from '@nmaas/example-web-cartography/testing';

interface ServerConfig {
  host: string;
  httpPort: number;
  leafPort: number;
  chainPort: number;
  sniDelayMs: number;
  dnsDelayMs: number;
  zone: Record<string, { a: string[] }>;
  leafOnly: { cert: string; key: string };
  fullChain: { cert: string; key: string };
}

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: node side-by-side-server.js <config.json>\n');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8')) as ServerConfig;
const emit = (record: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(record)}\n`);
const ms = (from: number) => (performance.now() - from) / 1000;

/** Handshake time per TLS socket, from the ClientHello (SNI callback) to the client's Finished. */
const handshakeSeconds = new WeakMap<net.Socket, number>();

function serve(socket: net.Socket, scheme: string): void {
  let head = '';
  const onData = (chunk: Buffer) => {
    head += chunk.toString('latin1');
    if (head.length > 16_384) return socket.destroy();
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) return;
    socket.off('data', onData);
    const arrived = performance.now();
    const target = head.slice(0, head.indexOf('\r\n')).split(' ')[1] ?? '/';
    answer(socket, new URL(target, 'http://x'), arrived, scheme);
  };
  socket.on('data', onData);
  socket.on('error', () => undefined);
}

function answer(socket: net.Socket, url: URL, arrived: number, scheme: string): void {
  const tag = url.searchParams.get('t') ?? '';
  const n = Number(url.searchParams.get('n') ?? 0);
  const delay = Number(url.searchParams.get('ms') ?? 0);
  const base = { tag, path: url.pathname, scheme, tls: handshakeSeconds.get(socket) ?? 0 };
  const full = (status: string, body: string | Buffer, extra = '') =>
    `HTTP/1.1 ${status}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${extra}\r\n`;
  switch (url.pathname) {
    case '/delay':
      setTimeout(() => {
        emit({ ...base, processing: ms(arrived) });
        socket.end(full('200 OK', 'x'.repeat(1000)) + 'x'.repeat(1000));
      }, delay);
      return;
    case '/slowhead': {
      const firstWrite = performance.now();
      socket.write('HTTP/1.1 200 OK\r\n');
      const processing = (firstWrite - arrived) / 1000;
      setTimeout(() => {
        emit({ ...base, processing, stall: ms(firstWrite) });
        socket.end('content-length: 2\r\nconnection: close\r\n\r\nok');
      }, delay);
      return;
    }
    case '/bytes': {
      const body = Buffer.alloc(n, 0x61);
      emit({ ...base, processing: ms(arrived), bytes: n });
      socket.end(Buffer.concat([Buffer.from(full('200 OK', body)), body]));
      return;
    }
    case '/redirect': {
      const next = n > 1 ? `/redirect?n=${n - 1}&t=${tag}` : `/delay?ms=10&t=${tag}`;
      emit({ ...base, processing: ms(arrived) });
      socket.end(full('302 Found', '', `location: ${next}\r\n`));
      return;
    }
    case '/notfound':
      emit({ ...base, processing: ms(arrived) });
      socket.end(full('404 Not Found', 'missing') + 'missing');
      return;
    case '/hang':
      emit({ ...base, processing: 0 });
      return;
    default:
      socket.end(full('400 Bad Request', ''));
  }
}

const httpServer = net.createServer((socket) => serve(socket, 'http'));

function tlsServer(identity: { cert: string; key: string }): tls.Server {
  const context = tls.createSecureContext(identity);
  let helloAt = NaN;
  const server = tls.createServer({
    ...identity,
    SNICallback: (_name, callback) => {
      helloAt = performance.now();
      setTimeout(() => callback(null, context), config.sniDelayMs);
    },
  });
  server.on('secureConnection', (socket) => {
    // Probes run one at a time, so the last ClientHello is this connection's.
    handshakeSeconds.set(socket, Number.isNaN(helloAt) ? 0 : ms(helloAt));
    helloAt = NaN;
    serve(socket, 'https');
  });
  server.on('tlsClientError', () => undefined);
  return server;
}

const listen = (server: net.Server, port: number) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => resolve());
  });

await listen(httpServer, config.httpPort);
await listen(tlsServer(config.leafOnly), config.leafPort);
await listen(tlsServer(config.fullChain), config.chainPort);
const dns = await startTestDnsServer(config.zone, { host: config.host, port: 53, delayMs: config.dnsDelayMs });
let reported = 0;
setInterval(() => {
  while (reported < dns.answerDelays.length) emit({ dns: dns.answerDelays[reported++] });
}, 20);
emit({ ready: true });
process.on('SIGTERM', () => process.exit(0));
