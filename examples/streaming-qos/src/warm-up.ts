/**
 * Brings the player to its steady state before it measures. A fresh process pays for loading and
 * compiling the HTTP client, the playlist parser and the player on its first session (about 15 ms
 * of the first start-up time on the development machine): that is the tool's start-up, not the
 * stream's. One short session of a tiny HLS stream served on loopback inside this process takes
 * it out of the measured start-up time. No packet leaves the node.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createResolver } from '@nmaas/example-web-cartography/hosts';
import { createFetchers } from './fetchers.js';
import { playSession } from './player/session.js';

const MASTER = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=8000\nmain/playlist.m3u8\n';
const PLAYLIST =
  '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:1.000,\nseg0.ts\n#EXT-X-ENDLIST\n';

export async function warmUp(): Promise<void> {
  const server = http.createServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/master.m3u8')
      response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(MASTER);
    else if (path === '/main/playlist.m3u8')
      response.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(PLAYLIST);
    else if (path === '/main/seg0.ts')
      response.writeHead(200, { 'content-type': 'video/mp2t' }).end(Buffer.alloc(1000));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const fetchers = createFetchers({ resolver: createResolver(''), family: 'auto', timeoutMs: 2000 });
  try {
    const { port } = server.address() as AddressInfo;
    await playSession(`http://127.0.0.1:${port}/master.m3u8`, {
      ...fetchers,
      sessionSeconds: 2,
      startupBufferSeconds: 1,
      maxBufferSeconds: 10,
      abrSafety: 0.8,
    });
  } finally {
    fetchers.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
