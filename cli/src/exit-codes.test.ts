/**
 * Every subcommand against the exit convention (0 ok, 1 read but did not pass, 2 bad arguments or
 * unreadable input): missing paths, unreadable files, bad flags and malformed input, each checked
 * for its code and for a message that names the problem. In-process, one program per case.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@nmaas/sdk/kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildFullProgram } from './program.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const example = path.join(root, 'examples', 'web-qos');
let dir: string;
let busy: Server;
let busyPort: number;

// App folders with one thing wrong each, and input files for the scheduler.
function app(name: string, edit: (text: string) => string): string {
  const folder = path.join(dir, name);
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'nmaas.yaml'), edit(readFileSync(path.join(example, 'nmaas.yaml'), 'utf8')));
  return folder;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nmaas-exit-codes-'));
  app('unquoted-version', (t) => t.replace(/^version: .*$/m, 'version: 1.0'));
  app('misspelt', (t) => t.replace(/^displayName:/m, 'displayname:'));
  app('malformed', () => 'apiVersion: nmaas.io/v1\nname: [web-qos\nversion: "1.0.0"\n');
  mkdirSync(path.join(dir, 'manifest-is-folder', 'nmaas.yaml'), { recursive: true });
  writeFileSync(path.join(dir, 'plain-file'), 'not an app\n');
  writeFileSync(path.join(dir, 'broken.json'), '{"nodes": [');
  writeFileSync(
    path.join(dir, 'nodes.json'),
    JSON.stringify({ nodes: [{ name: 'n1', labels: {}, capacity: { cpu: 1000, memory: 1024, bandwidth: 100 } }] }),
  );
  writeFileSync(path.join(dir, 'apps.json'), JSON.stringify({ horizon: 60, instances: [] }));
  mkdirSync(path.join(dir, 'kubeconfigs'));
  writeFileSync(path.join(dir, 'kubeconfigs', 'empty'), '');
  writeFileSync(path.join(dir, 'kubeconfigs', 'broken'), 'clusters: [\n');
  writeFileSync(path.join(dir, 'kubeconfigs', 'no-context'), 'apiVersion: v1\nkind: Config\nclusters: []\n');
  writeFileSync(path.join(dir, 'empty.pem'), '');
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  args: (d: string) => string[];
  code: 0 | 1 | 2;
  /** What the message must name. */
  says: RegExp;
  env?: Record<string, string | undefined>;
}

const CASES: Record<string, Case> = {
  'manifest check: missing folder': {
    args: () => ['manifest', 'check', '/nonexistent'],
    code: 2,
    says: /\/nonexistent.*nmaas\.yaml/,
  },
  'manifest check: a file, not a folder': {
    args: (d) => ['manifest', 'check', `${d}/plain-file`],
    code: 2,
    says: /plain-file is not a folder/,
  },
  'manifest check: unreadable nmaas.yaml': {
    args: (d) => ['manifest', 'check', `${d}/manifest-is-folder`],
    code: 2,
    says: /nmaas\.yaml is a folder, not a regular file/,
  },
  'manifest check: malformed YAML, once, with line and column': {
    args: (d) => ['manifest', 'check', `${d}/malformed`],
    code: 1,
    says: /nmaas\.yaml:\d+:\d+ YAML syntax: [^\n]*\n?$/,
  },
  'manifest check: unquoted version': {
    args: (d) => ['manifest', 'check', `${d}/unquoted-version`],
    code: 1,
    says: /version: .*quote it.*semantic version/,
  },
  'manifest check: misspelt field': {
    args: (d) => ['manifest', 'check', `${d}/misspelt`],
    code: 1,
    says: /did you mean displayName\?/,
  },
  'manifest check: bad --format': {
    args: () => ['manifest', 'check', example, '--format', 'yaml'],
    code: 2,
    says: /'yaml' is invalid/,
  },
  'manifest check: unknown flag': {
    args: () => ['manifest', 'check', example, '--bogus'],
    code: 2,
    says: /unknown option '--bogus'/,
  },
  'manifest check: valid': { args: () => ['manifest', 'check', example], code: 0, says: /^$/ },
  'chart: missing folder': {
    args: (d) => ['chart', '/nonexistent', '-o', d],
    code: 2,
    says: /\/nonexistent.*nmaas\.yaml/,
  },
  'chart: invalid manifest': {
    args: (d) => ['chart', `${d}/misspelt`, '-o', `${d}/charts`],
    code: 1,
    says: /did you mean displayName\?/,
  },
  'chart: malformed YAML': {
    args: (d) => ['chart', `${d}/malformed`, '-o', `${d}/charts`],
    code: 1,
    says: /YAML syntax/,
  },
  'chart: output that cannot be made': {
    args: () => ['chart', example, '-o', '/proc/nmaas-nope'],
    code: 2,
    says: /\/proc\/nmaas-nope: does not exist/,
  },
  'chart: missing -o': { args: () => ['chart', example], code: 2, says: /required option '-o, --out/ },
  'chart: an icon URL no catalogue shows': {
    args: (d) => ['chart', example, '-o', `${d}/charts`, '--icon-url', 'javascript:alert(1)'],
    code: 2,
    says: /javascript: URLs are not icons a catalogue shows/,
  },
  'run: missing folder': { args: () => ['run', '/nonexistent', '--once'], code: 2, says: /\/nonexistent\/nmaas\.yaml/ },
  'run: invalid manifest, as chart': {
    args: (d) => ['run', `${d}/misspelt`, '--once'],
    code: 1,
    says: /did you mean displayName\?/,
  },
  'run: bad --param': { args: () => ['run', example, '--once', '--param', 'novalue'], code: 2, says: /name=value/ },
  'run: bad --port': { args: () => ['run', example, '--port', 'x'], code: 2, says: /--port must be a port number/ },
  'validate: missing path': { args: () => ['validate', '/nonexistent'], code: 2, says: /\/nonexistent/ },
  'validate: no path': { args: () => ['validate'], code: 2, says: /missing argument <path>/ },
  'validate: bad --format': { args: () => ['validate', example, '--format', 'xml'], code: 2, says: /'xml' is invalid/ },
  'validate: report into a missing folder': {
    args: (d) => ['validate', example, '-o', `${d}/missing/report.json`],
    code: 2,
    says: /missing: does not exist/,
  },
  'catalogue build: missing input': {
    args: (d) => ['catalogue', 'build', '/nonexistent', '-o', `${d}/repo`],
    code: 2,
    says: /\/nonexistent does not exist/,
  },
  'catalogue build: bad --layout': {
    args: (d) => ['catalogue', 'build', example, '-o', `${d}/repo`, '--layout', 'ftp'],
    code: 2,
    says: /--layout must be/,
  },
  'catalogue build: bad --format': {
    args: (d) => ['catalogue', 'build', example, '-o', `${d}/repo`, '--format', 'yaml'],
    code: 2,
    says: /'yaml' is invalid/,
  },
  'catalogue build: invalid app': {
    args: (d) => ['catalogue', 'build', `${d}/misspelt`, '-o', `${d}/repo`, '--no-validate'],
    code: 1,
    says: /displayname/,
  },
  'catalogue serve: busy port': {
    args: (d) => ['catalogue', 'serve', d, '--port', String(busyPort)],
    code: 2,
    says: /127\.0\.0\.1:\d+: address already in use.*--port/,
  },
  'catalogue serve: bad --port': {
    args: (d) => ['catalogue', 'serve', d, '--port', 'http'],
    code: 2,
    says: /--port must be a port number/,
  },
  'scheduler nodes: an empty kubeconfig': {
    args: (d) => ['scheduler', 'nodes', '--kubeconfig', `${d}/kubeconfigs/empty`],
    code: 2,
    says: /empty: holds no clusters, users and contexts; give a kubeconfig as kubectl writes it/,
  },
  'scheduler nodes: a kubeconfig that is not YAML': {
    args: (d) => ['scheduler', 'nodes', '--kubeconfig', `${d}/kubeconfigs/broken`],
    code: 2,
    says: /broken: unexpected end of the stream.*kubectl config view --raw\)/,
  },
  'scheduler nodes: a kubeconfig without a current cluster': {
    args: (d) => ['scheduler', 'nodes', '--kubeconfig', `${d}/kubeconfigs/no-context`],
    code: 2,
    says: /no-context names no cluster for its current context/,
  },
  'scheduler nodes: a folder as kubeconfig': {
    args: (d) => ['scheduler', 'nodes', '--kubeconfig', `${d}/kubeconfigs`],
    code: 2,
    says: /kubeconfigs: is a folder, not a file/,
  },
  'scheduler serve: a certificate pair that is not PEM': {
    args: (d) => ['scheduler', 'serve', '--dev', '--port', '0', '--cert', `${d}/empty.pem`, '--key', `${d}/empty.pem`],
    code: 2,
    says: /empty\.pem and .*empty\.pem are not a PEM certificate and its private key/,
  },
  'scheduler serve --dev: options only a cluster honours': {
    args: () => ['scheduler', 'serve', '--dev', '--migrations', '2', '--replan-interval', '300'],
    code: 2,
    says: /--migrations, --replan-interval need a cluster/,
  },
  'scheduler review: a namespace Kubernetes refuses': {
    args: () => ['scheduler', 'review', example, '--namespace', 'BAD_NS!'],
    code: 2,
    says: /a namespace is lower-case letters, digits and '-'/,
  },
  'scheduler review: an address that is not https': {
    args: () => ['scheduler', 'review', example, '--url', 'notaurl'],
    code: 2,
    says: /give the https:\/\/ address serve --dev prints/,
  },
  'scheduler chart: an upper-case image repository': {
    args: (d) => ['scheduler', 'chart', '-o', `${d}/sc`, '--image', 'Registry.example/Nmaas/Scheduler:1.2.3'],
    code: 2,
    says: /--image must be repository:tag with a lower-case repository/,
  },
  'scheduler chart: an image without a tag': {
    args: (d) => ['scheduler', 'chart', '-o', `${d}/sc`, '--image', 'registry.example/nmaas/scheduler'],
    code: 2,
    says: /--image must be repository:tag/,
  },
  'scheduler simulate: missing nodes file': {
    args: (d) => ['scheduler', 'simulate', '--nodes', '/nonexistent.json', '--apps', `${d}/apps.json`],
    code: 2,
    says: /nodes file: \/nonexistent\.json: does not exist/,
  },
  'scheduler simulate: malformed JSON': {
    args: (d) => ['scheduler', 'simulate', '--nodes', `${d}/broken.json`, '--apps', `${d}/apps.json`],
    code: 2,
    says: /broken\.json is not valid JSON/,
  },
  'scheduler simulate: --svg into a missing folder': {
    args: (d) => [
      'scheduler',
      'simulate',
      '--nodes',
      `${d}/nodes.json`,
      '--apps',
      `${d}/apps.json`,
      '--svg',
      `${d}/none/x.svg`,
    ],
    code: 2,
    says: /none: does not exist/,
  },
  'scheduler simulate: bad --strategy': {
    args: (d) => [
      'scheduler',
      'simulate',
      '--nodes',
      `${d}/nodes.json`,
      '--apps',
      `${d}/apps.json`,
      '--strategy',
      'best',
    ],
    code: 2,
    says: /'best' is invalid/,
  },
  'scheduler check: missing placement': {
    args: (d) => [
      'scheduler',
      'check',
      '--nodes',
      `${d}/nodes.json`,
      '--apps',
      `${d}/apps.json`,
      '--placement',
      '/nonexistent.json',
    ],
    code: 2,
    says: /placement file: \/nonexistent\.json/,
  },
  'scheduler generate: no nodes': {
    args: (d) => ['scheduler', 'generate', '-o', `${d}/gen`, '--nodes', '0'],
    code: 2,
    says: /--nodes.*must be a whole number from 1 to 100,000/,
  },
  'scheduler nodes: no cluster': {
    args: () => ['scheduler', 'nodes'],
    code: 2,
    says: /--kubeconfig.*--server.*--ca-file/,
    env: { HOME: '/nonexistent', KUBECONFIG: undefined, KUBERNETES_SERVICE_HOST: undefined },
  },
  'scheduler nodes: --server without --ca-file': {
    args: () => ['scheduler', 'nodes', '--server', 'https://127.0.0.1:1'],
    code: 2,
    says: /needs --ca-file/,
  },
  'scheduler nodes: unreadable nodes file': {
    args: () => ['scheduler', 'nodes', '--nodes', '/nonexistent.json'],
    code: 2,
    says: /\/nonexistent\.json: does not exist/,
  },
  'scheduler serve: no certificate outside --dev': {
    args: () => ['scheduler', 'serve'],
    code: 2,
    says: /--cert and --key are required/,
  },
  'scheduler chart: output that cannot be made': {
    args: () => ['scheduler', 'chart', '-o', '/proc/nmaas-nope'],
    code: 2,
    says: /\/proc\/nmaas-nope: does not exist/,
  },
  'scheduler chart: bad --image': {
    args: (d) => ['scheduler', 'chart', '-o', d, '--image', 'no-tag'],
    code: 2,
    says: /--image must be repository:tag/,
  },
  'image build: missing folder': {
    args: () => ['image', 'build', '/nonexistent'],
    code: 2,
    says: /\/nonexistent.*nmaas\.yaml/,
  },
  'image build: invalid manifest': {
    args: (d) => ['image', 'build', `${d}/misspelt`],
    code: 1,
    says: /did you mean displayName\?/,
  },
  'policy chart: output that cannot be made': {
    args: () => ['policy', 'chart', '-o', '/proc/nmaas-nope'],
    code: 2,
    says: /\/proc\/nmaas-nope: does not exist/,
  },
  'unknown command': { args: () => ['nope'], code: 2, says: /unknown command 'nope'/ },
};

async function run(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await runCli(await buildFullProgram('0.0.0'), ['node', 'nmaas', ...args]);
    return { code: Number(process.exitCode ?? 0), stderr };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('exit codes and messages of every subcommand', () => {
  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    const { code, stderr } = await run(c.args(dir), c.env);
    expect({ code, stderr }).toEqual({ code: c.code, stderr: expect.stringMatching(c.says) });
    // A message is said once: never the same line twice.
    const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !/^\s/.test(l));
    expect(new Set(lines).size).toBe(lines.length);
  });
});
