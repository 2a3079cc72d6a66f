/**
 * The shared-link test bed: two measurement "nodes" (network namespaces) behind one router, whose
 * uplink to a server namespace is shaped by a token bucket (tc tbf, both ends of the router–server
 * veth, so downloads and uploads alike share the rate). Each node has its own unshaped veth to the
 * router: only the uplink is shared, as at a site whose nodes share one access link.
 *
 *   node-a ─┐
 *           router ══ shaped uplink ══ server
 *   node-b ─┘
 *
 * Addresses are TEST-NET-1 (RFC 5737) inside the namespaces only, like the single-node bed.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { spawnTestServer, tbfArgs, untilListening } from './testbed.js';

const exec = promisify(execFile);

export interface SharedLinkBed {
  nodes: { name: string; namespace: string }[];
  routerNamespace: string;
  serverNamespace: string;
  baseUrl: string;
  rateMbit: number;
  /** Stops the server and deletes the four namespaces (and with them every veth). Idempotent. */
  close(): Promise<void>;
}

/** Namespace names for a bed id (the process id by default), so a crashed run can be cleaned by hand. */
export function sharedLinkNamespaces(id: string): { a: string; b: string; router: string; server: string } {
  return { a: `nmaas-acl-a-${id}`, b: `nmaas-acl-b-${id}`, router: `nmaas-acl-r-${id}`, server: `nmaas-acl-s-${id}` };
}

const SERVER_ADDRESS = '192.0.2.14';

export async function createSharedLinkBed(options: {
  rateMbit: number;
  port?: number;
  id?: string;
}): Promise<SharedLinkBed> {
  const id = options.id ?? String(process.pid);
  const ns = sharedLinkNamespaces(id);
  const port = options.port ?? 8080;
  let server: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    for (const name of Object.values(ns)) await exec('ip', ['netns', 'del', name]).catch(() => undefined);
  };
  const ip = (...args: string[]) => exec('ip', args);
  const inNs = (name: string, ...args: string[]) => exec('ip', ['netns', 'exec', name, ...args]);
  try {
    await close();
    for (const name of Object.values(ns)) await ip('netns', 'add', name);
    // node-a: 192.0.2.5 ⇄ router .6; node-b: .9 ⇄ .10; router .13 ⇄ server .14 (the shared uplink).
    const links: [string, string, string, string, string, string][] = [
      [ns.a, 'acl-a', '192.0.2.5/30', ns.router, 'acl-ra', '192.0.2.6/30'],
      [ns.b, 'acl-b', '192.0.2.9/30', ns.router, 'acl-rb', '192.0.2.10/30'],
      [ns.router, 'acl-up', '192.0.2.13/30', ns.server, 'acl-s', `${SERVER_ADDRESS}/30`],
    ];
    for (const [n1, d1, a1, n2, d2, a2] of links) {
      await ip('-n', n1, 'link', 'add', d1, 'type', 'veth', 'peer', 'name', d2, 'netns', n2);
      await ip('-n', n1, 'addr', 'add', a1, 'dev', d1);
      await ip('-n', n2, 'addr', 'add', a2, 'dev', d2);
      await ip('-n', n1, 'link', 'set', d1, 'up');
      await ip('-n', n2, 'link', 'set', d2, 'up');
    }
    for (const name of Object.values(ns)) await ip('-n', name, 'link', 'set', 'lo', 'up');
    await ip('-n', ns.a, 'route', 'add', 'default', 'via', '192.0.2.6');
    await ip('-n', ns.b, 'route', 'add', 'default', 'via', '192.0.2.10');
    await ip('-n', ns.server, 'route', 'add', '192.0.2.0/28', 'via', '192.0.2.13');
    await inNs(ns.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1');
    // The uplink: shaped on the router's end (uploads) and the server's end (downloads).
    await inNs(ns.router, 'tc', 'qdisc', 'add', 'dev', 'acl-up', ...tbfArgs(options.rateMbit));
    await inNs(ns.server, 'tc', 'qdisc', 'add', 'dev', 'acl-s', ...tbfArgs(options.rateMbit));
    server = spawnTestServer(ns.server, port, 0);
    await untilListening(server);
    return {
      nodes: [
        { name: 'node-a', namespace: ns.a },
        { name: 'node-b', namespace: ns.b },
      ],
      routerNamespace: ns.router,
      serverNamespace: ns.server,
      baseUrl: `http://${SERVER_ADDRESS}:${port}`,
      rateMbit: options.rateMbit,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
