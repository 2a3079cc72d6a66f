/** What changed in a stream's delivery since this instance's previous run: hosts appearing or leaving, addresses and CDNs moving. */
import type { StreamMap } from './map-stream.js';

export type StreamChangeKind = 'host_added' | 'host_removed' | 'addresses_changed' | 'cdn_changed';

export interface StreamChange {
  kind: StreamChangeKind;
  host: string;
  before?: unknown;
  after?: unknown;
}

export function diffStreamMaps(before: StreamMap | undefined, after: StreamMap): StreamChange[] {
  if (!before) return [];
  const old = new Map(before.hosts.map((h) => [h.host, h]));
  const now = new Map(after.hosts.map((h) => [h.host, h]));
  const changes: StreamChange[] = [];
  for (const [host, h] of now) {
    const o = old.get(host);
    if (!o) changes.push({ kind: 'host_added', host, after: h.connectedAddresses });
    else {
      if (o.connectedAddresses.join() !== h.connectedAddresses.join())
        changes.push({ kind: 'addresses_changed', host, before: o.connectedAddresses, after: h.connectedAddresses });
      if (o.cdn !== h.cdn) changes.push({ kind: 'cdn_changed', host, before: o.cdn, after: h.cdn });
    }
  }
  for (const host of old.keys()) if (!now.has(host)) changes.push({ kind: 'host_removed', host });
  return changes;
}
