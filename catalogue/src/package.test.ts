/**
 * Our packages against `helm package` on the same charts: same entries in the same order (so the
 * layout is Helm's), same bytes for every file but Chart.yaml (Helm re-marshals it; we keep the
 * author's text, which must mean the same), and reproducible bytes across builds and folders.
 */
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELM_VERSIONS } from '@nmaas/charts-gen';
import { archiveEntries, loadChartDir } from './chart-source.js';
import { parseChartYaml } from './chart-metadata.js';
import fc from 'fast-check';
import { ARCHIVE_MTIME, fastHeader, packArchive, readArchive, sha256Hex, tarHeader } from './tgz.js';
import { ALL_FIXTURES, fixture, helmTool, isolatedHelm, tempDir } from './testing/helpers.js';

async function ourPackage(dir: string): Promise<Buffer> {
  return packArchive(archiveEntries(await loadChartDir(dir)));
}

describe('reproducible packages', () => {
  it('gives byte-identical archives for the same chart, wherever it lives', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const copy = path.join(dir, 'elsewhere');
      await cp(fixture('web-probe'), copy, { recursive: true });
      const a = await ourPackage(fixture('web-probe'));
      const b = await ourPackage(fixture('web-probe'));
      const c = await ourPackage(copy);
      expect(sha256Hex(a)).toBe(sha256Hex(b));
      expect(c.equals(a)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('writes one top-level folder, Chart.yaml first, regular files with fixed mtime and mode 0644', async () => {
    const bytes = await ourPackage(fixture('with-sub'));
    const tar = zlib.gunzipSync(bytes);
    const names: string[] = [];
    for (let off = 0; off + 512 <= tar.length;) {
      const h = tar.subarray(off, off + 512);
      if (h.every((x) => x === 0)) break;
      const name = h.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
      const size = parseInt(h.subarray(124, 136).toString('latin1').trim(), 8);
      const mtime = parseInt(h.subarray(136, 148).toString('latin1').trim(), 8);
      const mode = parseInt(h.subarray(100, 108).toString('latin1').trim(), 8);
      expect(String.fromCharCode(h[156]!)).toBe('0'); // regular file
      expect(mode).toBe(0o644);
      expect(mtime).toBe(ARCHIVE_MTIME.getTime() / 1000);
      names.push(name);
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect(names[0]).toBe('with-sub/Chart.yaml');
    expect(new Set(names.map((n) => n.split('/')[0]))).toEqual(new Set(['with-sub']));
    expect(names).toContain('with-sub/charts/helper/Chart.yaml');
  });

  it('writes the same header bytes as the tar package', () => {
    const pathArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_./ ~'.split('')), minLength: 1, maxLength: 100 });
    fc.assert(
      fc.property(pathArb, fc.integer({ min: 0, max: 8 ** 10 - 1 }), (p, size) => {
        const fast = fastHeader(p, size);
        expect(fast).not.toBeNull();
        expect(fast!.equals(tarHeader(p, size)[0]!)).toBe(true);
      }),
      { numRuns: 2000, seed: 20_261_208 },
    );
    expect(fastHeader('é/Chart.yaml', 1)).toBeNull();
    expect(fastHeader('x'.repeat(101), 1)).toBeNull();
    expect(fastHeader('x', 8 ** 10)).toBeNull();
  });

  it('keeps paths longer than USTAR allows through a PAX record', async () => {
    const long = `chart/${'d'.repeat(120)}/${'f'.repeat(150)}.txt`;
    const bytes = packArchive([
      { path: 'chart/Chart.yaml', data: Buffer.from('x') },
      { path: long, data: Buffer.from('long') },
    ]);
    expect(readArchive(bytes).map((f) => f.path)).toEqual(['chart/Chart.yaml', long]);
  });

  it('honours .helmignore and never ships hidden template files', async () => {
    const names = (await loadChartDir(fixture('web-probe'))).files.map((f) => f.name);
    expect(names).not.toContain('values.yaml.bak');
    expect(names).not.toContain('scratch/notes.txt');
    expect(names).not.toContain('templates/.hidden.yaml');
    expect(names).toContain('nmaas.yaml');
  });
});

for (const version of HELM_VERSIONS) {
  const helm = helmTool(version);
  describe.skipIf(helm.skip)(`same layout as helm ${version} package`, () => {
    let work: Awaited<ReturnType<typeof tempDir>>;
    beforeAll(async () => {
      helm.path();
      work = await tempDir();
    });
    afterAll(async () => work?.cleanup());

    it('lists the same files in the same order with the same contents', async () => {
      const run = await isolatedHelm(version, path.join(work.dir, 'home'));
      const out = path.join(work.dir, 'helm-out');
      await run(['package', ...ALL_FIXTURES, '-d', out]);
      const produced = (await readdir(out)).sort();
      expect(produced).toEqual([
        'dns-timer-1.0.0.tgz',
        'dns-timer-1.1.0.tgz',
        'web-probe-1.2.0.tgz',
        'with-sub-0.3.0.tgz',
      ]);
      for (const dir of ALL_FIXTURES) {
        const ours = readArchive(await ourPackage(dir));
        const chart = await loadChartDir(dir);
        const theirs = readArchive(
          await readFile(path.join(out, `${chart.metadata.name}-${chart.metadata.version}.tgz`)),
        );
        expect(ours.map((f) => f.path)).toEqual(theirs.map((f) => f.path));
        // Helm's gzip header (Extra + "Helm" comment) is reproduced byte for byte.
        const theirHeader = (
          await readFile(path.join(out, `${chart.metadata.name}-${chart.metadata.version}.tgz`))
        ).subarray(0, 58);
        expect((await ourPackage(dir)).subarray(0, 58)).toEqual(theirHeader);
        for (let i = 0; i < ours.length; i++) {
          const a = ours[i]!;
          const b = theirs[i]!;
          if (a.path.endsWith('/Chart.yaml'))
            expect(parseChartYaml(a.data.toString(), 'ours')).toEqual(parseChartYaml(b.data.toString(), 'helm'));
          else expect(a.data.equals(b.data), `${a.path} differs`).toBe(true);
        }
      }
    });
  });
}
