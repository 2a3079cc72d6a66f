/** --catalogue: the version must be new and higher than every published one, read from a file or over HTTP. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validate } from './engine.js';
import { UnreadableInputError } from './input/errors.js';
import { BASE_CHART } from './testing/index.js';

let server: Server;
let base: string;
let published: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/huge/index.yaml') {
      // A server that never stops sending: 1 MiB at a time until the client hangs up.
      res.writeHead(200, { 'content-type': 'text/yaml' });
      const chunk = Buffer.alloc(1024 * 1024, '#');
      const more = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      more();
    } else if (req.url === '/charts/index.yaml') {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(
        stringify({
          apiVersion: 'v1',
          entries: { 'web-qos-full': published.map((version) => ({ name: 'web-qos-full', version })) },
        }),
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const ids = async (catalogue: string) =>
  (await validate(BASE_CHART, { defaultsOnly: true, catalogue })).findings
    .filter((f) => f.ruleId === 'NMAAS-CHART-CATALOGUE-VERSION')
    .map((f) => f.message);

describe('--catalogue over HTTP', () => {
  it('accepts a version higher than every published one', async () => {
    published = ['1.0.0', '1.1.9'];
    expect(await ids(base)).toEqual([]);
  });
  it('refuses a version already published, or lower than the highest', async () => {
    published = ['1.2.0'];
    expect(await ids(`${base}/index.yaml`)).toEqual(['version 1.2.0 is already published in the catalogue']);
    published = ['1.10.0'];
    expect(await ids(base)).toEqual(['version 1.2.0 is not higher than the published 1.10.0']);
  });
  it('treats an unreachable index as unreadable input', async () => {
    await expect(
      validate(BASE_CHART, { defaultsOnly: true, catalogue: `${base}/missing.yaml` }),
    ).rejects.toBeInstanceOf(UnreadableInputError);
  });
  it('names why a server could not be reached, and stops reading an index that never ends', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(validate(BASE_CHART, { defaultsOnly: true, catalogue: `http://127.0.0.1:${port}/` })).rejects.toThrow(
      /fetch failed: ECONNREFUSED/,
    );
    const huge = base.replace(/\/charts$/, '/huge');
    await expect(validate(BASE_CHART, { defaultsOnly: true, catalogue: huge })).rejects.toThrow(
      /the index is larger than 64 MiB/,
    );
  });
});
