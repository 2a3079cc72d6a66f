/**
 * The prompts on a real terminal (tmux): wrong answers show the rule they break, and the
 * answers give exactly the project the equivalent flags give.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool } from '@nmaas/sdk/testing';
import { EQUIVALENT_FLAGS, INTERACTIVE_NAME, scaffoldInteractively } from './e2e/interactive.js';
import { snapshotTree } from './e2e/tree.js';
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
    expect(session.everyError).toContain('7m does not divide the scheduling horizon (1h)');
    expect(session.screen).toContain(`Created ${INTERACTIVE_NAME} (http-probe)`);
    expect(session.screen).toMatch(/npm install[\s│]+npm test[\s│]+npm run dev/);
    expect(session.exitCode).toBe(0);

    await mkdir(path.join(tmp, 'flags'));
    const code = await run(EQUIVALENT_FLAGS, { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), cwd: path.join(tmp, 'flags') });
    expect(code).toBe(0);
    const viaPrompts = await snapshotTree(path.join(tmp, 'tty', INTERACTIVE_NAME));
    expect(viaPrompts['nmaas.yaml']).toMatch(/category: security[\s\S]*every: 10m[\s\S]*duration: 20s[\s\S]*memory: 128Mi/);
    expect(viaPrompts).toEqual(await snapshotTree(path.join(tmp, 'flags', INTERACTIVE_NAME)));
  });
});
