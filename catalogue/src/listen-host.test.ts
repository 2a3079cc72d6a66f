/** `npm start`'s listen address: loopback unless HOST (or --host) says otherwise, so a cluster can reach it. */
import { describe, expect, it } from 'vitest';
import { listenHost, listensEverywhere } from './start.js';
import { serveCatalogue } from './serve/server.js';
import { tempDir } from './testing/helpers.js';

describe('listen address', () => {
  it('is 127.0.0.1 by default, HOST when set, the option above both', () => {
    expect(listenHost(undefined, {})).toBe('127.0.0.1');
    expect(listenHost(undefined, { HOST: '' })).toBe('127.0.0.1');
    expect(listenHost(undefined, { HOST: '0.0.0.0' })).toBe('0.0.0.0');
    expect(listenHost('::1', { HOST: '0.0.0.0' })).toBe('::1');
    expect(listensEverywhere('0.0.0.0')).toBe(true);
    expect(listensEverywhere('127.0.0.1')).toBe(false);
  });

  it('HOST=0.0.0.0 serves on every address (reached here through loopback)', async () => {
    const work = await tempDir();
    const server = await serveCatalogue({
      repoDir: work.dir,
      host: listenHost(undefined, { HOST: '0.0.0.0' }),
      port: 0,
    });
    try {
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/$/);
      const port = new URL(server.url).port;
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
    } finally {
      await server.close();
      await work.cleanup();
    }
  });
});
