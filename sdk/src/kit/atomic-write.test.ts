import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir, removeStaleTemps, tempPathFor, writeDirAtomic, writeFileAtomic } from './atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nmaas-kit-'));
});
afterEach(async () => {
  await chmod(dir, 0o755).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes a new file and replaces an existing one, leaving no temp behind', async () => {
    const file = path.join(dir, 'index.yaml');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, Buffer.from('two'));
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(dir)).toEqual(['index.yaml']);
  });

  it('applies the requested mode', async () => {
    const file = path.join(dir, 'key');
    await writeFileAtomic(file, 'secret', { mode: 0o600 });
    const { stat } = await import('node:fs/promises');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('fails on a missing folder, naming the target folder, and leaves nothing', async () => {
    const file = path.join(dir, 'missing', 'out.svg');
    await expect(writeFileAtomic(file, 'x')).rejects.toMatchObject({ code: 'ENOENT', path: path.dirname(file) });
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the old content and removes the temp when the rename fails', async () => {
    const target = path.join(dir, 'target');
    await mkdir(path.join(target, 'child'), { recursive: true });
    // Renaming a file over a non-empty folder fails after the temp was written.
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['target']);
    expect(await readdir(target)).toEqual(['child']);
  });
});

describe('writeDirAtomic', () => {
  it('creates, then replaces a folder whole: files of the old version do not survive', async () => {
    const target = path.join(dir, 'deep', 'chart');
    await writeDirAtomic(
      target,
      new Map([
        ['Chart.yaml', 'name: a'],
        ['templates/a.yaml', 'a'],
      ]),
    );
    await writeDirAtomic(
      target,
      new Map<string, string | Uint8Array>([
        ['Chart.yaml', 'name: b'],
        ['values.yaml', new Uint8Array([104, 105])],
      ]),
    );
    expect((await readdir(target)).sort()).toEqual(['Chart.yaml', 'values.yaml']);
    expect(await readFile(path.join(target, 'Chart.yaml'), 'utf8')).toBe('name: b');
    expect(await readFile(path.join(target, 'values.yaml'), 'utf8')).toBe('hi');
    expect(await readdir(path.join(dir, 'deep'))).toEqual(['chart']);
  });

  it('refuses a path that escapes the folder and leaves the old folder untouched', async () => {
    const target = path.join(dir, 'chart');
    await writeDirAtomic(target, new Map([['Chart.yaml', 'old']]));
    await expect(writeDirAtomic(target, new Map([['../evil', 'x']]))).rejects.toThrow(/outside/);
    expect(await readdir(dir)).toEqual(['chart']);
    expect(await readFile(path.join(target, 'Chart.yaml'), 'utf8')).toBe('old');
  });

  it('fails (does not hang) when the parent cannot be created', async () => {
    await expect(writeDirAtomic('/proc/nmaas-nope/chart', new Map([['a', 'b']]))).rejects.toThrow();
  });
});

describe('ensureDir', () => {
  it('creates missing levels, accepts an existing folder and refuses a file in the way', async () => {
    await ensureDir(path.join(dir, 'a', 'b', 'c'));
    await ensureDir(path.join(dir, 'a', 'b'));
    expect(await readdir(path.join(dir, 'a', 'b'))).toEqual(['c']);
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(ensureDir(path.join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(ensureDir(path.join(dir, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('fails (does not spin) where no folder can be made', async () => {
    await expect(ensureDir('/proc/nmaas-nope/deeper')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('removeStaleTemps', () => {
  it('removes temps of dead writers and keeps those of live ones and ordinary files', async () => {
    const live = tempPathFor(path.join(dir, 'a.tgz'));
    const dead = path.join(dir, '.b.tgz.nmaas-tmp-2147483646-deadbeef0');
    await writeFile(live, 'x');
    await writeFile(dead, 'x');
    await writeFile(path.join(dir, 'c.tgz'), 'x');
    expect(await removeStaleTemps(dir)).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([path.basename(live), 'c.tgz'].sort());
  });
});
