import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { action, commandPath, runCli } from './action.js';
import { InputError, UsageError } from './errors.js';
import { formatOption } from './format-option.js';

let stderr: string[];
beforeEach(() => {
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

function program(body: (format: string) => number | void | Promise<number | void>): Command {
  const root = new Command('nmaas');
  const group = root.command('group');
  group
    .command('do')
    .argument('<path>')
    .addOption(formatOption())
    .action(action((_path: string, opts: { format: string }) => body(opts.format)));
  return root;
}

const argv = (...args: string[]) => ['node', 'nmaas', ...args];

describe('action and runCli', () => {
  it('names the command path', () => {
    const root = new Command('nmaas');
    const leaf = root.command('scheduler').command('simulate');
    expect(commandPath(leaf)).toBe('nmaas scheduler simulate');
  });

  it('maps UsageError to 2 and InputError to 1, printing the message once with the command path', async () => {
    await runCli(
      program(() => {
        throw new UsageError('--x must be positive');
      }),
      argv('group', 'do', 'p'),
    );
    expect(process.exitCode).toBe(2);
    expect(stderr.join('')).toBe('nmaas group do: --x must be positive\n');
    stderr.length = 0;
    await runCli(
      program(() => {
        throw new InputError('3 findings');
      }),
      argv('group', 'do', 'p'),
    );
    expect(process.exitCode).toBe(1);
    expect(stderr.join('')).toBe('nmaas group do: 3 findings\n');
  });

  it('turns a file-system error into the path and a plain reason, exit 2', async () => {
    const { readFile } = await import('node:fs/promises');
    await runCli(
      program(async () => {
        await readFile('/nonexistent/nmaas.yaml');
      }),
      argv('group', 'do', 'p'),
    );
    expect(process.exitCode).toBe(2);
    expect(stderr.join('')).toBe('nmaas group do: /nonexistent/nmaas.yaml: does not exist\n');
  });

  it('names a host name that does not resolve', async () => {
    // The shape of Node's getaddrinfo failure for `listen(port, '999.1.1.1')` (made here: a real
    // lookup of an unknown name would ask the machine's DNS server, and tests stay on loopback).
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND 999.1.1.1'), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: '999.1.1.1',
    });
    await runCli(
      program(() => {
        throw notFound;
      }),
      argv('group', 'do', 'p'),
    );
    expect(process.exitCode).toBe(2);
    expect(stderr.join('')).toBe(
      'nmaas group do: 999.1.1.1: no such host name: give an IP address or a name this machine resolves\n',
    );
  });

  it('uses a returned number as the exit code', async () => {
    await runCli(
      program(() => 1),
      argv('group', 'do', 'p'),
    );
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    await runCli(
      program(() => undefined),
      argv('group', 'do', 'p'),
    );
    expect(process.exitCode).toBeUndefined();
  });

  it('makes a bad --format, an unknown option and a missing argument usage errors (2)', async () => {
    for (const args of [
      ['group', 'do', 'p', '--format', 'yaml'],
      ['group', 'do', 'p', '--nope'],
      ['group', 'do'],
    ]) {
      process.exitCode = undefined;
      const root = program(() => 0);
      root.configureOutput({ writeErr: (s) => stderr.push(s) });
      await runCli(root, argv(...args));
      expect(process.exitCode, args.join(' ')).toBe(2);
    }
    expect(stderr.join('')).toMatch(/yaml.*not one of the allowed choices|Allowed choices/s);
  });

  it("prints commander's errors on one line after the command they concern, with where the usage is", async () => {
    for (const args of [
      ['group', 'do', 'p', '--nope'],
      ['group', 'do'],
    ]) {
      stderr = [];
      await runCli(
        program(() => 0),
        argv(...args),
      );
      expect(stderr, args.join(' ')).toHaveLength(1);
      expect(stderr[0]).toMatch(
        /^nmaas group do: (unknown option '--nope'|missing required argument 'path') \(nmaas group do --help shows the usage\)\n$/,
      );
    }
  });

  it('stops quietly when the reader of its output goes away (| head)', async () => {
    const { spawn } = await import('node:child_process');
    const kit = new URL('../../dist/kit/index.js', import.meta.url).href;
    const script = [
      `const { Command } = await import('commander');`,
      `const { action, runCli } = await import(${JSON.stringify(kit)});`,
      `const root = new Command('nmaas');`,
      `root.command('print').action(action(async () => { for (let i = 0; i < 2000; i++) process.stdout.write('x'.repeat(1000) + '\\n'); }));`,
      `await runCli(root, ['node', 'nmaas', 'print']);`,
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('passes the chosen format and defaults to the first', async () => {
    const seen: string[] = [];
    await runCli(
      program((f) => void seen.push(f)),
      argv('group', 'do', 'p'),
    );
    await runCli(
      program((f) => void seen.push(f)),
      argv('group', 'do', 'p', '--format', 'json'),
    );
    expect(seen).toEqual(['text', 'json']);
  });
});
