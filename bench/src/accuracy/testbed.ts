/**
 * The accuracy test bed: two network namespaces that the bench creates itself, a client host and
 * a server host, joined by a veth pair whose both ends are shaped by a token bucket (tc tbf). The
 * bottleneck is what co-located measurements compete for. The kernel here has no netem, so the
 * fixed server delay is added by the test server itself (see server.ts).
 *
 * Both ends live in namespaces: this machine's own uplink uses 192.0.2.0/24 in the root
 * namespace, so TEST-NET-1 addresses (RFC 5737) may only exist where they cannot clash with it.
 * The measurement apps therefore run inside the client namespace (`ip netns exec`), and the
 * bench reads their /results from inside it too.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const exec = promisify(execFile);

export interface TestbedOptions {
  /** Bottleneck rate of each direction, in Mbit/s. */
  rateMbit: number;
  /** Delay before the first byte of every server response, in ms. */
  firstByteDelayMs: number;
  /** Port of the test server inside the server namespace. */
  port?: number;
  /** Distinguishes concurrent beds (default: this process id). */
  id?: string;
}

export interface Testbed {
  clientNamespace: string;
  serverNamespace: string;
  clientAddress: string;
  serverAddress: string;
  baseUrl: string;
  rateMbit: number;
  firstByteDelayMs: number;
  /** Deletes both namespaces (and with them the link) and stops the server. Idempotent. */
  close(): Promise<void>;
}

export const CLIENT_ADDRESS = '192.0.2.1';
export const SERVER_ADDRESS = '192.0.2.2';

/** Names of the bed's namespaces for an id; exported so a crashed run can be cleaned by hand. */
export function namespaceNames(id: string): { client: string; server: string } {
  return { client: `nmaas-acc-c-${id}`, server: `nmaas-acc-s-${id}` };
}

/**
 * The tbf line for a rate. The bucket holds a few packets' worth (at least 10 ms of the rate) so
 * short bursts pass at line speed as on a real access link; `latency` bounds the queue, which is
 * where a co-located transfer adds its delay to a neighbour's first byte.
 */
export function tbfArgs(rateMbit: number): string[] {
  const burstBytes = Math.max(16 * 1024, Math.ceil((rateMbit * 1e6 * 0.01) / 8));
  return ['root', 'tbf', 'rate', `${rateMbit}mbit`, 'burst', String(burstBytes), 'latency', '200ms'];
}

/** The bed ids of `ip netns list` output whose owner process is gone (a bench killed with SIGKILL). */
export function staleBedIds(netnsList: string, isAlive: (pid: number) => boolean): string[] {
  const ids = new Set<string>();
  for (const line of netnsList.split('\n')) {
    const m = /^nmaas-acc-[cs]-(\d+)\b/.exec(line.trim());
    if (m && !isAlive(Number(m[1]))) ids.add(m[1]!);
  }
  return [...ids];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes beds left behind by a bench that could not clean up (their processes first). */
export async function removeStaleTestbeds(): Promise<string[]> {
  const { stdout } = await exec('ip', ['netns', 'list']);
  const stale = staleBedIds(stdout, processAlive);
  for (const id of stale) {
    for (const name of Object.values(namespaceNames(id))) {
      const pids = await exec('ip', ['netns', 'pids', name]).then(
        (r) => r.stdout.split(/\s+/).filter(Boolean).map(Number),
        () => [] as number[],
      );
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exec('ip', ['netns', 'del', name]).catch(() => undefined);
    }
  }
  return stale;
}

/** Runs a command inside a namespace (`ip netns exec`), resolving with its stdout. */
export async function inNamespace(
  namespace: string,
  command: string,
  args: string[],
  timeoutMs = 10_000,
): Promise<string> {
  const { stdout } = await exec('ip', ['netns', 'exec', namespace, command, ...args], {
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Creates the namespaces, the shaped link and starts the test server. Needs root and iproute2. */
export async function createTestbed(options: TestbedOptions): Promise<Testbed> {
  const id = options.id ?? String(process.pid);
  const ns = namespaceNames(id);
  const port = options.port ?? 8080;
  let server: ChildProcess | undefined;
  const close = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    // Deleting a namespace removes the veth end inside it, and with it the peer.
    for (const name of [ns.client, ns.server]) await exec('ip', ['netns', 'del', name]).catch(() => undefined);
  };
  try {
    await removeStaleTestbeds();
    await close();
    await exec('ip', ['netns', 'add', ns.client]);
    await exec('ip', ['netns', 'add', ns.server]);
    await exec('ip', [
      '-n',
      ns.client,
      'link',
      'add',
      'acc-c',
      'type',
      'veth',
      'peer',
      'name',
      'acc-s',
      'netns',
      ns.server,
    ]);
    await exec('ip', ['-n', ns.client, 'addr', 'add', `${CLIENT_ADDRESS}/30`, 'dev', 'acc-c']);
    await exec('ip', ['-n', ns.server, 'addr', 'add', `${SERVER_ADDRESS}/30`, 'dev', 'acc-s']);
    for (const [name, dev] of [
      [ns.client, 'acc-c'],
      [ns.server, 'acc-s'],
    ] as const) {
      await exec('ip', ['-n', name, 'link', 'set', dev, 'up']);
      await exec('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      // Shape both directions; server → client is the bottleneck the apps share.
      await exec('ip', ['netns', 'exec', name, 'tc', 'qdisc', 'add', 'dev', dev, ...tbfArgs(options.rateMbit)]);
    }
    server = spawnTestServer(ns.server, port, options.firstByteDelayMs);
    await untilListening(server);
    return {
      clientNamespace: ns.client,
      serverNamespace: ns.server,
      clientAddress: CLIENT_ADDRESS,
      serverAddress: SERVER_ADDRESS,
      baseUrl: `http://${SERVER_ADDRESS}:${port}`,
      rateMbit: options.rateMbit,
      firstByteDelayMs: options.firstByteDelayMs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Starts the accuracy test server inside `namespace`, on SERVER_ADDRESS:port (see server-main.ts). */
export function spawnTestServer(namespace: string, port: number, firstByteDelayMs: number): ChildProcess {
  const serverMain = fileURLToPath(new URL('./server-main.js', import.meta.url));
  return spawn(
    'ip',
    [
      'netns',
      'exec',
      namespace,
      process.execPath,
      serverMain,
      '--host',
      SERVER_ADDRESS,
      '--port',
      String(port),
      '--delay-ms',
      String(firstByteDelayMs),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/** Resolves once the test server says it listens; rejects if it exits first or takes over 10 s. */
export function untilListening(server: ChildProcess): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('test server did not start within 10 s')), 10_000);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test server exited with ${code}`));
    });
    server.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
