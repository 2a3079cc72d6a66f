/**
 * End-to-end test in network namespaces the test builds itself:
 *
 *   sender ns (10.77.1.2/24) ── veth ── router ns (10.77.1.1 | 10.77.2.1, forwarding) ── veth ── receiver ns (10.77.2.2/24)
 *
 * The app's two roles run as real processes inside their namespaces (`ip netns exec … node
 * dist/testing/run-role.js`), the sender forging sources with nping. Without filtering every
 * forged class must arrive; with source-address filtering on the router (an nftables rule, then
 * strict reverse-path filtering) only the control and the sources inside the sender's /24 may,
 * and the router's own drop counter must account for every missing packet.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_CI, tool } from '@nmaas/sdk/testing';
import type { SenderReport } from './sender.js';
import type { SessionOutcome } from './receiver.js';

const ip = tool('ip', 'apt-get install iproute2');
const nft = tool('nft', 'apt-get install nftables');
const nping = tool('nping', 'apt-get install nmap');
const sysctl = tool('sysctl', 'apt-get install procps');
const setcap = tool('setcap', 'apt-get install libcap2-bin');
const setpriv = tool('setpriv', 'apt-get install util-linux');
const appDir = fileURLToPath(new URL('..', import.meta.url));
const runRole = fileURLToPath(new URL('../dist/testing/run-role.js', import.meta.url));

const tag = `${process.pid % 100000}`;
const NS = { sender: `nmsp-s-${tag}`, router: `nmsp-r-${tag}`, receiver: `nmsp-v-${tag}` };
const PORT = 47830;
const ADJACENT = ['24', '23', '16'];
const PROBES = 3;

let unavailable: string | null = null;

/** Sources newer than their compiled output. */
function staleOutputs(): string[] {
  const src = fileURLToPath(new URL('.', import.meta.url));
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const stale: string[] = [];
  for (const file of readdirSync(src, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
    const out = path.join(dist, file.replace(/\.ts$/, '.js'));
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(path.join(src, file)).mtimeMs) stale.push(file);
  }
  return stale;
}

function sh(...args: string[]): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const inNs = (ns: string, ...args: string[]) => sh(ip.path(), 'netns', 'exec', ns, ...args);

function buildTopology(): void {
  const ipPath = ip.path();
  for (const ns of Object.values(NS)) sh(ipPath, 'netns', 'add', ns);
  sh(ipPath, 'link', 'add', 's0', 'netns', NS.sender, 'type', 'veth', 'peer', 'name', 'rs', 'netns', NS.router);
  sh(ipPath, 'link', 'add', 'v0', 'netns', NS.receiver, 'type', 'veth', 'peer', 'name', 'rv', 'netns', NS.router);
  const addr = (ns: string, cidr: string, dev: string) => sh(ipPath, '-n', ns, 'addr', 'add', cidr, 'dev', dev);
  const up = (ns: string, dev: string) => sh(ipPath, '-n', ns, 'link', 'set', dev, 'up');
  addr(NS.sender, '10.77.1.2/24', 's0');
  addr(NS.router, '10.77.1.1/24', 'rs');
  addr(NS.router, '10.77.2.1/24', 'rv');
  addr(NS.receiver, '10.77.2.2/24', 'v0');
  for (const [ns, dev] of [
    [NS.sender, 's0'],
    [NS.sender, 'lo'],
    [NS.router, 'rs'],
    [NS.router, 'rv'],
    [NS.router, 'lo'],
    [NS.receiver, 'v0'],
    [NS.receiver, 'lo'],
  ] as const)
    up(ns, dev);
  sh(ipPath, '-n', NS.sender, 'route', 'add', 'default', 'via', '10.77.1.1');
  sh(ipPath, '-n', NS.receiver, 'route', 'add', 'default', 'via', '10.77.2.1');
  inNs(NS.router, sysctl.path(), '-qw', 'net.ipv4.ip_forward=1');
  // The receiver must accept whatever the router forwards: no reverse-path check there.
  for (const key of ['all', 'default', 'v0'])
    inNs(NS.receiver, sysctl.path(), '-qw', `net.ipv4.conf.${key}.rp_filter=0`);
}

function setRouterFiltering(mode: 'none' | 'nftables' | 'rp_filter'): void {
  try {
    inNs(NS.router, nft.path(), 'delete', 'table', 'inet', 'nmaas_bcp38');
  } catch {
    /* not there */
  }
  const rp = mode === 'rp_filter' ? '1' : '0';
  for (const key of ['all', 'default', 'rs', 'rv'])
    inNs(NS.router, sysctl.path(), '-qw', `net.ipv4.conf.${key}.rp_filter=${rp}`);
  if (mode === 'nftables') {
    // BCP 38 at the customer edge: only the customer's prefix may enter from the customer port.
    const ruleset = `table inet nmaas_bcp38 {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "rs" ip saddr != 10.77.1.0/24 counter drop
  }
}
`;
    execFileSync(ip.path(), ['netns', 'exec', NS.router, nft.path(), '-f', '-'], {
      input: ruleset,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }
}

function droppedByNftables(): number {
  const listing = inNs(NS.router, nft.path(), 'list', 'table', 'inet', 'nmaas_bcp38');
  return Number(/counter packets (\d+)/.exec(listing)?.[1] ?? NaN);
}

function droppedByRpFilter(): number {
  // IPReversePathFilter in /proc/net/netstat (TcpExt) counts reverse-path drops in this namespace.
  const text = inNs(NS.router, 'cat', '/proc/net/netstat');
  const [names, values] = text.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const index = names!.split(/\s+/).indexOf('IPReversePathFilter');
  return Number(values!.split(/\s+/)[index]);
}

interface RoleRun<T> {
  outcome: string;
  error?: string;
  result: T;
  metricsText: string;
}

/** Starts a role inside `ns`; `ready` resolves when its log shows `waitFor`. */
function startRole<T>(
  ns: string,
  parameters: Record<string, unknown>,
  waitFor?: string,
  env: Record<string, string> = {},
): { ready: Promise<void>; done: Promise<RoleRun<T>> } {
  const child = spawn(ip.path(), ['netns', 'exec', ns, process.execPath, runRole, appDir, JSON.stringify(parameters)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  if (!waitFor) markReady();
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (waitFor && err.includes(`"${waitFor}"`)) markReady();
  });
  const done = new Promise<RoleRun<T>>((resolve, reject) => {
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`role in ${ns} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as RoleRun<T>);
      } catch {
        reject(new Error(`role in ${ns} printed no result: ${out} ${err.slice(-2000)}`));
      }
    });
  });
  return { ready, done };
}

async function oneSession(
  senderEnv: Record<string, string> = {},
): Promise<{ sent: SenderReport; received: SessionOutcome[]; receiverMetrics: string; senderMetrics: string }> {
  const receiver = startRole<{ sessions: SessionOutcome[] }>(
    NS.receiver,
    { role: 'receiver', port: PORT, listenWindow: '7s' },
    'listening',
  );
  await receiver.ready;
  const sender = await startRole<SenderReport>(
    NS.sender,
    {
      role: 'sender',
      receiver: '10.77.2.2',
      port: PORT,
      routableSources: ['1.2.3.4'],
      adjacentPrefixes: ADJACENT,
      probesPerClass: PROBES,
    },
    undefined,
    senderEnv,
  ).done;
  const received = await receiver.done;
  expect(sender.error).toBeUndefined();
  expect(received.error).toBeUndefined();
  return {
    sent: sender.result,
    received: received.result.sessions,
    receiverMetrics: received.metricsText,
    senderMetrics: sender.metricsText,
  };
}

const FORGED = ['private', 'routable', 'adjacent_24', 'adjacent_23', 'adjacent_16'];

describe.skipIf(ip.skip || nft.skip || nping.skip || sysctl.skip || setcap.skip || setpriv.skip)(
  'ip-spoofing-detection across network namespaces',
  () => {
    beforeAll(() => {
      if (process.getuid?.() !== 0) {
        unavailable = 'network namespaces need root (run the tests as root, as CI does)';
      } else {
        try {
          buildTopology();
        } catch (error) {
          unavailable = `could not build the network namespaces: ${(error as Error).message}`;
        }
      }
      if (unavailable) {
        process.stderr.write(`[ip-spoofing-detection] ${unavailable}\n`);
        if (IN_CI) throw new Error(unavailable);
        return;
      }
      // The roles run from dist/ inside the namespaces (npm test builds first): refuse a stale build.
      const stale = staleOutputs();
      if (stale.length > 0)
        throw new Error(`dist/ is older than ${stale.join(', ')}; run npx tsc -b examples/ip-spoofing-detection first`);
    }, 120_000);

    afterAll(() => {
      for (const ns of Object.values(NS)) {
        try {
          sh(ip.path(), 'netns', 'del', ns);
        } catch {
          /* never created */
        }
      }
    });

    it('without source-address filtering, every forged class reaches the receiver', async (context) => {
      if (unavailable) return context.skip();
      setRouterFiltering('none');
      const { sent, received, receiverMetrics, senderMetrics } = await oneSession();
      expect(sent.sender).toBe('10.77.1.2'); // found by the sender itself
      expect(sent.classes.map((c) => [c.class, c.sent, c.error])).toEqual([
        ['control', PROBES, undefined],
        ...FORGED.map((c) => [c, PROBES, undefined]),
      ]);
      expect(received).toHaveLength(1);
      const [session] = received;
      expect(session!.session).toBe(sent.session);
      expect(session!.natDetected).toBe(false);
      for (const c of session!.classes) {
        const planned = sent.classes.find((s) => s.class === c.class)!;
        expect([c.class, c.claimed, c.received, c.verdict]).toEqual([
          planned.class,
          planned.source,
          PROBES,
          'received',
        ]);
      }
      expect(session!.spoofablePrefixLength).toBe(16);
      expect(receiverMetrics).toContain(
        'ip_spoofing_detection_spoofed_delivered{sender="10.77.1.2",class="routable"} 1',
      );
      expect(senderMetrics).toContain('ip_spoofing_detection_probes_sent_total{class="private"} 3');
    }, 60_000);

    /**
     * The container's privilege model, reproduced: the app runs as user 65532 with CAP_NET_RAW only
     * in its bounding set and none in its permitted set (what a runtime leaves a non-root process
     * after exec), and nping carries cap_net_raw as a file capability (the Dockerfile's setcap).
     * NMAAS_NPING points the sender at a wrapper that drops to that state before exec'ing nping.
     */
    function unprivilegedNping(noNewPrivs: boolean): { env: Record<string, string>; dispose(): void } {
      // The tools first: a missing one throws before there is a folder to leave behind.
      const tools = { nping: nping.path(), setcap: setcap.path(), setpriv: setpriv.path() };
      const dir = mkdtempSync(path.join(tmpdir(), 'nmaas-nping-'));
      try {
        return wrapNping(dir, tools, noNewPrivs);
      } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    }

    function wrapNping(
      dir: string,
      tools: { nping: string; setcap: string; setpriv: string },
      noNewPrivs: boolean,
    ): { env: Record<string, string>; dispose(): void } {
      chmodSync(dir, 0o755);
      const copy = path.join(dir, 'nping');
      copyFileSync(tools.nping, copy);
      chmodSync(copy, 0o755);
      sh(tools.setcap, 'cap_net_raw+ep', copy);
      const wrapper = path.join(dir, 'nping-as-app-user');
      const drop = [
        tools.setpriv,
        '--reuid',
        '65532',
        '--regid',
        '65532',
        '--clear-groups',
        '--inh-caps',
        '-all',
        '--bounding-set',
        '-all,+net_raw',
        ...(noNewPrivs ? ['--no-new-privs'] : []),
      ];
      // The intermediate sh plays the app process: non-root, nothing permitted, then exec nping.
      writeFileSync(wrapper, `#!/bin/sh\nexec ${drop.join(' ')} -- /bin/sh -c 'exec "$0" "$@"' ${copy} "$@"\n`, {
        mode: 0o755,
      });
      return { env: { NMAAS_NPING: wrapper }, dispose: () => rmSync(dir, { recursive: true, force: true }) };
    }

    it('as user 65532 with CAP_NET_RAW only in the bounding set, nping forges through its file capability', async (context) => {
      if (unavailable) return context.skip();
      setRouterFiltering('none');
      const unprivileged = unprivilegedNping(false);
      try {
        const { sent, received } = await oneSession(unprivileged.env);
        expect(sent.classes.map((c) => [c.class, c.sent, c.error])).toEqual([
          ['control', PROBES, undefined],
          ...FORGED.map((c) => [c, PROBES, undefined]),
        ]);
        expect(received[0]!.classes.every((c) => c.received === PROBES)).toBe(true);
      } finally {
        unprivileged.dispose();
      }
    }, 60_000);

    it('under no_new_privs (allowPrivilegeEscalation: false) the file capability is ignored and the sender says why', async (context) => {
      if (unavailable) return context.skip();
      setRouterFiltering('none');
      const unprivileged = unprivilegedNping(true);
      try {
        const { sent, received } = await oneSession(unprivileged.env);
        expect(sent.classes.find((c) => c.class === 'control')!.sent).toBe(PROBES);
        for (const c of sent.classes.filter((x) => x.class !== 'control')) {
          expect(c.sent).toBe(0);
          expect(c.error).toMatch(/raw socket.*allowPrivilegeEscalation: false/);
        }
        // The receiver sees the control only, so it cannot tell this from filtering: the sender's error is the signal.
        expect(received[0]!.classes.filter((c) => c.received > 0).map((c) => c.class)).toEqual(['control']);
      } finally {
        unprivileged.dispose();
      }
    }, 60_000);

    for (const mode of ['nftables', 'rp_filter'] as const) {
      it(`with ${mode === 'nftables' ? 'an nftables BCP 38 rule' : 'strict reverse-path filtering (rp_filter=1)'} on the router, forged sources outside the sender's /24 are dropped`, async (context) => {
        if (unavailable) return context.skip();
        setRouterFiltering(mode);
        const before = mode === 'rp_filter' ? droppedByRpFilter() : 0;
        const { sent, received, receiverMetrics } = await oneSession();
        const [session] = received;
        expect(session!.session).toBe(sent.session);
        const verdicts = Object.fromEntries(session!.classes.map((c) => [c.class, `${c.verdict}:${c.received}`]));
        expect(verdicts).toEqual({
          control: `received:${PROBES}`,
          adjacent_24: `received:${PROBES}`, // inside the sender's own /24: a /24 filter lets it pass
          private: 'filtered:0',
          routable: 'filtered:0',
          adjacent_23: 'filtered:0',
          adjacent_16: 'filtered:0',
        });
        expect(session!.spoofablePrefixLength).toBe(24);
        expect(receiverMetrics).toContain(
          'ip_spoofing_detection_spoofed_delivered{sender="10.77.1.2",class="private"} 0',
        );
        // What the router did: it dropped exactly the forged probes that never arrived.
        const dropped = mode === 'nftables' ? droppedByNftables() : droppedByRpFilter() - before;
        expect(dropped).toBe(4 * PROBES);
      }, 60_000);
    }
  },
);
