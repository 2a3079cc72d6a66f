import { mkdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tool } from '../testing/index.js';
import {
  ensureDir,
  removeStaleTemps,
  tempPathFor,
  writeDirAtomic,
  writeFileAtomic,
  writeFilesAtomic,
} from './atomic-write.js';

const syncCommand = tool('sync', 'apt-get install coreutils');

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

  it('fails on a folder that is a file, naming it (not the temp file)', async () => {
    await writeFile(path.join(dir, 'plain'), 'x');
    const file = path.join(dir, 'plain', 'out.svg');
    await expect(writeFileAtomic(file, 'x')).rejects.toMatchObject({ code: 'ENOTDIR', path: path.dirname(file) });
    await expect(writeFilesAtomic([{ target: file, data: 'x' }])).rejects.toMatchObject({
      code: 'ENOTDIR',
      path: path.dirname(file),
    });
    expect(await readdir(dir)).toEqual(['plain']);
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

describe('writeFilesAtomic', () => {
  it('writes and replaces a batch in one go, with its modes, leaving no temp behind', async () => {
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'index.yaml'), 'old index');
    const result = await writeFilesAtomic([
      { target: path.join(dir, 'a.tgz'), data: Buffer.from([1, 2, 3]) },
      { target: path.join(dir, 'sub', 'b.prov'), data: 'signed', mode: 0o600 },
      { target: path.join(dir, 'index.yaml'), data: 'new index' },
    ]);
    expect(['syncfs', 'fsync']).toContain(result.durableBy);
    expect([...(await readFile(path.join(dir, 'a.tgz')))]).toEqual([1, 2, 3]);
    expect(await readFile(path.join(dir, 'sub', 'b.prov'), 'utf8')).toBe('signed');
    const { stat } = await import('node:fs/promises');
    expect((await stat(path.join(dir, 'sub', 'b.prov'))).mode & 0o777).toBe(0o600);
    expect(await readFile(path.join(dir, 'index.yaml'), 'utf8')).toBe('new index');
    expect((await readdir(dir)).sort()).toEqual(['a.tgz', 'index.yaml', 'sub']);
    expect(await readdir(path.join(dir, 'sub'))).toEqual(['b.prov']);
  });

  it.skipIf(syncCommand.skip || process.platform !== 'linux')(
    'flushes the batch with one syncfs where the sync command can',
    async () => {
      syncCommand.path();
      const result = await writeFilesAtomic([{ target: path.join(dir, 'a'), data: 'x' }]);
      expect(result.durableBy).toBe('syncfs');
    },
  );

  it('falls back to an fsync per file when no sync command is found', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = path.join(dir, 'no-tools-here');
    try {
      const result = await writeFilesAtomic([
        { target: path.join(dir, 'a'), data: 'one' },
        { target: path.join(dir, 'b'), data: 'two' },
      ]);
      expect(result.durableBy).toBe('fsync');
    } finally {
      process.env.PATH = savedPath;
    }
    expect(await readFile(path.join(dir, 'a'), 'utf8')).toBe('one');
    expect(await readFile(path.join(dir, 'b'), 'utf8')).toBe('two');
    expect((await readdir(dir)).sort()).toEqual(['a', 'b']);
  });

  it('changes no target when a temp cannot be written, naming the missing folder', async () => {
    await writeFile(path.join(dir, 'index.yaml'), 'old index');
    const missing = path.join(dir, 'missing', 'b.tgz');
    await expect(
      writeFilesAtomic([
        { target: path.join(dir, 'a.tgz'), data: 'a' },
        { target: missing, data: 'b' },
        { target: path.join(dir, 'index.yaml'), data: 'new index' },
      ]),
    ).rejects.toMatchObject({ code: 'ENOENT', path: path.dirname(missing) });
    expect(await readdir(dir)).toEqual(['index.yaml']);
    expect(await readFile(path.join(dir, 'index.yaml'), 'utf8')).toBe('old index');
  });

  it('writes nothing when a target is a folder, whichever place it has in the batch', async () => {
    await mkdir(path.join(dir, 'b.json'));
    await expect(
      writeFilesAtomic([
        { target: path.join(dir, 'a.json'), data: 'a' },
        { target: path.join(dir, 'b.json'), data: 'b' },
      ]),
    ).rejects.toMatchObject({ code: 'EISDIR', path: path.join(dir, 'b.json') });
    expect(await readdir(dir)).toEqual(['b.json']);
  });

  it('stops at a failed rename: earlier files are in place, later ones untouched, no temp left', async () => {
    await writeFile(path.join(dir, 'index.yaml'), 'old index');
    // The temps are written synchronously before the batch first waits (for the flush): a folder made
    // in the way right after the call appears only once they exist, so its rename fails.
    const batch = writeFilesAtomic([
      { target: path.join(dir, 'a.tgz'), data: 'a' },
      { target: path.join(dir, 'blocked'), data: 'b' },
      { target: path.join(dir, 'index.yaml'), data: 'new index' },
    ]);
    mkdirSync(path.join(dir, 'blocked', 'child'), { recursive: true });
    await expect(batch).rejects.toMatchObject({ path: path.join(dir, 'blocked') });
    expect((await readdir(dir)).sort()).toEqual(['a.tgz', 'blocked', 'index.yaml']);
    expect(await readFile(path.join(dir, 'a.tgz'), 'utf8')).toBe('a');
    expect(await readFile(path.join(dir, 'index.yaml'), 'utf8')).toBe('old index');
    expect(await readdir(path.join(dir, 'blocked'))).toEqual(['child']);
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

  it('writes to a path relative to the working folder, nested files included', async () => {
    const relative = path.relative(process.cwd(), path.join(dir, 'rel', 'chart'));
    expect(path.isAbsolute(relative)).toBe(false);
    await writeDirAtomic(
      relative,
      new Map([
        ['Chart.yaml', 'name: r'],
        ['templates/a.yaml', 'a'],
      ]),
    );
    expect(await readFile(path.join(dir, 'rel', 'chart', 'templates', 'a.yaml'), 'utf8')).toBe('a');
    await expect(writeDirAtomic(relative, new Map([['../evil', 'x']]))).rejects.toThrow(/outside/);
    expect(await readdir(path.join(dir, 'rel'))).toEqual(['chart']);
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
    await expect(ensureDir(path.join(dir, 'file'))).rejects.toThrow(/file is a file, not a folder; give a folder/);
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
