/**
 * Drives a program on a real terminal through tmux, as a developer would: type keys, wait for
 * text on the screen. Test support only.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TerminalOptions {
  tmux: string;
  cwd: string;
  /** The command line, run by the shell in `cwd`. */
  command: string;
  env?: Record<string, string>;
  width?: number;
  height?: number;
}

export class Terminal {
  private readonly socket = `create-nmaas-app-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private constructor(private readonly tmux: string) {}

  static async start({ tmux, cwd, command, env = {}, width = 160, height = 60 }: TerminalOptions): Promise<Terminal> {
    const term = new Terminal(tmux);
    // `-f /dev/null`: no user tmux.conf; the shell stays after the command so the exit code can be read.
    const script = `${command}; echo "[exit $?]"; sleep 600`;
    await term.tmuxCmd([
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(width),
      '-y',
      String(height),
      '-c',
      cwd,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      script,
    ]);
    return term;
  }

  private async tmuxCmd(args: string[]): Promise<string> {
    const { stdout } = await run(this.tmux, ['-L', this.socket, ...args]);
    return stdout;
  }

  async screen(): Promise<string> {
    return this.tmuxCmd(['capture-pane', '-p', '-t', 'main']);
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmuxCmd(['send-keys', '-t', 'main', '-l', text]);
  }

  /** Presses keys by tmux name: Enter, Down, Up, BSpace, C-c… */
  async press(...keys: string[]): Promise<void> {
    await this.tmuxCmd(['send-keys', '-t', 'main', ...keys]);
  }

  /** Waits until the screen matches; fails with the screen when it does not within the timeout. */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const matches = (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.screen();
      if (matches(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the terminal never showed ${String(pattern)}; it shows:\n${last}`);
  }

  /** Waits for the program to end and returns its exit code. */
  async exitCode(timeoutMs = 15_000): Promise<number> {
    const screen = await this.waitFor(/\[exit \d+\]/, timeoutMs);
    return Number(/\[exit (\d+)\]/.exec(screen)?.[1]);
  }

  async close(): Promise<void> {
    await this.tmuxCmd(['kill-server']).catch(() => undefined);
  }
}
