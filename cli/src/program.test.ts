import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildFullProgram, buildProgram, helpAsOption, requestedCommand, TOP_COMMANDS } from './program.js';

const bin = new URL('../bin/nmaas.js', import.meta.url).pathname;
/** The built CLI as a user runs it: the help rewrite happens in its entry point. */
async function nmaas(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [bin, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('the lazily assembled program', () => {
  it('lists every command exactly as its package registers it', async () => {
    const full = await buildFullProgram('0.0.0');
    const help = new Help();
    const registered = full.commands.map((c) => ({ term: help.subcommandTerm(c), description: c.description() }));
    expect(registered).toEqual(TOP_COMMANDS.map((c) => ({ term: c.term, description: c.description })));
  });

  it('loads only the package of the command asked for, and none for help or --version', async () => {
    expect(requestedCommand(['node', 'nmaas', '--version'])).toBeUndefined();
    expect(requestedCommand(['node', 'nmaas', 'help', 'chart'])).toBe('chart');
    expect(requestedCommand(['node', 'nmaas', 'scheduler', 'simulate', '--nodes', 'x'])).toBe('scheduler');
    const chart = await buildProgram('0.0.0', ['node', 'nmaas', 'chart', '--help']);
    expect(chart.commands.map((c) => c.name())).toEqual(['chart']);
    const listing = await buildProgram('0.0.0', ['node', 'nmaas', '--help']);
    expect(listing.helpInformation()).toContain('chart [options] <app-dir>');
    expect(listing.helpInformation()).toContain('help [command]');
    expect(listing.commands.map((c) => c.name())).toEqual(TOP_COMMANDS.map((c) => c.name));
  });

  it("reads `help <command> <subcommand>` as the subcommand's --help, and names an unknown command", async () => {
    expect(helpAsOption(['node', 'nmaas', 'help', 'scheduler', 'simulate'])).toEqual([
      'node',
      'nmaas',
      'scheduler',
      'simulate',
      '--help',
    ]);
    const plain = ['node', 'nmaas', 'help'];
    expect(helpAsOption(plain)).toBe(plain);
    const nested = await nmaas('help', 'scheduler', 'simulate');
    expect(nested.code).toBe(0);
    expect(nested.stdout).toMatch(/^Usage: nmaas scheduler simulate \[options\]/);
    const unknown = await nmaas('help', 'bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("nmaas: unknown command 'bogus' (nmaas --help lists the commands)\n");
  });
});
