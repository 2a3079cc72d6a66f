/**
 * `catalogue serve` with a bad index.yaml: refused at start (UsageError, exit 2) when it cannot be
 * parsed, and, when it goes bad while serving, a short 503 and one log line, never a stack.
 */
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '@nmaas/sdk/kit';
import { buildRepository } from '../build.js';
import { CLI, fixture, tempDir } from '../testing/helpers.js';
import { MAX_INDEX_BYTES } from './apps.js';
import { serveCatalogue, type RunningServer } from './server.js';

function get(url: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const MALFORMED = 'apiVersion: v1\nentries: [\n';
/** Nine levels of nine aliases: 387 million strings if expanded. */
const BILLION_LAUGHS =
  'apiVersion: v1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
  'bcdefghi'
    .split('')
    .map((k, i) => {
      const prev = 'abcdefghi'[i]!;
      return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    })
    .join('') +
  'entries: {}\n';
const BAD_ENTRY = `apiVersion: v1\nentries:\n  x:\n    - {name: ../x, version: 1.0.0, apiVersion: v2, urls: [x.tgz], digest: ${'a'.repeat(64)}}\n`;

let work: Awaited<ReturnType<typeof tempDir>>;
let server: RunningServer | undefined;
beforeEach(async () => {
  work = await tempDir();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  await work.cleanup();
});

/** What serving `repo` threw; a server that started anyway is kept for afterEach to close. */
function startError(repo: string): Promise<unknown> {
  return serveCatalogue({ repoDir: repo, port: 0 }).then(
    (running) => {
      server = running;
      return undefined;
    },
    (e: unknown) => e,
  );
}

describe('catalogue serve: index.yaml', () => {
  it.each([
    ['malformed YAML', MALFORMED, /is not valid YAML/],
    ['a billion-laughs alias bomb', BILLION_LAUGHS, /is not valid YAML \(Excessive alias count/],
    ['an entry with a bad chart name', BAD_ENTRY, /entries\.x\[0\]: name "\.\.\/x"/],
  ])('refuses to start on %s, naming the file and the fix', async (_name, text, reason) => {
    const repo = path.join(work.dir, 'repo');
    await mkdir(repo);
    await writeFile(path.join(repo, 'index.yaml'), text);
    const error = await startError(repo);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain(path.join(repo, 'index.yaml'));
    expect(message).toMatch(reason);
    expect(message).toMatch(/rebuild the repository/);
  });

  it('reads no index.yaml larger than the bound, at start or while serving', async () => {
    const repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: [fixture('web-probe')], validate: false });
    const indexFile = path.join(repo, 'index.yaml');
    const good = await readFile(indexFile, 'utf8');
    // Sparse: the bound is checked on the file's size before a byte is read, so no disk is used.
    await truncate(indexFile, MAX_INDEX_BYTES + 1);
    const error = await startError(repo);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(`${indexFile}: is ${MAX_INDEX_BYTES + 1} bytes, more than the 64 MiB`);
    expect((error as Error).message).toMatch(/rebuild the repository/);

    await writeFile(indexFile, good);
    server = await serveCatalogue({ repoDir: repo, port: 0 });
    expect((await get(server.url, '/api/apps')).status).toBe(200);
    await truncate(indexFile, MAX_INDEX_BYTES + 1);
    const logged: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    expect((await get(server.url, '/api/apps')).status).toBe(503);
    expect(logged.join('')).toMatch(/GET \/api\/apps: 503 .*index\.yaml: is \d+ bytes, more than the 64 MiB/);
  });

  it('exits 2 from the CLI with one line and no stack', async () => {
    const repo = path.join(work.dir, 'repo');
    await mkdir(repo);
    await writeFile(path.join(repo, 'index.yaml'), BILLION_LAUGHS);
    // A server that starts anyway is killed after 20 s (the test then fails on its exit code).
    const r = await new Promise<{ code: number | string | null | undefined; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          [CLI, 'catalogue', 'serve', repo, '--port', '0'],
          { timeout: 20_000, killSignal: 'SIGKILL' },
          (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
        );
      },
    );
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).not.toContain('serving');
    expect(r.stderr).toContain('index.yaml');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers 503 with a short message and logs one line when index.yaml goes bad while serving', async () => {
    const repo = path.join(work.dir, 'repo');
    await buildRepository({ repoDir: repo, inputs: [fixture('web-probe')], validate: false });
    server = await serveCatalogue({ repoDir: repo, port: 0 });
    expect((await get(server.url, '/api/apps')).status).toBe(200);
    const indexFile = path.join(repo, 'index.yaml');
    const good = await readFile(indexFile, 'utf8');
    // Same size would keep the cache key on some file systems: the damaged file is longer.
    await writeFile(indexFile, `${good}\n${MALFORMED}`);
    const logged: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    const r = await get(server.url, '/api/apps');
    vi.restoreAllMocks();
    expect(r.status).toBe(503);
    expect(r.body).toBe('the repository index (index.yaml) cannot be read; try again later\n');
    expect(r.body).not.toContain(repo);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^catalogue serve: GET \/api\/apps: 503 .*index\.yaml: is not valid YAML.*\n$/);
    expect(logged[0]!.split('\n')).toHaveLength(2); // one line, no stack
    // Restored, the server answers again.
    await writeFile(indexFile, good);
    expect((await get(server.url, '/api/apps')).status).toBe(200);
  });
});
