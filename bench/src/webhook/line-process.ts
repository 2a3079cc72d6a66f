/**
 * A helper process of the webhook bench, spoken to in JSON lines: each command written to its
 * stdin is answered by one line on its stdout. Its stderr is the bench's, so a crash is visible.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Whether `taskset` can pin a process to a CPU here (util-linux; absent on some hosts). */
export const canPin: boolean =
  spawnSync('taskset', ['-c', '0', process.execPath, '-e', '0'], { stdio: 'ignore' }).status === 0;

/**
 * Pins this process (every thread of it) to CPU `cpu`, or frees it again with null; false when
 * `taskset` is not there. A load generator running in the bench's own process then keeps off the
 * server's CPU.
 */
export function pinSelf(cpu: number | null): boolean {
  if (!canPin) return false;
  const cpus = cpu === null ? `0-${os.cpus().length - 1}` : String(cpu);
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export class LineProcess {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: string[] = [];
  private readonly waiters: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private buffer = '';
  private exited: Error | null = null;

  /**
   * Runs `<module>.js` of this folder with node `flags` and `args` (JSON-encoded as one argument),
   * pinned to CPU `cpu` when given and `taskset` is there, so a server and its load generator do
   * not take turns on one core.
   */
  constructor(module: string, args: unknown, flags: string[] = [], cpu?: number) {
    const node = [...flags, path.join(here, `${module}.js`), JSON.stringify(args)];
    const pinned = cpu !== undefined && canPin;
    this.child = spawn(
      pinned ? 'taskset' : process.execPath,
      pinned ? ['-c', String(cpu), process.execPath, ...node] : node,
      {
        cwd: here,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    this.child.stdout.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let i: number;
      while ((i = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, i);
        this.buffer = this.buffer.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w.resolve(line);
        else this.lines.push(line);
      }
    });
    this.child.once('exit', (code, signal) => {
      this.exited = new Error(`${module} exited with ${code ?? signal}`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The next line, parsed. */
  next<T>(): Promise<T> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(JSON.parse(line) as T);
    if (this.exited !== null) return Promise.reject(this.exited);
    return new Promise<string>((resolve, reject) => this.waiters.push({ resolve, reject })).then(
      (l) => JSON.parse(l) as T,
    );
  }

  /** Sends a command and waits for its answer. */
  ask<T>(command: string): Promise<T> {
    this.child.stdin.write(`${command}\n`);
    return this.next<T>();
  }

  /** Closes its stdin (the signal to stop) and waits for it to exit; killed after 10 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Runs a one-shot helper (`<module>.js`): its first line is the result. */
export async function runOnce<T>(module: string, args: unknown, cpu?: number): Promise<T> {
  const p = new LineProcess(module, args, [], cpu);
  try {
    return await p.next<T>();
  } finally {
    await p.stop();
  }
}
