import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '@nmaas/sdk/model';
import { templateDefaults } from './answers.js';
import { TargetNotEmptyError, writeProject } from './scaffold.js';
import { loadTemplate, SUBSTITUTED_FILES, TEMPLATE_NAMES } from './templates.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'create-nmaas-app-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('writeProject', () => {
  it.each(TEMPLATE_NAMES)('copies template %s as it is, with dotfiles renamed and the name replaced', async (name) => {
    const template = await loadTemplate(name);
    const dir = path.join(tmp, `from-${name}`);
    const files = await writeProject({
      targetDir: dir,
      template,
      answers: { ...templateDefaults(template), name: 'fresh-probe' },
    });
    const expected = (await listFiles(template.dir)).map((f) =>
      f.replace(/^_gitignore$/, '.gitignore').replace(/^_dockerignore$/, '.dockerignore'),
    );
    expect(files).toEqual(expected.sort());
    expect(await listFiles(dir)).toEqual(files);
    for (const file of [
      '.gitignore',
      'package.json',
      'nmaas.yaml',
      'Dockerfile',
      'README.md',
      'tsconfig.json',
      'src/index.ts',
      'test/index.test.ts',
    ]) {
      expect(files).toContain(file);
    }
    // Files outside the substituted list are byte-for-byte copies.
    for (const file of files.filter((f) => !SUBSTITUTED_FILES.includes(f) && !f.startsWith('.'))) {
      expect(await readFile(path.join(dir, file), 'utf8')).toBe(await readFile(path.join(template.dir, file), 'utf8'));
    }
    // No trace of the template's own name is left.
    for (const file of SUBSTITUTED_FILES) {
      const text = await readFile(path.join(dir, file), 'utf8');
      for (const token of [template.appName, template.appName.replaceAll('-', '_'), template.displayName])
        expect(text).not.toContain(token);
    }
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'fresh-probe',
      main: 'dist/index.js',
      scripts: {
        dev: 'nmaas run .',
        test: 'vitest run',
        chart: 'nmaas chart . -o chart',
        validate: 'nmaas validate .',
      },
      dependencies: { '@nmaas/sdk': expect.any(String) },
      devDependencies: { nmaas: expect.any(String) },
    });
    expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toMatch(/^CMD \["nmaas-app", "\/app"\]$/m);
    expect((await loadApp(dir)).manifest.name).toBe('fresh-probe');
    // Nothing is left next to the project (the staging folder is gone).
    expect((await readdir(tmp)).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('refuses a non-empty folder and leaves it untouched', async () => {
    const template = await loadTemplate('blank');
    const dir = path.join(tmp, 'busy');
    await mkdir(dir);
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    const answers = { ...templateDefaults(template), name: 'busy' };
    await expect(writeProject({ targetDir: dir, template, answers })).rejects.toThrow(TargetNotEmptyError);
    await expect(writeProject({ targetDir: dir, template, answers })).rejects.toThrow(
      /busy is not empty \(notes.txt\); .* pass --force/,
    );
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('writes into a non-empty folder with force, keeping unrelated files', async () => {
    const template = await loadTemplate('blank');
    const dir = path.join(tmp, 'forced');
    await mkdir(path.join(dir, 'src'), { recursive: true });
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    await writeFile(path.join(dir, 'src', 'index.ts'), 'old');
    await writeProject({
      targetDir: dir,
      template,
      answers: { ...templateDefaults(template), name: 'forced' },
      force: true,
    });
    expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await readFile(path.join(dir, 'src', 'index.ts'), 'utf8')).toContain('defineMeasurement');
    expect((await loadApp(dir)).manifest.name).toBe('forced');
  });

  it('writes into an existing empty folder and creates missing parents', async () => {
    const template = await loadTemplate('blank');
    await mkdir(path.join(tmp, 'empty'));
    await writeProject({
      targetDir: path.join(tmp, 'empty'),
      template,
      answers: { ...templateDefaults(template), name: 'empty' },
    });
    await writeProject({
      targetDir: path.join(tmp, 'a', 'b', 'deep'),
      template,
      answers: { ...templateDefaults(template), name: 'deep' },
    });
    expect((await loadApp(path.join(tmp, 'empty'))).manifest.name).toBe('empty');
    expect((await loadApp(path.join(tmp, 'a', 'b', 'deep'))).manifest.name).toBe('deep');
  });

  it('refuses a target that is a file', async () => {
    const template = await loadTemplate('blank');
    await writeFile(path.join(tmp, 'a-file'), '');
    await expect(
      writeProject({
        targetDir: path.join(tmp, 'a-file'),
        template,
        answers: { ...templateDefaults(template), name: 'x' },
      }),
    ).rejects.toThrow(/is a file, not a folder/);
  });
});
