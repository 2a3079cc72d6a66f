/** `nmaas catalogue …` through the real CLI (cli/dist, built by `npm test` first): output formats and exit codes. */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli, tempDir } from './testing/helpers.js';

describe('nmaas catalogue (CLI)', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir();
  });
  afterAll(async () => work?.cleanup());

  it('prints one plain line per chart when stdout is not a terminal, and a JSON document with --format json', async () => {
    const repo = path.join(work.dir, 'repo');
    const text = await runCli([
      'catalogue',
      'build',
      fixture('dns-timer-1.0.0'),
      fixture('web-probe'),
      '-o',
      repo,
      '--no-validate',
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\[1\/2\] packaged /m);
    expect(text.stdout).toMatch(/^added +dns-timer 1\.0\.0 +dns-timer-1\.0\.0\.tgz +sha256:[a-f0-9]{64}$/m);
    expect(text.stdout).not.toContain('\u001b['); // no bar escape codes off a terminal
    const json = await runCli([
      'catalogue',
      'build',
      fixture('dns-timer-1.0.0'),
      fixture('dns-timer-1.1.0'),
      '-o',
      repo,
      '--no-validate',
      '--format',
      'json',
    ]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as {
      indexChanged: boolean;
      charts: { name: string; version: string; status: string }[];
    };
    expect(result.charts.map((c) => `${c.name}@${c.version}:${c.status}`)).toEqual([
      'dns-timer@1.0.0:unchanged',
      'dns-timer@1.1.0:added',
    ]);
    expect(result.indexChanged).toBe(true);
  });

  it('exits 1 when a published version would change, 2 on bad arguments or unreadable input', async () => {
    const repo = path.join(work.dir, 'immutable');
    expect((await runCli(['catalogue', 'build', fixture('dns-timer-1.0.0'), '-o', repo, '--no-validate'])).code).toBe(
      0,
    );
    const changed = path.join(work.dir, 'changed');
    await cp(fixture('dns-timer-1.0.0'), changed, { recursive: true });
    await writeFile(path.join(changed, 'values.yaml'), 'names: [example.com]\n');
    const refused = await runCli(['catalogue', 'build', changed, '-o', repo, '--no-validate', '--format', 'json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/dns-timer 1\.0\.0 is already published/)],
    });
    expect(refused.stderr).toMatch(/bump the version/);
    expect((await runCli(['catalogue', 'build', path.join(work.dir, 'nope'), '-o', repo])).code).toBe(2);
    expect((await runCli(['catalogue', 'build', fixture('web-probe'), '-o', repo, '--layout', 'zip'])).code).toBe(2);
    expect((await runCli(['catalogue', 'build', fixture('web-probe')])).code).toBe(2); // -o is required
    // A key file that is not a key, missing, a folder or empty is named with the option that gave it.
    const badKey = path.join(work.dir, 'key.asc');
    await writeFile(badKey, 'not a key');
    const emptyKey = path.join(work.dir, 'empty.asc');
    await writeFile(emptyKey, '');
    for (const [key, says] of [
      [badKey, `${badKey} is not an armored PGP private key`],
      [path.join(work.dir, 'none.asc'), `--sign-key ${path.join(work.dir, 'none.asc')}: does not exist`],
      [work.dir, `--sign-key ${work.dir}: is a folder, not a file`],
      [emptyKey, `${emptyKey} is empty; export an armored key`],
    ]) {
      const r = await runCli([
        'catalogue',
        'build',
        fixture('web-probe'),
        '-o',
        repo,
        '--no-validate',
        '--sign-key',
        key!,
      ]);
      expect(r.code, key).toBe(2);
      expect(r.stderr, key).toContain(says);
    }
    expect((await runCli(['catalogue', 'serve', path.join(work.dir, 'missing-repo'), '--port', '0'])).code).toBe(2);
  });

  it('leaves out plain files that a shell glob picked up, and still refuses a folder that is neither app nor chart', async () => {
    const repo = path.join(work.dir, 'globbed');
    const readme = path.join(work.dir, 'README.md');
    await writeFile(readme, '# not a chart\n');
    const built = await runCli(['catalogue', 'build', fixture('dns-timer-1.0.0'), readme, '-o', repo, '--no-validate']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toContain(`skipping ${readme}: a plain file`);
    expect(await readFile(path.join(repo, 'index.yaml'), 'utf8')).toMatch(/dns-timer/);
    expect((await runCli(['catalogue', 'build', work.dir, '-o', repo, '--no-validate'])).code).toBe(2);
  });

  it('documents the commands in --help', async () => {
    const help = await runCli(['catalogue', 'build', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--output', '--layout', '--sign-key', '--allow-warnings', '--no-validate', '--format'])
      expect(help.stdout).toContain(flag);
    expect((await runCli(['catalogue', 'serve', '--help'])).stdout).toContain('--port');
  });

  it('validates by default: a chart with findings above warnings is refused with exit 1', async () => {
    const repo = path.join(work.dir, 'validated');
    const plain = await runCli(['catalogue', 'build', fixture('with-sub'), '-o', repo]);
    // with-sub is a plain chart: no nmaas.yaml, no image digest… the validator refuses it
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/did not pass validation/);
    await expect(readFile(path.join(repo, 'index.yaml'))).rejects.toThrow();
  });
});
