/**
 * HLS playlists (RFC 8216): a master playlist lists variant streams (EXT-X-STREAM-INF with
 * BANDWIDTH, RESOLUTION, CODECS); a media playlist lists segments (EXTINF durations, EXT-X-MAP
 * initialisation, EXT-X-ENDLIST for VOD). Only what a player needs to fetch in order is read.
 */
import type { Rendition, Segment } from './types.js';

export function isHlsPlaylist(text: string): boolean {
  return text.trimStart().startsWith('#EXTM3U');
}

export function isHlsMaster(text: string): boolean {
  return /^#EXT-X-STREAM-INF:/m.test(text);
}

/** Attribute lists: KEY=value,KEY="quoted, with commas". */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Z0-9-]+)=("([^"]*)"|[^,]*)/g)) out[m[1]!] = m[3] ?? m[2]!;
  return out;
}

export function parseHlsMaster(text: string, url: string): Rendition[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const renditions: Rendition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attrs = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    let uri: string | undefined;
    while (++i < lines.length) {
      const next = lines[i]!;
      if (next !== '' && !next.startsWith('#')) {
        uri = next;
        break;
      }
    }
    if (!uri) throw new Error(`${url}: EXT-X-STREAM-INF at the end of the playlist has no URI`);
    const bandwidth = Number(attrs.BANDWIDTH);
    if (!Number.isFinite(bandwidth) || bandwidth <= 0) throw new Error(`${url}: variant ${uri} has no valid BANDWIDTH`);
    const [width, height] = (attrs.RESOLUTION ?? '').split('x').map(Number);
    renditions.push({
      id: attrs['STABLE-VARIANT-ID'] ?? uri,
      bandwidth,
      ...(width && height ? { width, height } : {}),
      ...(attrs.CODECS ? { codecs: attrs.CODECS } : {}),
      playlistUrl: new URL(uri, url).href,
    });
  }
  if (renditions.length === 0) throw new Error(`${url}: the master playlist lists no variant stream`);
  return renditions.sort((a, b) => a.bandwidth - b.bandwidth);
}

export interface HlsMediaPlaylist {
  segments: Segment[];
  initUrl?: string;
  endList: boolean;
  targetDuration: number;
  mediaSequence: number;
}

export function parseHlsMedia(text: string, url: string): HlsMediaPlaylist {
  if (!isHlsPlaylist(text)) throw new Error(`${url} is not an HLS playlist (no #EXTM3U)`);
  const segments: Segment[] = [];
  let pending: number | null = null;
  let initUrl: string | undefined;
  let targetDuration = 0;
  let mediaSequence = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = parseAttributes(line.slice(11)).URI;
      if (uri) initUrl = new URL(uri, url).href;
    } else if (line !== '' && !line.startsWith('#')) {
      if (pending === null || !Number.isFinite(pending))
        throw new Error(`${url}: segment ${line} has no #EXTINF duration`);
      segments.push({ url: new URL(line, url).href, duration: pending, sequence: mediaSequence + segments.length });
      pending = null;
    }
  }
  return {
    segments,
    ...(initUrl ? { initUrl } : {}),
    endList: /^#EXT-X-ENDLIST/m.test(text),
    targetDuration,
    mediaSequence,
  };
}
