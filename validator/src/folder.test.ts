/** A chart folder is read without following links: a symlink is a finding, and helm never sees it. */
import { mkfifo } from './testing/fifo.js';
import { cp, mkdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validate } from './engine.js';
import { UnreadableInputError } from './input/errors.js';
import { BASE_CHART, REPO, tempDir } from './testing/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function copy(): Promise<string> {
  const root = await tempDir();
  dirs.push(root);
  const dir = path.join(root, 'web-qos-full');
  await cp(BASE_CHART, dir, { recursive: true });
  return dir;
}

describe('chart folders', () => {
  it('rejects a symlink pointing out of the chart before rendering', async () => {
    const dir = await copy();
    await symlink('/etc/passwd', path.join(dir, 'templates', 'passwd.yaml'));
    const report = await validate(dir);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['NMAAS-ARCHIVE-LINK']);
    expect(report.rejectedBeforeUnpack).toBe(true);
    expect(report.valueSets).toEqual([]);
  });

  it('rejects a FIFO in the chart folder without blocking on it', async () => {
    const dir = await copy();
    await mkfifo(path.join(dir, 'files', 'pipe'));
    const report = await validate(dir);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['NMAAS-ARCHIVE-SPECIAL-FILE']);
  });

  it('reports unreadable input as an error to the caller', async () => {
    await expect(validate('/nonexistent/chart')).rejects.toThrow(/no such file or folder/);
  });
});

describe('app folders', () => {
  it('refuses an app whose icon is a link out of the folder, before charts-gen copies it', async () => {
    const root = await tempDir();
    dirs.push(root);
    const app = path.join(root, 'web-qos-full');
    await cp(path.join(BASE_CHART, 'nmaas.yaml'), path.join(app, 'nmaas.yaml'));
    await symlink('/etc/passwd', path.join(app, 'icon.svg'));
    const report = await validate(app);
    expect(report.findings.map((f) => f.ruleId)).toEqual(['NMAAS-ARCHIVE-LINK']);
    expect(report.rejectedBeforeUnpack).toBe(true);
  });
});

describe('hostile nmaas.yaml in an app folder', () => {
  async function appWith(prepare: (file: string) => Promise<void>): Promise<string> {
    const root = await tempDir();
    dirs.push(root);
    const app = path.join(root, 'web-qos-full');
    await mkdir(app);
    await prepare(path.join(app, 'nmaas.yaml'));
    return app;
  }

  it('reports a FIFO as a special file without blocking on it', async () => {
    const report = await validate(await appWith(mkfifo));
    expect(report.findings.map((f) => [f.ruleId, f.message])).toEqual([
      ['NMAAS-ARCHIVE-SPECIAL-FILE', 'fifo "nmaas.yaml"'],
    ]);
  }, 10_000);

  it('reports nesting too deep for the yaml package as a model finding, instead of running out of memory', async () => {
    const report = await validate(await appWith((file) => writeFile(file, `name: ${'- '.repeat(400_000)}x\n`)));
    expect(report.findings.map((f) => f.ruleId)).toEqual(['NMAAS-CHART-MANIFEST']);
    expect(report.findings[0]!.message).toMatch(/YAML nesting too deep/);
  }, 20_000);

  it('refuses an nmaas.yaml above the 1 MiB model limit (below the 5 MiB file rule) as unreadable input', async () => {
    const app = await appWith(async (file) => {
      await writeFile(file, '');
      await truncate(file, 2 * 1024 * 1024);
    });
    await expect(validate(app)).rejects.toThrow(UnreadableInputError);
    await expect(validate(app)).rejects.toThrow(/nmaas\.yaml is 2097152 bytes/);
  });
});

describe('an app folder whose nmaas.yaml fails the model', () => {
  it('is read (exit 1 material), with the model issues as NMAAS-CHART-MANIFEST findings', async () => {
    const report = await validate(path.join(REPO, 'sdk', 'fixtures', 'apps', 'broken'));
    expect(report.kind).toBe('app');
    expect(report.findings.length).toBeGreaterThan(0);
    expect(new Set(report.findings.map((f) => f.ruleId))).toEqual(new Set(['NMAAS-CHART-MANIFEST']));
    expect(report.findings.every((f) => f.file === 'nmaas.yaml' && f.severity === 'error')).toBe(true);
  });
});
