/**
 * The prompts on a real terminal (tmux): wrong answers show the rule they break, and the
 * answers give exactly the project the equivalent flags give.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { CREATE_MAIN, EQUIVALENT_FLAGS, INTERACTIVE_NAME, scaffoldInteractively } from './testing/interactive.js';
import { Terminal } from './testing/terminal.js';
import { snapshotTree } from './testing/tree.js';
import { run } from './cli.js';
import { PassThrough } from 'node:stream';

const tmux = tool('tmux', 'apt-get install tmux');

describe.skipIf(tmux.skip)('interactive prompts (tmux)', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'create-nmaas-app-tty-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('asks every question, shows the broken rule, and writes what the flags write', async () => {
    await mkdir(path.join(tmp, 'tty'));
    const session = await scaffoldInteractively(tmux.path(), path.join(tmp, 'tty'));
    expect(session.nameError).toContain(`"Edge_Probe": name must be a DNS-1123 label`);
    expect(session.everyError).toContain('7s neither divides the scheduling horizon (1h)');
    expect(session.screen).toContain(`Created ${INTERACTIVE_NAME} (http-probe)`);
    expect(session.screen).toMatch(/npm install[\s│]+npm test[\s│]+npm run dev/);
    expect(session.exitCode).toBe(0);

    await mkdir(path.join(tmp, 'flags'));
    const code = await run(EQUIVALENT_FLAGS, {
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      cwd: path.join(tmp, 'flags'),
    });
    expect(code).toBe(0);
    const viaPrompts = await snapshotTree(path.join(tmp, 'tty', INTERACTIVE_NAME));
    expect(viaPrompts['nmaas.yaml']).toMatch(
      /category: security[\s\S]*every: 10m[\s\S]*duration: 20s[\s\S]*memory: 128Mi/,
    );
    expect(viaPrompts).toEqual(await snapshotTree(path.join(tmp, 'flags', INTERACTIVE_NAME)));
  });

  const start = (cwd: string, args = '') =>
    Terminal.start({
      tmux: tmux.path(),
      cwd,
      command: `${JSON.stringify(process.execPath)} ${JSON.stringify(CREATE_MAIN)} ${args}`,
    });

  it('Ctrl-C cancels with exit 1 and writes nothing', async () => {
    const cwd = path.join(tmp, 'cancel');
    await mkdir(cwd);
    const term = await start(cwd);
    try {
      await term.waitFor('App name');
      await term.type('half-typed');
      await term.press('C-c');
      expect(await term.waitFor('Cancelled; nothing was written')).toBeTruthy();
      expect(await term.exitCode()).toBe(1);
    } finally {
      await term.close();
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it('stops right after the name when its folder is not empty', async () => {
    const cwd = path.join(tmp, 'taken');
    await mkdir(path.join(cwd, 'old-probe'), { recursive: true });
    await writeFile(path.join(cwd, 'old-probe', 'notes.md'), 'mine');
    const term = await start(cwd);
    try {
      await term.waitFor('App name');
      await term.type('old-probe');
      await term.press('Enter');
      expect(await term.waitFor('is not empty (notes.md)')).toContain('--force');
      expect(await term.exitCode()).toBe(1);
    } finally {
      await term.close();
    }
    expect(await readdir(path.join(cwd, 'old-probe'))).toEqual(['notes.md']);
  });
});
