/**
 * Chart .tgz inputs go through the validator's bounded reader and archive rules before anything
 * is unpacked: `catalogue build` refuses a hostile archive the way `nmaas validate` does (same
 * rule, same exit code), with or without --no-validate.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gz, tarOf, type TarEntry } from '@nmaas/validator/testing';
import { UsageError } from '@nmaas/sdk/kit';
import { buildRepository, BuildRefusedError } from './build.js';
import { ChartError } from './chart-metadata.js';
import { fixture, runCli, tempDir } from './testing/helpers.js';

/** The web-probe fixture's files as entries under `web-probe/`. */
async function chartEntries(): Promise<TarEntry[]> {
  const root = fixture('web-probe');
  const out: TarEntry[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const d of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) await walk(path.join(dir, d.name), r);
      else out.push({ path: `web-probe/${r}`, data: await readFile(path.join(dir, d.name)) });
    }
  };
  await walk(root, '');
  return out;
}

let work: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  work = await tempDir();
});
afterEach(async () => work.cleanup());

async function write(name: string, data: Buffer): Promise<string> {
  const file = path.join(work.dir, name);
  await writeFile(file, data);
  return file;
}

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BuildRefusedError);
  return error as BuildRefusedError;
};

describe('catalogue build: chart archives', () => {
  it('still accepts a well-formed archive', async () => {
    const file = await write('web-probe-1.2.0.tgz', gz(tarOf(await chartEntries())));
    const result = await buildRepository({ repoDir: path.join(work.dir, 'repo'), inputs: [file], validate: false });
    expect(result.charts.map((c) => `${c.kind} ${c.name}@${c.version}`)).toEqual(['archive web-probe@1.2.0']);
  });

  it.each([true, false])(
    'refuses a symbolic link with NMAAS-ARCHIVE-LINK before unpacking (validate: %s), writing nothing',
    async (validate) => {
      const file = await write(
        'web-probe-1.2.0.tgz',
        gz(
          tarOf([
            ...(await chartEntries()),
            { path: 'web-probe/templates/passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' },
          ]),
        ),
      );
      const repo = path.join(work.dir, 'repo');
      const error = await refusal(buildRepository({ repoDir: repo, inputs: [file], validate }));
      expect(error.message).toContain(file);
      expect(error.problems.join('\n')).toMatch(/^error NMAAS-ARCHIVE-LINK .*\/etc\/passwd/m);
      expect(existsSync(path.join(repo, 'index.yaml'))).toBe(false);
    },
  );

  it('stops reading a compression bomb after a few MiB and names the rule', async () => {
    const file = await write(
      'web-probe-1.2.0.tgz',
      gz(
        tarOf([...(await chartEntries()), { path: 'web-probe/files/zero.bin', data: Buffer.alloc(64 * 1024 * 1024) }]),
      ),
    );
    const error = await refusal(
      buildRepository({ repoDir: path.join(work.dir, 'repo'), inputs: [file], validate: false }),
    );
    expect(error.problems.join('\n')).toMatch(/^error NMAAS-ARCHIVE-COMPRESSION-RATIO/m);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['random bytes', Buffer.from('not a chart archive at all\n'.repeat(40))],
    ['gzip magic then garbage', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0]), Buffer.alloc(300, 0x41)])],
  ])('treats an unreadable archive (%s) as unreadable input: a UsageError, exit 2', async (_name, bytes) => {
    const file = await write('broken-1.0.0.tgz', bytes);
    await expect(
      buildRepository({ repoDir: path.join(work.dir, 'repo'), inputs: [file], validate: false }),
    ).rejects.toBeInstanceOf(UsageError);
  });

  it('stops unpacking a subchart .tgz that decompresses past the 100 MiB limit of Helm', async () => {
    const chart = path.join(work.dir, 'web-probe');
    await cp(fixture('web-probe'), chart, { recursive: true });
    await mkdir(path.join(chart, 'charts'), { recursive: true });
    await writeFile(
      path.join(chart, 'charts', 'zero-0.1.0.tgz'),
      gz(
        tarOf([
          { path: 'zero/Chart.yaml', data: Buffer.from('apiVersion: v2\nname: zero\nversion: 0.1.0\n') },
          { path: 'zero/files/zero.bin', data: Buffer.alloc(120 * 1024 * 1024) },
        ]),
      ),
    );
    const error = await buildRepository({
      repoDir: path.join(work.dir, 'repo'),
      inputs: [chart],
      validate: false,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChartError);
    expect((error as Error).message).toMatch(/charts\/zero-0\.1\.0\.tgz: .*decompresses to more than 100 MiB/);
  });

  it('exits as `nmaas validate` does on the same archives: 1 naming the rule, 2 when unreadable', async () => {
    const link = await write(
      'web-probe-1.2.0.tgz',
      gz(tarOf([...(await chartEntries()), { path: 'web-probe/x', type: 'SymbolicLink', linkpath: '/etc/passwd' }])),
    );
    const unreadable = await write('random.tgz', Buffer.from('random bytes, not gzip'));
    for (const [file, code] of [
      [link, 1],
      [unreadable, 2],
    ] as const) {
      const build = await runCli(['catalogue', 'build', file, '-o', path.join(work.dir, 'repo')]);
      const validate = await runCli(['validate', file]);
      expect(build.code, build.stderr).toBe(code);
      expect(validate.code, validate.stderr).toBe(code);
      if (code === 1) expect(build.stderr).toContain('NMAAS-ARCHIVE-LINK');
      expect(build.stderr).not.toMatch(/\n\s+at /); // one clear message, no stack
    }
  });
});
