/**
 * The forged source addresses a sender tries, after CAIDA Spoofer's classes: a **private**
 * address (RFC 1918) from another block than the sender's own, **routable** addresses from
 * outside the sender's network, and **adjacent** addresses: `adjacent_N` shares the sender's
 * first N bits but not N+1, so if a filter lets `adjacent_24` through and drops `adjacent_23`, the
 * network filters at /24 granularity. A **control** probe with the real address tells "filtered"
 * apart from "lost".
 */
import net from 'node:net';

export type ProbeClass = 'control' | 'private' | 'routable' | `adjacent_${number}`;

export interface PlannedProbe {
  class: ProbeClass;
  source: string;
}

export function ipv4ToInt(address: string): number {
  if (!net.isIPv4(address)) throw new Error(`${address} is not an IPv4 address`);
  return address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Whether `address` is in `base/length`. */
export function inPrefix(address: string, base: string, length: number): boolean {
  if (length === 0) return true;
  const size = 2 ** (32 - length);
  return Math.floor(ipv4ToInt(address) / size) === Math.floor(ipv4ToInt(base) / size);
}

const PRIVATE_BLOCKS: [string, number, string][] = [
  ['10.0.0.0', 8, '10.254.254.1'],
  ['172.16.0.0', 12, '172.31.254.1'],
  ['192.168.0.0', 16, '192.168.254.1'],
];

export function isPrivate(address: string): boolean {
  return PRIVATE_BLOCKS.some(([base, length]) => inPrefix(address, base, length));
}

/** A private address from an RFC 1918 block the sender's address is not in. */
export function privateSourceFor(sender: string): string {
  const block = PRIVATE_BLOCKS.find(([base, length]) => !inPrefix(sender, base, length))!;
  return block[2];
}

/**
 * The address sharing exactly `prefix` leading bits with `sender`: flip bit `prefix` (counting the
 * most significant as bit 0), keep the sender's host part, and avoid the network and broadcast
 * host numbers of a /24 so no router treats the probe as directed broadcast.
 */
export function adjacentSource(sender: string, prefix: number): string {
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > 31)
    throw new Error(`adjacent prefix ${prefix} must be a whole number from 1 to 31`);
  let value = ipv4ToInt(sender) ^ (2 ** (31 - prefix));
  value = value >>> 0;
  const last = value % 256;
  if (prefix < 24 && (last === 0 || last === 255)) value = value - last + (last === 0 ? 1 : 254);
  return intToIpv4(value);
}

export interface PlanOptions {
  sender: string;
  routableSources: string[];
  privateSources: string[];
  adjacentPrefixes: number[];
}

export function planProbes(options: PlanOptions): PlannedProbe[] {
  const plan: PlannedProbe[] = [{ class: 'control', source: options.sender }];
  const privates = options.privateSources.length > 0 ? options.privateSources : [privateSourceFor(options.sender)];
  for (const source of privates) {
    if (!isPrivate(source)) throw new Error(`privateSources: ${source} is not an RFC 1918 address`);
    plan.push({ class: 'private', source });
  }
  for (const source of options.routableSources) {
    if (isPrivate(source))
      throw new Error(`routableSources: ${source} is private; give a public address outside the sender's network`);
    if (inPrefix(source, options.sender, 16))
      throw new Error(`routableSources: ${source} is within the sender's /16; give one outside its network`);
    plan.push({ class: 'routable', source });
  }
  for (const prefix of [...new Set(options.adjacentPrefixes)].sort((a, b) => b - a))
    plan.push({ class: `adjacent_${prefix}`, source: adjacentSource(options.sender, prefix) });
  for (const p of plan) ipv4ToInt(p.source);
  return plan;
}
