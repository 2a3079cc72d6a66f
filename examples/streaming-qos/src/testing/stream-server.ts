/**
 * A VOD stream served over real HTTP on loopback for tests, in HLS (master + media playlists, .ts
 * segments) and DASH (an MPD with SegmentTemplate $Number$) from the same renditions. Segment
 * bodies are `bandwidth × duration / 8` bytes; the server can pace them to a byte rate and hold
 * any request before answering, and it logs what it really did (when each request arrived, when
 * its last byte was written, how many bytes) so tests compare the player's report with the server's.
 * It listens on one or several loopback addresses (via the multi-host site) so segments can come
 * from several host names, and can redirect any path.
 */
import type http from 'node:http';
import { startMultiHostSite } from '@nmaas/example-web-cartography/testing';

export interface TestRendition {
  id: string;
  bandwidth: number;
  width?: number;
  height?: number;
}

export interface StreamRequestInfo {
  format: 'hls' | 'dash';
  kind: 'manifest' | 'playlist' | 'init' | 'segment';
  rendition?: string;
  index?: number;
  host: string;
  path: string;
}

export interface StreamLogEntry extends StreamRequestInfo {
  /** performance.now() when the request arrived and when its last byte was handed to the socket. */
  arrived: number;
  finished: number;
  bytes: number;
  address: string;
}

export interface StreamServerOptions {
  renditions: TestRendition[];
  segmentSeconds: number;
  segmentCount: number;
  /** Listen addresses (default 127.0.0.1); all share one port. */
  addresses?: string[];
  /** Bytes per second to pace a response at (undefined: as fast as possible). */
  rate?: (info: StreamRequestInfo) => number | undefined;
  /** Milliseconds to hold a request before answering. */
  hold?: (info: StreamRequestInfo) => number;
  /** Absolute base URL for a rendition's segments (to put them on other hosts); default: beside the playlist. */
  segmentBase?: (rendition: string, format: 'hls' | 'dash') => string | undefined;
  /** A URL to redirect this request to (302), or undefined to serve it. */
  redirect?: (info: StreamRequestInfo) => string | undefined;
  /**
   * Serve HLS live: the media playlists slide over the last `window` published segments and
   * carry no end list. Segment `s` is published at start + (s − window + 1) × segmentSeconds
   * (so `window` segments exist from the start) plus `delayMs(s)`: an encoder hiccup.
   */
  live?: { window: number; delayMs?: (sequence: number) => number };
}

export interface TestStreamServer {
  port: number;
  /** Live: performance.now() at which segment `sequence` is published. */
  publishedAt(sequence: number): number;
  /** URL of the HLS master playlist / DASH MPD on `host` (default 127.0.0.1). */
  hlsUrl(host?: string): string;
  dashUrl(host?: string): string;
  log: StreamLogEntry[];
  close(): Promise<void>;
}

export async function startStreamServer(options: StreamServerOptions): Promise<TestStreamServer> {
  const log: StreamLogEntry[] = [];
  const { renditions, segmentSeconds, segmentCount } = options;
  const total = segmentSeconds * segmentCount;
  const byId = new Map(renditions.map((r) => [r.id, r]));
  const startedAt = performance.now();
  const publishedAt = (sequence: number) =>
    startedAt +
    (sequence - (options.live?.window ?? 0) + 1) * segmentSeconds * 1000 +
    (options.live?.delayMs?.(sequence) ?? 0);
  /** Live: the published sequence numbers now listed in the playlist window. */
  const liveWindow = (): number[] => {
    const now = performance.now();
    let edge = -1;
    while (edge + 1 < segmentCount && publishedAt(edge + 1) <= now) edge += 1;
    const first = Math.max(0, edge - options.live!.window + 1);
    return edge < 0 ? [] : Array.from({ length: edge - first + 1 }, (_, i) => first + i);
  };
  const site = await startMultiHostSite(options.addresses ?? ['127.0.0.1'], (req, res, host) => {
    const arrived = performance.now();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const info = classify(path, host);
    if (!info) return void res.writeHead(404).end();
    const target = options.redirect?.(info);
    if (target) {
      res.writeHead(302, { location: target }).end();
      log.push({ ...info, arrived, finished: performance.now(), bytes: 0, address: req.socket.localAddress ?? '' });
      return;
    }
    let body: Buffer;
    let type: string;
    const rendition = info.rendition ? byId.get(info.rendition) : undefined;
    if (info.rendition && !rendition) return void res.writeHead(404).end();
    if (info.kind === 'manifest' && info.format === 'hls') {
      type = 'application/vnd.apple.mpegurl';
      body = Buffer.from(
        [
          '#EXTM3U',
          '#EXT-X-VERSION:3',
          ...renditions.flatMap((r) => [
            `#EXT-X-STREAM-INF:BANDWIDTH=${r.bandwidth}${r.width ? `,RESOLUTION=${r.width}x${r.height}` : ''},CODECS="avc1.4d401f,mp4a.40.2"`,
            `${r.id}/playlist.m3u8`,
          ]),
          '',
        ].join('\n'),
      );
    } else if (info.kind === 'playlist') {
      type = 'application/vnd.apple.mpegurl';
      const base = options.segmentBase?.(rendition!.id, 'hls') ?? '';
      const sequences = options.live ? liveWindow() : Array.from({ length: segmentCount }, (_, i) => i);
      const lines = [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        `#EXT-X-TARGETDURATION:${Math.ceil(segmentSeconds)}`,
        `#EXT-X-MEDIA-SEQUENCE:${sequences[0] ?? 0}`,
      ];
      if (!options.live) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
      for (const i of sequences) lines.push(`#EXTINF:${segmentSeconds.toFixed(3)},`, `${base}seg${i}.ts`);
      body = Buffer.from([...lines, ...(options.live ? [] : ['#EXT-X-ENDLIST']), ''].join('\n'));
    } else if (info.kind === 'manifest') {
      type = 'application/dash+xml';
      const reps = renditions.map((r) => {
        const base = options.segmentBase?.(r.id, 'dash');
        return `      <Representation id="${r.id}" bandwidth="${r.bandwidth}"${r.width ? ` width="${r.width}" height="${r.height}"` : ''}>${base ? `<BaseURL>${base}</BaseURL>` : ''}</Representation>`;
      });
      body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT${total}S" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
  <Period id="0">
    <AdaptationSet contentType="video" mimeType="video/mp4" segmentAlignment="true">
      <SegmentTemplate timescale="1000" duration="${Math.round(segmentSeconds * 1000)}" startNumber="0" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg$Number$.m4s"/>
${reps.join('\n')}
    </AdaptationSet>
  </Period>
</MPD>
`);
    } else if (info.kind === 'init') {
      type = 'video/mp4';
      body = Buffer.alloc(1000, 7);
    } else {
      if (info.index === undefined || info.index >= segmentCount) return void res.writeHead(404).end();
      if (options.live && publishedAt(info.index) > performance.now()) return void res.writeHead(404).end();
      type = info.format === 'hls' ? 'video/mp2t' : 'video/iso.segment';
      body = Buffer.alloc(Math.round((rendition!.bandwidth * segmentSeconds) / 8), info.index % 251);
    }
    const send = () =>
      pace(res, body, type, options.rate?.(info), () =>
        log.push({
          ...info,
          arrived,
          finished: performance.now(),
          bytes: body.length,
          address: req.socket.localAddress ?? '',
        }),
      );
    const hold = options.hold?.(info) ?? 0;
    if (hold > 0) setTimeout(send, hold);
    else send();
  });
  const url = (host: string, path: string) => `http://${host}:${site.port}${path}`;
  return {
    port: site.port,
    publishedAt,
    hlsUrl: (host = '127.0.0.1') => url(host, '/hls/master.m3u8'),
    dashUrl: (host = '127.0.0.1') => url(host, '/dash/manifest.mpd'),
    log,
    close: () => site.close(),
  };
}

function classify(path: string, host: string): StreamRequestInfo | null {
  let m: RegExpExecArray | null;
  if (path === '/hls/master.m3u8') return { format: 'hls', kind: 'manifest', host, path };
  if (path === '/dash/manifest.mpd') return { format: 'dash', kind: 'manifest', host, path };
  if ((m = /^\/hls\/([\w-]+)\/playlist\.m3u8$/.exec(path)))
    return { format: 'hls', kind: 'playlist', rendition: m[1]!, host, path };
  if ((m = /^\/(hls|dash)\/([\w-]+)\/seg(\d+)\.(ts|m4s)$/.exec(path)))
    return { format: m[1] as 'hls' | 'dash', kind: 'segment', rendition: m[2]!, index: Number(m[3]), host, path };
  if ((m = /^\/dash\/([\w-]+)\/init\.mp4$/.exec(path)))
    return { format: 'dash', kind: 'init', rendition: m[1]!, host, path };
  return null;
}

/** Writes `body` at `rate` bytes per second in 20 ms slices (or at once), then calls `done` when the last byte is handed over. */
function pace(res: http.ServerResponse, body: Buffer, type: string, rate: number | undefined, done: () => void): void {
  res.writeHead(200, { 'content-type': type, 'content-length': body.length });
  if (!rate) {
    res.end(body, done);
    return;
  }
  const started = performance.now();
  let sent = 0;
  const tick = () => {
    // Send what the rate allows by now, so late timers catch up instead of slowing the stream.
    const due = Math.min(body.length, Math.floor(((performance.now() - started) / 1000) * rate));
    if (due > sent) {
      res.write(body.subarray(sent, due));
      sent = due;
    }
    if (sent >= body.length) res.end(done);
    else setTimeout(tick, 20);
  };
  setTimeout(tick, 20);
}
