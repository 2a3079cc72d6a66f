import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolateTempDir as setup, leftoverTempDirs, makeTempDir, TempDirs, withTempDir } from './temp-dirs.js';

describe('temp folders owned by tests', () => {
  it('withTempDir removes its folder even when the test throws', async () => {
    let made = '';
    await expect(
      withTempDir(async (dir) => {
        made = dir;
        expect(path.basename(dir)).toMatch(/^nmaas-keys-/);
        throw new Error('boom');
      }, 'keys'),
    ).rejects.toThrow('boom');
    expect(existsSync(made)).toBe(false);
  });

  it('TempDirs removes every folder it made', async () => {
    const temp = new TempDirs('suite');
    const dirs = [await temp.make(), await temp.make()];
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    await temp.removeAll();
    expect(dirs.some((d) => existsSync(d))).toBe(false);
  });

  it('leftoverTempDirs lists only nmaas-* entries', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'leftovers-'));
    try {
      await mkdir(path.join(dir, 'nmaas-b-1'));
      await mkdir(path.join(dir, 'nmaas-a-1'));
      await mkdir(path.join(dir, 'other'));
      expect(await leftoverTempDirs(dir)).toEqual(['nmaas-a-1', 'nmaas-b-1']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the check after a test run', () => {
  it('gives the run its own temp directory and removes it', async () => {
    const before = process.env.TMPDIR;
    const teardown = await setup();
    const runDir = tmpdir();
    expect(runDir).not.toBe(before ?? '/tmp');
    await mkdir(path.join(runDir, 'not-ours'));
    await teardown();
    expect(process.env.TMPDIR).toBe(before);
    expect(existsSync(runDir)).toBe(false);
  });

  it('fails the run when a test left an nmaas-* folder, naming it', async () => {
    const teardown = await setup();
    const runDir = tmpdir();
    const leaked = await makeTempDir('leaky');
    await expect(teardown()).rejects.toThrow(`tests left 1 temp folder(s) behind: ${path.basename(leaked)}`);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(existsSync(runDir)).toBe(false);
  });
});
