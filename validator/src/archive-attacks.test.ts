/**
 * Every archive attack, built as a real .tgz in the test: each is rejected by its rule before
 * anything is unpacked, without a byte written outside a temp folder, with bounded reading.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkArchive, validate } from './engine.js';
import { scanArchive } from './input/archive-scan.js';
import { UnreadableInputError } from './input/errors.js';
import { BASE_CHART, gz, tarOf, tempDir, type TarEntry } from './testing/index.js';
import { MAX_ENTRIES } from './limits.js';

let work: string;
/** The base chart's files as archive entries under `<top>/`. */
let chartEntries: (top: string) => TarEntry[];

beforeAll(async () => {
  work = await tempDir();
  const files: [string, Buffer][] = [];
  const walk = async (dir: string, rel: string) => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(path.join(dir, d.name), r);
      else files.push([r, await readFile(path.join(dir, d.name))]);
    }
  };
  await walk(BASE_CHART, '');
  chartEntries = (top) => files.map(([r, data]) => ({ path: `${top}/${r}`, data }));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function write(name: string, data: Buffer): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, data);
  return file;
}

const ids = (r: Awaited<ReturnType<typeof validate>>) => [...new Set(r.findings.map((f) => f.ruleId))].sort();

describe('a well-formed chart archive', () => {
  it('passes the archive rules and is rendered', async () => {
    const file = await write('web-qos-full-1.2.0.tgz', gz(tarOf(chartEntries('web-qos-full'))));
    const report = await validate(file, { defaultsOnly: true });
    expect(report.rejectedBeforeUnpack).toBe(false);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.valueSets).toEqual(['defaults']);
  });
});

describe('checkArchive (the archive step of validate, for callers that unpack charts)', () => {
  it('gives the chart files relative to the top-level folder when the archive passes', async () => {
    const file = await write('web-qos-full-1.2.1.tgz', gz(tarOf(chartEntries('./web-qos-full'))));
    const checked = await checkArchive(file);
    expect(checked.refused).toBe(false);
    expect(checked.dirName).toBe('web-qos-full');
    expect(checked.files.has('Chart.yaml')).toBe(true);
  });

  it('refuses what validate refuses before unpacking, with the same rules, and keeps no files', async () => {
    const file = await write(
      'check-link.tgz',
      gz(
        tarOf([
          ...chartEntries('web-qos-full'),
          { path: 'web-qos-full/templates/passwd.yaml', type: 'SymbolicLink', linkpath: '/etc/passwd' },
        ]),
      ),
    );
    const checked = await checkArchive(file);
    expect(checked.refused).toBe(true);
    expect(checked.files.size).toBe(0);
    const report = await validate(file);
    expect([...new Set(checked.findings.map((f) => f.ruleId))].sort()).toEqual(ids(report));
  });
});

describe('a chart archive written with ./ prefixes', () => {
  it('is read like any other', async () => {
    const file = await write('dot-prefix.tgz', gz(tarOf(chartEntries('./web-qos-full'))));
    const report = await validate(file, { defaultsOnly: true });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.valueSets).toEqual(['defaults']);
  });
});

describe('archive attacks', () => {
  const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
  const sentinel = path.join(os.tmpdir(), `nmaas-attack-${digest(String(process.pid) + Date.now())}`);

  const attacks: [string, () => TarEntry[], string[]][] = [
    [
      'path traversal',
      () => [
        ...chartEntries('web-qos-full'),
        { path: `web-qos-full/../../../../../../${sentinel.slice(1)}/pwned`, data: Buffer.from('x') },
      ],
      ['NMAAS-ARCHIVE-PARENT-PATH'],
    ],
    [
      'absolute path',
      () => [...chartEntries('web-qos-full'), { path: `${sentinel}/pwned`, data: Buffer.from('x') }],
      ['NMAAS-ARCHIVE-ABSOLUTE-PATH'],
    ],
    [
      'Windows drive path',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'C:\\Windows\\evil.bat', data: Buffer.from('x') },
        { path: 'web-qos-full/D:/x', data: Buffer.from('x') },
      ],
      ['NMAAS-ARCHIVE-DRIVE-PATH'],
    ],
    [
      'symlink escape',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'web-qos-full/templates/passwd.yaml', type: 'SymbolicLink', linkpath: '/etc/passwd' },
      ],
      ['NMAAS-ARCHIVE-LINK'],
    ],
    [
      'symlink then write through it',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'web-qos-full/escape', type: 'SymbolicLink', linkpath: sentinel },
        { path: 'web-qos-full/escape/pwned', data: Buffer.from('x') },
      ],
      ['NMAAS-ARCHIVE-LINK'],
    ],
    [
      'hardlink',
      () => [...chartEntries('web-qos-full'), { path: 'web-qos-full/shadow', type: 'Link', linkpath: '/etc/shadow' }],
      ['NMAAS-ARCHIVE-LINK'],
    ],
    [
      'character device',
      () => [...chartEntries('web-qos-full'), { path: 'web-qos-full/mem', type: 'CharacterDevice' }],
      ['NMAAS-ARCHIVE-SPECIAL-FILE'],
    ],
    [
      'block device',
      () => [...chartEntries('web-qos-full'), { path: 'web-qos-full/sda', type: 'BlockDevice' }],
      ['NMAAS-ARCHIVE-SPECIAL-FILE'],
    ],
    [
      'FIFO',
      () => [...chartEntries('web-qos-full'), { path: 'web-qos-full/pipe', type: 'FIFO' }],
      ['NMAAS-ARCHIVE-SPECIAL-FILE'],
    ],
    [
      'two top-level folders',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'other-chart/Chart.yaml', data: Buffer.from('name: other-chart\n') },
      ],
      ['NMAAS-ARCHIVE-TOP-LEVEL'],
    ],
    ['top-level folder named unlike the chart', () => chartEntries('not-web-qos'), ['NMAAS-ARCHIVE-TOP-LEVEL']],
    [
      'file at the archive root',
      () => [...chartEntries('web-qos-full'), { path: 'Chart.yaml', data: Buffer.from('name: web-qos-full\n') }],
      ['NMAAS-ARCHIVE-TOP-LEVEL'],
    ],
    [
      'oversized file',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'web-qos-full/files/blob.bin', data: randomBytes(6 * 1024 * 1024) },
      ],
      ['NMAAS-ARCHIVE-FILE-SIZE'],
    ],
    [
      'over 100 MiB decompressed (incompressible)',
      () => [
        ...chartEntries('web-qos-full'),
        ...Array.from({ length: 21 }, (_, i) => ({
          path: `web-qos-full/files/part-${i}.bin`,
          data: randomBytes(5 * 1024 * 1024 - 4096),
        })),
      ],
      ['NMAAS-ARCHIVE-TOTAL-SIZE'],
    ],
    [
      'lying header (declares more bytes than the archive holds)',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'web-qos-full/files/lie.bin', size: 4_500_000, data: Buffer.alloc(0) },
      ],
      ['NMAAS-ARCHIVE-MALFORMED'],
    ],
    [
      'decompression bomb (many small zero files)',
      () => [
        ...chartEntries('web-qos-full'),
        ...Array.from({ length: 30 }, (_, i) => ({
          path: `web-qos-full/files/zero-${i}.bin`,
          data: Buffer.alloc(4 * 1024 * 1024),
        })),
      ],
      ['NMAAS-ARCHIVE-COMPRESSION-RATIO'],
    ],
    [
      'decompression bomb (one huge zero file)',
      () => [
        ...chartEntries('web-qos-full'),
        { path: 'web-qos-full/files/zero.bin', data: Buffer.alloc(90 * 1024 * 1024) },
      ],
      ['NMAAS-ARCHIVE-COMPRESSION-RATIO', 'NMAAS-ARCHIVE-FILE-SIZE'],
    ],
    [
      'too many entries',
      () => [
        ...chartEntries('web-qos-full'),
        ...Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({
          path: `web-qos-full/files/f${i}.txt`,
          data: Buffer.from(digest(String(i))),
        })),
      ],
      ['NMAAS-ARCHIVE-ENTRY-COUNT'],
    ],
  ];

  it.each(attacks)('%s is rejected before unpacking with its rule', async (name, build, expected) => {
    const file = await write(`attack-${digest(name)}.tgz`, gz(tarOf(build())));
    const tempRoot = await tempDir('nmaas-validator-temproot-');
    const rssBefore = process.memoryUsage().rss;
    const report = await validate(file, { tempRoot });
    expect(ids(report), report.findings.map((f) => f.message).join('\n')).toEqual([...expected].sort());
    expect(report.rejectedBeforeUnpack).toBe(true);
    expect(report.valueSets).toEqual([]); // helm never saw it
    // Nothing was written where the archive pointed, and the validator left no temp folder behind.
    expect(existsSync(sentinel)).toBe(false);
    expect(await readdir(tempRoot)).toEqual([]);
    await rm(tempRoot, { recursive: true });
    // Memory stays bounded by the limits (100 MiB of kept files at most), whatever the archive claims.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(400 * 1024 * 1024);
  });

  it('stops reading a bomb after a few MiB of output, whatever it would expand to', async () => {
    const file = await write(
      'bomb-scan.tgz',
      gz(
        tarOf([
          ...chartEntries('web-qos-full'),
          { path: 'web-qos-full/files/zero.bin', data: Buffer.alloc(100 * 1024 * 1024) },
        ]),
      ),
    );
    const { scan, files } = await scanArchive(file);
    expect(scan.stoppedAt?.limit).toBe('ratio');
    // Reading stops within one input chunk (16 KiB) times the ratio limit of the 1 MiB floor: a 100 MiB bomb yields < 4 MiB.
    expect(scan.decompressedBytes).toBeLessThan(4 * 1024 * 1024);
    expect(scan.compressedBytes).toBeLessThan(256 * 1024);
    expect([...files.values()].reduce((n, b) => n + b.length, 0)).toBeLessThan(4 * 1024 * 1024);
  });

  it('refuses a file that is not gzip, and a truncated gzip, as unreadable input', async () => {
    const plain = await write('plain.tgz', tarOf(chartEntries('web-qos-full')));
    await expect(validate(plain)).rejects.toBeInstanceOf(UnreadableInputError);
    const full = gz(tarOf(chartEntries('web-qos-full')));
    const truncated = await write('truncated.tgz', full.subarray(0, Math.floor(full.length / 2)));
    await expect(validate(truncated)).rejects.toBeInstanceOf(UnreadableInputError);
  });

  it('refuses gzipped noise with a short message, however many tar warnings it causes', async () => {
    // Seeded noise: every 512-byte block is a bad tar header, so node-tar warns thousands of times.
    const blocks: Buffer[] = [];
    for (let i = 0; i < 8192; i++) blocks.push(createHash('sha512').update(`noise ${i}`).digest());
    const file = await write('noise.tgz', gzipSync(Buffer.concat(blocks)));
    const error = await validate(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnreadableInputError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /holds no tar entries \(TAR_ENTRY_INVALID: .*; and \d+ more tar warnings\); package the chart/,
    );
    expect(message.length).toBeLessThan(600);
  });
});
