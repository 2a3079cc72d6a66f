/**
 * An HTTPS server (TLS 1.2 or newer) whose certificate and key are read from files and reloaded
 * when they change: cert-manager and kubelet rotate mounted Secrets by swapping a symlink, so the
 * files are polled (fs.watchFile follows the path, not the inode). A half-written pair (new cert,
 * old key) fails to load; the server keeps the previous context and retries on the next change.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/**
 * What one client may hold. Node's defaults (no connection limit, 120 s to finish a handshake,
 * header and request timeouts checked only every 30 s) let a storm of connections queue without
 * bound far past the API server's webhook timeout.
 */
export interface ConnectionLimits {
  /** Open connections beyond this are closed as they arrive (the API server then retries or applies failurePolicy). */
  maxConnections: number;
  /**
   * TLS handshakes in progress at once; a connection arriving beyond is closed at once. A storm of
   * fresh connections otherwise shares the CPU among all their handshakes, so that none finishes
   * within the webhook timeout; bounded, the admitted ones finish in milliseconds and the rest
   * fail fast (the API server applies the failure policy or retries) instead of waiting seconds.
   */
  maxHandshakes: number;
  /** A connection that has not finished the TLS handshake by then is closed. */
  handshakeTimeoutMs: number;
  /** A request whose headers are not complete by then gets 408 and the connection closes. */
  headersTimeoutMs: number;
  /** A request whose body is not complete by then gets 408. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often header and request timeouts are checked (their precision). */
  checkEveryMs: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxConnections: 1024,
  maxHandshakes: 256,
  handshakeTimeoutMs: 5_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
  checkEveryMs: 500,
};

export interface ReloadingServerOptions extends TlsFiles {
  limits?: Partial<ConnectionLimits>;
  /** How often the files are checked for changes (ms). */
  pollMs?: number;
  onReload?: (error: Error | null) => void;
}

function loadContext(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  // Throws on a malformed or mismatched pair, before the live server sees it; OpenSSL's own words
  // ("PEM routines::no start line") name neither file.
  try {
    tls.createSecureContext({ cert, key });
  } catch (error) {
    throw new Error(
      `${files.certFile} and ${files.keyFile} are not a PEM certificate and its private key (${(error as Error).message}); give the tls.crt and tls.key of a kubernetes.io/tls Secret, or openssl's output`,
    );
  }
  return { cert, key };
}

const peerKey = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;

export class ReloadingHttpsServer {
  readonly server: https.Server;
  private readonly pollMs: number;
  private readonly listener: (curr: Stats, prev: Stats) => void;
  reloads = 0;
  private readonly sockets = new Set<Socket>();
  /** Connections still in the TLS handshake, by remote address and port (unique while connected). */
  private readonly handshaking = new Map<string, { socket: Socket; at: number }>();
  /** Time from accepting a connection to the end of its handshake (ms), the last 4,096. */
  private readonly handshakeMs = new Float64Array(4096);
  private handshakesDone = 0;
  /** Connections closed on arrival because `maxHandshakes` were in progress. */
  refusedHandshakes = 0;

  constructor(
    private readonly options: ReloadingServerOptions,
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  ) {
    const initial = loadContext(options);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    // Bound slow or idle clients: a webhook answer takes milliseconds.
    this.server = https.createServer(
      {
        ...initial,
        minVersion: 'TLSv1.2',
        handshakeTimeout: limits.handshakeTimeoutMs,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.checkEveryMs,
      },
      handler,
    );
    this.server.maxConnections = limits.maxConnections;
    // Tracked so close() also ends sockets still in the TLS handshake (closeAllConnections misses them).
    this.server.on('connection', (socket: Socket) => {
      if (this.handshaking.size >= limits.maxHandshakes) {
        this.refusedHandshakes += 1;
        socket.destroy();
        return;
      }
      const key = peerKey(socket);
      this.handshaking.set(key, { socket, at: performance.now() });
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        if (this.handshaking.get(key)?.socket === socket) this.handshaking.delete(key);
      });
    });
    this.server.on('secureConnection', (socket: tls.TLSSocket) => {
      const key = peerKey(socket);
      const started = this.handshaking.get(key);
      if (started === undefined) return;
      this.handshaking.delete(key);
      this.handshakeMs[this.handshakesDone % this.handshakeMs.length] = performance.now() - started.at;
      this.handshakesDone += 1;
    });
    this.pollMs = options.pollMs ?? 2_000;
    this.listener = (curr, prev) => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size && curr.ino === prev.ino) return;
      this.reload();
    };
  }

  /** Percentiles (ms) of the last handshakes, from accepting the connection to its end; `reset` starts afresh. */
  handshakeLatency(reset = false): { count: number; p50: number; p99: number; max: number } {
    const n = Math.min(this.handshakesDone, this.handshakeMs.length);
    const sorted = Array.from(this.handshakeMs.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number) => (n === 0 ? 0 : Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 10) / 10);
    const out = { count: this.handshakesDone, p50: at(0.5), p99: at(0.99), max: at(1) };
    if (reset) this.handshakesDone = 0;
    return out;
  }

  /** Connections in the TLS handshake now. */
  get handshakes(): number {
    return this.handshaking.size;
  }

  /** Re-reads the files now; true when the new pair is in use. */
  reload(): boolean {
    try {
      const context = loadContext(this.options);
      this.server.setSecureContext({ ...context, minVersion: 'TLSv1.2' } as tls.SecureContextOptions);
      this.reloads += 1;
      this.options.onReload?.(null);
      return true;
    } catch (error) {
      this.options.onReload?.(error instanceof Error ? error : new Error(String(error)));
      return false;
    }
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    for (const f of [this.options.certFile, this.options.keyFile])
      watchFile(f, { interval: this.pollMs, persistent: false }, this.listener);
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const f of [this.options.certFile, this.options.keyFile]) unwatchFile(f, this.listener);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
