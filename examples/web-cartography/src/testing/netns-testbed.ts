/**
 * A two-host network in namespaces the test builds itself, for side-by-side tests against
 * reference tools: a client and a server namespace joined by a veth pair, optionally shaped by a
 * token bucket (tc tbf) in the server → client direction, with a per-namespace resolv.conf
 * (`ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf) so that tools
 * using the system resolver ask the test's DNS server.
 *
 * Needs root and iproute2. `netnsSupport()` says whether a suite can run: outside CI a missing
 * piece skips it, under CI=true the suite runs and fails, as `tool()` does.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { IN_CI, findTool } from '@nmaas/sdk/testing';

const exec = promisify(execFile);

export interface NetnsSupport {
  skip: boolean;
  missingMessage: string;
}

/** Whether namespaces can be built here (root and `ip`, plus `tc` when shaping is wanted). */
export function netnsSupport(): NetnsSupport {
  const missing: string[] = [];
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) missing.push('root');
  if (!findTool('ip', ['/usr/sbin/ip', '/sbin/ip'])) missing.push('ip (apt-get install iproute2)');
  if (!findTool('tc', ['/usr/sbin/tc', '/sbin/tc'])) missing.push('tc (apt-get install iproute2)');
  const missingMessage =
    missing.length === 0
      ? ''
      : `network-namespace tests need ${missing.join(', ')}; ${IN_CI ? 'CI must have them' : 'skipping them'}`;
  if (missing.length > 0 && !IN_CI) process.stderr.write(`[nmaas tests] ${missingMessage}\n`);
  return { skip: missing.length > 0 && !IN_CI, missingMessage };
}

export interface NetnsTestbedOptions {
  /** Short tag naming the bed's namespaces (letters and digits); the process id is appended. */
  tag: string;
  /** Shape the server → client direction to this rate (Mbit/s); unshaped when absent. */
  rateMbit?: number;
  /** Third octet of the bed's 10.231.<subnet>.0/30, so that two beds in one test run never share one. */
  subnet?: number;
}

export interface NetnsTestbed {
  client: string;
  server: string;
  clientAddress: string;
  serverAddress: string;
  /** Runs a command inside a namespace and resolves with its stdout. */
  run(namespace: string, command: string, args: string[], timeoutMs?: number): Promise<string>;
  /** Starts a long-running process inside a namespace; `close()` stops it. */
  start(namespace: string, command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Points the namespace's system resolver (resolv.conf) at `nameserver`. */
  setResolver(namespace: string, nameserver: string): void;
  /** Stops the processes started here, deletes the namespaces and their resolv.conf. Idempotent. */
  close(): Promise<void>;
}

/** The tbf line for a rate: a bucket of at least 10 ms of the rate, a queue bounded at 200 ms. */
export function tbfArgs(rateMbit: number): { args: string[]; burstBytes: number } {
  const burstBytes = Math.max(16 * 1024, Math.ceil((rateMbit * 1e6 * 0.01) / 8));
  return {
    args: ['root', 'tbf', 'rate', `${rateMbit}mbit`, 'burst', String(burstBytes), 'latency', '200ms'],
    burstBytes,
  };
}

export async function createNetnsTestbed(options: NetnsTestbedOptions): Promise<NetnsTestbed> {
  if (!/^[a-z0-9]{1,6}$/.test(options.tag))
    throw new Error(`testbed tag "${options.tag}" must be 1–6 lowercase letters or digits`);
  const ip = findTool('ip', ['/usr/sbin/ip', '/sbin/ip']) ?? 'ip';
  const tc = findTool('tc', ['/usr/sbin/tc', '/sbin/tc']) ?? 'tc';
  const suffix = `${options.tag}-${process.pid}`;
  const client = `nmc-${suffix}`;
  const server = `nms-${suffix}`;
  const subnet = options.subnet ?? 0;
  const clientAddress = `10.231.${subnet}.1`;
  const serverAddress = `10.231.${subnet}.2`;
  const children: ChildProcess[] = [];
  const run = async (namespace: string, command: string, args: string[], timeoutMs = 15_000) =>
    (
      await exec(ip, ['netns', 'exec', namespace, command, ...args], {
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      })
    ).stdout;
  const close = async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const namespace of [client, server]) {
      // Processes a test forgot would keep the namespace's sockets: end them with it.
      const pids = await exec(ip, ['netns', 'pids', namespace]).then(
        (r) => r.stdout.split(/\s+/).filter(Boolean).map(Number),
        () => [] as number[],
      );
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await exec(ip, ['netns', 'del', namespace]).catch(() => undefined);
      rmSync(`/etc/netns/${namespace}`, { recursive: true, force: true });
    }
  };
  try {
    await close();
    await exec(ip, ['netns', 'add', client]);
    await exec(ip, ['netns', 'add', server]);
    await exec(ip, ['-n', client, 'link', 'add', 'tb-c', 'type', 'veth', 'peer', 'name', 'tb-s', 'netns', server]);
    await exec(ip, ['-n', client, 'addr', 'add', `${clientAddress}/30`, 'dev', 'tb-c']);
    await exec(ip, ['-n', server, 'addr', 'add', `${serverAddress}/30`, 'dev', 'tb-s']);
    for (const [namespace, dev] of [
      [client, 'tb-c'],
      [server, 'tb-s'],
    ] as const) {
      await exec(ip, ['-n', namespace, 'link', 'set', dev, 'up']);
      await exec(ip, ['-n', namespace, 'link', 'set', 'lo', 'up']);
    }
    if (options.rateMbit !== undefined) {
      await exec(ip, ['netns', 'exec', server, tc, 'qdisc', 'add', 'dev', 'tb-s', ...tbfArgs(options.rateMbit).args]);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    client,
    server,
    clientAddress,
    serverAddress,
    run,
    start(namespace, command, args, spawnOptions = {}) {
      const child = spawn(ip, ['netns', 'exec', namespace, command, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...spawnOptions,
      });
      children.push(child);
      return child;
    },
    setResolver(namespace, nameserver) {
      mkdirSync(`/etc/netns/${namespace}`, { recursive: true });
      writeFileSync(`/etc/netns/${namespace}/resolv.conf`, `nameserver ${nameserver}\noptions timeout:2 attempts:1\n`);
    },
    close,
  };
}

/** Resolves with the first stdout line of `child` that `matches`, or rejects when it exits or `timeoutMs` passes. */
export function waitForLine(
  child: ChildProcess,
  matches: (line: string) => boolean,
  timeoutMs = 15_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(
      () => done(new Error(`no ready line within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const line = lines.find(matches);
      if (line !== undefined) done(undefined, line);
    };
    const onErr = (chunk: Buffer) => {
      stderr += chunk.toString();
    };
    const onExit = (code: number | null) =>
      done(new Error(`exited with ${code} before it was ready; stderr: ${stderr.slice(-500)}`));
    function done(error: Error | undefined, line?: string) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line!);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}
