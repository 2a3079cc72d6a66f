/** Files of an app folder are read only when they are regular files inside it, and only so large. */
import { execFile } from 'node:child_process';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TempDirs } from '../testing/temp-dirs.js';
import { AppFileError, appFilePath, readAppFile } from './app-file.js';

const temps = new TempDirs('app-file');
let dir: string;
beforeEach(async () => {
  dir = await temps.make();
});
afterAll(() => temps.removeAll());

async function problemOf(promise: Promise<unknown>): Promise<{ problem: string; message: string }> {
  const error = await promise.then(
    () => expect.unreachable('the file was read'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppFileError);
  return { problem: (error as AppFileError).problem, message: (error as AppFileError).message };
}

describe('readAppFile', () => {
  it('reads a regular file of the folder, also in a subfolder', async () => {
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'assets', 'icon.svg'), '<svg/>');
    expect((await readAppFile(dir, 'assets/icon.svg', 1024)).toString()).toBe('<svg/>');
  });

  it('refuses a symlink, even to a readable file, naming it', async () => {
    await symlink('/etc/passwd', path.join(dir, 'icon.svg'));
    const { problem, message } = await problemOf(readAppFile(dir, 'icon.svg', 1024 * 1024));
    expect(problem).toBe('refused');
    expect(message).toContain(`${path.join(dir, 'icon.svg')} is a symbolic link`);
  });

  it('refuses a file reached through a linked folder that leaves the app folder', async () => {
    const elsewhere = await temps.make();
    await writeFile(path.join(elsewhere, 'icon.svg'), '<svg/>');
    await symlink(elsewhere, path.join(dir, 'assets'));
    const { problem, message } = await problemOf(readAppFile(dir, 'assets/icon.svg', 1024));
    expect(problem).toBe('refused');
    expect(message).toMatch(/lies outside the app folder \(it is really .*icon\.svg\)/);
  });

  it('refuses a path that climbs out of the folder', async () => {
    expect((await problemOf(readAppFile(dir, '../../etc/passwd', 1024))).problem).toBe('refused');
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    await promisify(execFile)('mkfifo', [path.join(dir, 'nmaas.yaml')]);
    const { problem, message } = await problemOf(readAppFile(dir, 'nmaas.yaml', 1024));
    expect(problem).toBe('refused');
    expect(message).toContain('is a FIFO (named pipe), not a regular file');
  }, 5000);

  it('refuses a folder', async () => {
    await mkdir(path.join(dir, 'nmaas.yaml'));
    expect((await problemOf(readAppFile(dir, 'nmaas.yaml', 1024))).message).toContain('is a folder');
  });

  it('refuses a file above the bound by its size, and accepts one at the bound', async () => {
    const file = path.join(dir, 'nmaas.yaml');
    await writeFile(file, '');
    // A sparse 1 GiB file: reading it would take memory the bound is there to save.
    await truncate(file, 1024 * 1024 * 1024);
    const error = await readAppFile(dir, 'nmaas.yaml', 1024 * 1024).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppFileError);
    expect((error as AppFileError).problem).toBe('too-large');
    expect((error as AppFileError).size).toBe(1024 * 1024 * 1024);
    expect((error as AppFileError).message).toContain('more than the 1 MiB nmaas reads');
    await truncate(file, 1024);
    expect((await readAppFile(dir, 'nmaas.yaml', 1024)).length).toBe(1024);
  });

  it('tells a missing file apart', async () => {
    expect((await problemOf(appFilePath(dir, 'icon.svg'))).problem).toBe('missing');
  });
});
