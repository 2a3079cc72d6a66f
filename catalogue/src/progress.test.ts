/** The build's progress output: a redrawn bar on a terminal (a real pty from util-linux `script`), plain lines otherwise. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { progressReporter } from './progress.js';
import { ALL_FIXTURES, CLI, tempDir } from './testing/helpers.js';

const script = tool('script', 'apt-get install util-linux');

describe('progress reporter', () => {
  it('writes one line per packaged chart in line mode and nothing in silent mode', () => {
    const out: string[] = [];
    const sink = { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream;
    const lines = progressReporter('lines', sink);
    lines.onProgress({ type: 'start', total: 2 });
    lines.onProgress({ type: 'step', done: 1, total: 2, input: 'a', what: 'packaged a 1.0.0' });
    lines.onProgress({ type: 'wait-lock', holderPid: 42 });
    expect(out).toEqual(['[1/2] packaged a 1.0.0\n', 'waiting for the repository lock held by pid 42\n']);
    const silent = progressReporter('silent', sink);
    silent.onProgress({ type: 'step', done: 2, total: 2, input: 'b', what: 'x' });
    expect(out).toHaveLength(2);
  });
});

describe.skipIf(script.skip)('progress bar on a terminal', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    work = await tempDir();
  });
  afterAll(async () => work?.cleanup());

  it('redraws a bar in place when stdout is a terminal', async () => {
    const repo = path.join(work.dir, 'repo');
    const command = [process.execPath, CLI, 'catalogue', 'build', ...ALL_FIXTURES, '-o', repo, '--no-validate']
      .map((a) => `'${a}'`)
      .join(' ');
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        script.path(),
        ['-qec', command, '/dev/null'],
        { env: { ...process.env, TERM: 'xterm' } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(output).toContain('\r\u001b[2K[');
    expect(output).toMatch(/\[#{30}\] 4\/4/);
    expect(output).toMatch(/added +web-probe 1\.2\.0/);
  });
});
