/**
 * The codecs' bounds on what they read: file kind and size, the horizon, and numbers that are null
 * or not finite. Each is refused as unreadable input (UsageError, exit 2) naming file and field.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs } from '@nmaas/sdk/testing';
import {
  MAX_HORIZON_SECONDS,
  MAX_INPUT_BYTES,
  parseApps,
  parseNodes,
  readApps,
  readNodes,
  UsageError,
} from './codec.js';

const temp = new TempDirs('codec');
afterAll(() => temp.removeAll());

const node = (capacity: unknown) => ({ nodes: [{ name: 'n1', labels: {}, capacity }] });
const instance = (fields: Record<string, unknown>) => ({
  id: 'i-0',
  app: 'a',
  every: 60,
  duration: 10,
  run: { cpu: 100, memory: 64, bandwidth: 1 },
  ...fields,
});

describe('engine codecs: bounds', () => {
  it('refuses a horizon beyond one day, naming the file and the field', () => {
    expect(parseApps({ horizon: MAX_HORIZON_SECONDS, instances: [] }, 'a.json').horizon).toBe(86400);
    for (const horizon of [MAX_HORIZON_SECONDS + 1, 100_000_000, 1e15]) {
      const read = () => parseApps({ horizon, instances: [] }, 'a.json');
      expect(read).toThrow(UsageError);
      expect(read).toThrow(/^a\.json: "horizon" must be a whole number of seconds from 1 to 86400/);
    }
  });

  it('refuses null where a number belongs instead of reading it as 0', () => {
    expect(() => parseNodes(node({ cpu: null, memory: 1, bandwidth: 1 }), 'n.json')).toThrow(
      /^n\.json: nodes\[0\] \(n1\)\.capacity: "cpu" must be a finite number \(or left out\), got null/,
    );
    expect(() => parseNodes(node({ cpu: 1, memory: 1, bandwidth: null }), 'n.json')).toThrow(/"bandwidth".*null/);
    expect(() =>
      parseApps({ instances: [instance({ run: { cpu: 1, memory: null, bandwidth: 1 } })] }, 'a.json'),
    ).toThrow(/^a\.json: instances\[0\] \(i-0\)\.run: "memory" must be a finite number \(or left out\), got null/);
    expect(() => parseApps({ instances: [instance({ startWithin: null })] }, 'a.json')).toThrow(
      /"startWithin" must be a finite number \(or left out\), got null/,
    );
    // Left out, an optional field still takes its default.
    expect(parseApps({ instances: [instance({})] }, 'a.json').instances[0]!.startWithin).toBe(60);
  });

  it('refuses folders, pipes, devices and files over the size limit, naming the file', async () => {
    const dir = await temp.make();
    await expect(readNodes(dir)).rejects.toThrow(
      `cannot read the nodes file: ${dir} is a folder, not a regular file; save it to a file first`,
    );
    await expect(readApps('/dev/zero')).rejects.toThrow(
      'cannot read the apps file: /dev/zero is a device, not a regular file',
    );
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(readNodes(fifo)).rejects.toThrow(`${fifo} is a FIFO (named pipe), not a regular file`);
    // A sparse file: the size is checked before anything is read.
    const big = path.join(dir, 'big.json');
    await writeFile(big, '');
    await truncate(big, MAX_INPUT_BYTES + 1);
    await expect(readApps(big)).rejects.toThrow(
      `cannot read the apps file: ${big} is ${MAX_INPUT_BYTES + 1} bytes, more than the 128 MiB nmaas reads (the limit of a nodes, apps or placement file)`,
    );
    await mkdir(path.join(dir, 'sub'));
    const ok = path.join(dir, 'sub', 'nodes.json');
    await writeFile(ok, JSON.stringify(node({ cpu: 1, memory: 1, bandwidth: 1 })));
    expect((await readNodes(ok)).map((n) => n.name)).toEqual(['n1']);
  });
});
