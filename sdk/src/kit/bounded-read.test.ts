/** readBoundedFile: only regular files, never more than the bound, links refused on request. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedReadError, formatBytes, readBoundedFile } from './bounded-read.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nmaas-bounded-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const problem = (promise: Promise<unknown>) =>
  promise.then(
    () => 'read',
    (e: unknown) => (e instanceof BoundedReadError ? `${e.problem}: ${e.message}` : `other: ${(e as Error).message}`),
  );

describe('readBoundedFile', () => {
  it('reads a regular file up to the bound, and refuses one byte more before reading it', async () => {
    const file = path.join(dir, 'a.json');
    await writeFile(file, 'x'.repeat(1024));
    expect((await readBoundedFile(file, 1024)).toString()).toBe('x'.repeat(1024));
    expect(await problem(readBoundedFile(file, 1023))).toBe(
      `too-large: ${file} is 1024 bytes, more than the 1023 bytes nmaas reads`,
    );
    // A sparse file: refused by its size, without reading gigabytes of zeros.
    const sparse = path.join(dir, 'sparse');
    await writeFile(sparse, '');
    await truncate(sparse, 8 * 1024 * 1024 * 1024);
    expect(await problem(readBoundedFile(sparse, 1024 * 1024))).toMatch(
      /^too-large: .* more than the 1 MiB nmaas reads$/,
    );
  });

  it('refuses folders, FIFOs and devices without blocking, and a link when asked', async () => {
    expect(await problem(readBoundedFile(dir, 1024))).toBe(`not-regular: ${dir} is a folder, not a regular file`);
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await problem(readBoundedFile(fifo, 1024))).toBe(
      `not-regular: ${fifo} is a FIFO (named pipe), not a regular file`,
    );
    expect(await problem(readBoundedFile('/dev/zero', 1024))).toBe(
      'not-regular: /dev/zero is a device, not a regular file',
    );
    const link = path.join(dir, 'link');
    await symlink('/etc/hostname', link);
    expect(await problem(readBoundedFile(link, 1024, { noFollow: true }))).toMatch(/^other: ELOOP/);
  });

  it('names limits in the unit a reader thinks in', () => {
    expect([formatBytes(1024 * 1024), formatBytes(64 * 1024), formatBytes(1000)]).toEqual([
      '1 MiB',
      '64 KiB',
      '1000 bytes',
    ]);
  });
});
