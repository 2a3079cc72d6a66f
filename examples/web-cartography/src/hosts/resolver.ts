/**
 * Name resolution through a resolver the operator chooses (the `resolver` parameter): a DMS node's
 * view of the Internet depends on the resolver it asks, so the apps never silently use a different
 * one. An empty `resolver` means the node's own (getaddrinfo for connections, /etc/resolv.conf's
 * servers for record look-ups).
 */
import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';

export type IpFamily = 'auto' | 'ipv4' | 'ipv6';

export interface ResolverHandle {
  /** `host[:port]` of the resolver, or '' for the node's own. */
  server: string;
  resolver: dns.promises.Resolver;
}

/**
 * `server` is an address with an optional port: `192.0.2.53`, `127.0.0.1:5353`, `[2001:db8::53]:53`.
 * Host names are refused: resolving the resolver's own name would need a resolver.
 */
export function createResolver(server: string, options: { timeoutMs?: number } = {}): ResolverHandle {
  const resolver = new dns.promises.Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 });
  const trimmed = server.trim();
  if (trimmed !== '') {
    const host = trimmed.replace(/^\[(.*)\](:\d+)?$/, '$1').replace(/^([^:]+):\d+$/, '$1');
    if (net.isIP(host) === 0) {
      throw new Error(
        `resolver "${server}" must be an IP address with an optional port (e.g. 192.0.2.53 or 127.0.0.1:5353), not a host name`,
      );
    }
    resolver.setServers([trimmed]);
  }
  return { server: trimmed, resolver };
}

/**
 * A `lookup` for node:net/http/https that asks the configured resolver and reports how long it took,
 * so DNS time is measured on the resolver the operator chose.
 */
export function makeLookup(
  handle: ResolverHandle,
  family: IpFamily,
  onResolved?: (info: { addresses: string[]; seconds: number }) => void,
): LookupFunction {
  return (hostname, options, callback) => {
    const started = performance.now();
    const done = (error: Error | null, addresses: { address: string; family: number }[]) => {
      const seconds = (performance.now() - started) / 1000;
      if (!error) onResolved?.({ addresses: addresses.map((a) => a.address), seconds });
      if (error) return (callback as (e: Error) => void)(error);
      if (options.all)
        return (callback as (e: null, a: { address: string; family: number }[]) => void)(null, addresses);
      const first = addresses[0]!;
      return (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
    };
    resolveAddresses(handle, hostname, family).then(
      (addresses) => done(null, addresses),
      (error: Error) => done(error, []),
    );
  };
}

/** The addresses of `hostname` in the requested family order (IPv4 first for `auto`, like most clients here). */
export async function resolveAddresses(
  handle: ResolverHandle,
  hostname: string,
  family: IpFamily,
): Promise<{ address: string; family: 4 | 6 }[]> {
  const literal = net.isIP(hostname.replace(/^\[|\]$/g, ''));
  if (literal !== 0) return [{ address: hostname.replace(/^\[|\]$/g, ''), family: literal as 4 | 6 }];
  if (handle.server === '') {
    const all = await dns.promises.lookup(hostname, {
      all: true,
      family: family === 'ipv4' ? 4 : family === 'ipv6' ? 6 : 0,
    });
    return all.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
  }
  const want4 = family !== 'ipv6';
  const want6 = family !== 'ipv4';
  const [v4, v6] = await Promise.all([
    want4 ? handle.resolver.resolve4(hostname).catch(noData) : Promise.resolve([]),
    want6 ? handle.resolver.resolve6(hostname).catch(noData) : Promise.resolve([]),
  ]);
  const addresses = [
    ...v4.map((address) => ({ address, family: 4 as const })),
    ...v6.map((address) => ({ address, family: 6 as const })),
  ];
  if (addresses.length === 0) {
    const error = new Error(
      `${hostname} has no ${family === 'auto' ? '' : family + ' '}address (resolver ${handle.server})`,
    ) as NodeJS.ErrnoException;
    error.code = 'ENOTFOUND';
    throw error;
  }
  return addresses;
}

/** A missing record type is an empty answer, not a failure; anything else (timeout, refused) is. */
function noData(error: NodeJS.ErrnoException): string[] {
  if (error.code === dns.NODATA || error.code === dns.NOTFOUND) return [];
  throw error;
}

export interface HostResolution {
  host: string;
  /** The CNAME targets in order (empty when the name has its own addresses). */
  cnameChain: string[];
  addresses: string[];
  /** Set when the name could not be resolved. */
  error?: string;
}

/** Follows `host`'s CNAME chain hop by hop (so every alias is seen), then resolves the final name. */
export async function resolveChain(
  handle: ResolverHandle,
  host: string,
  family: IpFamily = 'auto',
): Promise<HostResolution> {
  if (net.isIP(host) !== 0) return { host, cnameChain: [], addresses: [host] };
  const chain: string[] = [];
  let name = host;
  try {
    for (let hop = 0; hop < 16; hop++) {
      const targets = await cnameOf(handle, name);
      const next = targets[0];
      if (next === undefined) break;
      if (chain.includes(next) || next === host) throw new Error(`CNAME loop at ${next}`);
      chain.push(next);
      name = next;
    }
    const addresses = (await resolveAddresses(handle, name, family)).map((a) => a.address);
    return { host, cnameChain: chain, addresses };
  } catch (error) {
    return { host, cnameChain: chain, addresses: [], error: (error as Error).message };
  }
}

async function cnameOf(handle: ResolverHandle, name: string): Promise<string[]> {
  const resolver = handle.server === '' ? dns.promises : handle.resolver;
  try {
    return await resolver.resolveCname(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === dns.NODATA || code === dns.NOTFOUND) return [];
    throw error;
  }
}
