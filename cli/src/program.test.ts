import { Help } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildFullProgram, buildProgram, requestedCommand, TOP_COMMANDS } from './program.js';

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
});
