/**
 * How a page's map changed since the previous run of the same instance: hosts that appeared or
 * disappeared, and hosts whose addresses, CNAME chain or CDN changed (a CDN switch, a new edge).
 */
import type { PageMap } from './map-page.js';

export type ChangeKind = 'host_added' | 'host_removed' | 'addresses_changed' | 'cname_changed' | 'cdn_changed';
export const CHANGE_KINDS: readonly ChangeKind[] = [
  'host_added',
  'host_removed',
  'addresses_changed',
  'cname_changed',
  'cdn_changed',
];

export interface Change {
  kind: ChangeKind;
  host: string;
  before?: unknown;
  after?: unknown;
}

export function diffMaps(before: PageMap | undefined, after: PageMap): Change[] {
  if (!before) return [];
  const old = new Map(before.hosts.map((h) => [h.host, h]));
  const now = new Map(after.hosts.map((h) => [h.host, h]));
  const changes: Change[] = [];
  for (const [host, h] of now) {
    const o = old.get(host);
    if (!o) {
      changes.push({ kind: 'host_added', host, after: { addresses: h.addresses, cdn: h.cdn } });
      continue;
    }
    if (o.addresses.join() !== h.addresses.join())
      changes.push({ kind: 'addresses_changed', host, before: o.addresses, after: h.addresses });
    if (o.cnameChain.join() !== h.cnameChain.join())
      changes.push({ kind: 'cname_changed', host, before: o.cnameChain, after: h.cnameChain });
    if (o.cdn !== h.cdn) changes.push({ kind: 'cdn_changed', host, before: o.cdn, after: h.cdn });
  }
  for (const host of old.keys()) if (!now.has(host)) changes.push({ kind: 'host_removed', host });
  return changes;
}
