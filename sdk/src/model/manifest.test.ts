import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { execFile } from 'node:child_process';
import { symlink, truncate, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { withTempDir } from '../testing/temp-dirs.js';
import { loadApp, parseManifest, validateManifest, ManifestError, MAX_MANIFEST_BYTES } from './manifest.js';
import { normalizeManifest } from './normalize.js';

const fixtures = fileURLToPath(new URL('../../fixtures/apps/', import.meta.url));

const base = () => ({
  apiVersion: 'nmaas.io/v1',
  name: 'probe',
  version: '1.0.0',
  displayName: 'Probe',
  description: 'A probe.',
  category: 'qos',
  maintainers: [{ name: 'Ops' }],
  license: 'Apache-2.0',
  image: { repository: 'ghcr.io/nmaas/probe', tag: '1.0.0', digest: `sha256:${'a'.repeat(64)}` },
  schedule: { every: '5m', duration: '20s' },
  resources: { run: { cpu: '250m', memory: '128Mi', bandwidth: '20Mbps' }, idle: { cpu: '10m', memory: '48Mi' } },
});

function set(obj: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const keys = dotted.split('.');
  let cur: Record<string, unknown> = obj;
  for (const k of keys.slice(0, -1)) {
    cur[k] ??= {};
    cur = cur[k] as Record<string, unknown>;
  }
  if (value === undefined) delete cur[keys.at(-1)!];
  else cur[keys.at(-1)!] = value;
  return obj;
}

const param = (p: Record<string, unknown>) => [{ name: 'targets', type: 'string', label: 'Targets', ...p }];
const metric = (m: Record<string, unknown>) => [
  { name: 'probe_requests_total', type: 'counter', help: 'Requests', ...m },
];

// [field, valid value, invalid value, expected path of the error, words the message must contain]
const cases: [string, unknown, unknown, string, RegExp][] = [
  ['apiVersion', 'nmaas.io/v1', 'nmaas.io/v2', 'apiVersion', /nmaas\.io\/v1/],
  ['name', 'web-qos', 'Web_QoS', 'name', /DNS-1123/],
  ['name', 'a'.repeat(40), 'a'.repeat(41), 'name', /40 characters/],
  ['version', '2.1.0-rc.1', '2.1', 'version', /semantic version/],
  ['displayName', 'Web QoS', '', 'displayName', /empty/],
  ['description', 'Measures.', '', 'description', /empty/],
  ['category', 'cartography', 'fun', 'category', /qos, security, cartography, other/],
  ['keywords', ['http'], [''], 'keywords[0]', /.+/],
  ['icon', 'https://example.org/icon.png', '', 'icon', /icon is empty/],
  ['maintainers', [{ name: 'A', email: 'a@b.org', url: 'https://b.org' }], [], 'maintainers', /at least one/],
  [
    'maintainers',
    [{ name: 'A', email: 'a@b.org' }],
    [{ name: 'A', email: 'not-an-email' }],
    'maintainers[0].email',
    /e-mail/,
  ],
  ['license', 'MIT OR Apache-2.0', 'my license!', 'license', /SPDX/],
  ['home', 'https://example.org', 'http://example.org', 'home', /https/],
  ['sources', ['https://github.com/x/y'], ['ftp://x'], 'sources[0]', /https/],
  ['image.repository', 'registry.example.org:5000/team/probe', 'Ghcr.io/Probe:1', 'image.repository', /repository/],
  ['image.tag', '1.0.0', 'bad tag', 'image.tag', /Docker tag/],
  ['image.digest', `sha256:${'b'.repeat(64)}`, 'sha256:xyz', 'image.digest', /64 lower-case hex/],
  ['schedule.every', '10m', '7s', 'schedule.every', /neither divides the scheduling horizon \(1h\) nor is a whole/],
  ['schedule.every', '24h', '25h', 'schedule.every', /longer than one day; the longest period is 24h/],
  ['schedule.every', '1h', 'often', 'schedule.every', /duration such as/],
  [
    'schedule.duration',
    '5m',
    '10m',
    'schedule.duration',
    /longer than schedule.every \(5m\); a run must end before the next one starts/,
  ],
  ['schedule.duration', '1s', '500ms', 'schedule.duration', /whole number of seconds/],
  ['schedule.startWithin', '0s', '10m', 'schedule.startWithin', /longer than schedule.every/],
  ['resources.run.cpu', '1', '1 core', 'resources.run.cpu', /CPU quantity/],
  ['resources.run.cpu', '0.5', '0m', 'resources.run.cpu', /run cpu is 0/],
  ['resources.run.memory', '1Gi', '1GB', 'resources.run.memory', /memory quantity/],
  ['resources.run.bandwidth', '1Gbps', '20mbit', 'resources.run.bandwidth', /20Mbps/],
  ['resources.idle.cpu', '250m', '300m', 'resources.idle.cpu', /more than run cpu/],
  ['resources.idle.memory', '128Mi', '256Mi', 'resources.idle.memory', /more than run memory/],
  [
    'placement.nodeSelector',
    { 'nmaas.io/pool': 'edge' },
    { 'nmaas.io/pool': 'not valid!' },
    'placement.nodeSelector.nmaas.io/pool',
    /label value/,
  ],
  ['placement.affinity', ['dns'], ['probe'], 'placement.affinity[0]', /this app itself/],
  ['placement.antiAffinity', ['streaming-qos'], ['probe'], 'placement.antiAffinity[0]', /spread: true/],
  ['placement.exclusive', true, 'yes', 'placement.exclusive', /true or false/],
  ['placement.spread', false, 1, 'placement.spread', /true or false/],
  [
    'capabilities',
    [{ name: 'NET_RAW', justification: 'Sends raw ICMP probes.' }],
    [{ name: 'CAP_NET_RAW', justification: 'Sends raw ICMP probes.' }],
    'capabilities[0].name',
    /without the CAP_ prefix/,
  ],
  [
    'capabilities',
    [{ name: 'NET_ADMIN', justification: 'Shapes its own test traffic.' }],
    [{ name: 'NET_ADMIN', justification: '' }],
    'capabilities[0].justification',
    /say in a sentence why/,
  ],
  [
    'parameters',
    param({ type: 'string[]', default: ['a'], min: 1, max: 3 }),
    param({ type: 'string[]', default: [], min: 1 }),
    'parameters[0].default',
    /below min/,
  ],
  [
    'parameters',
    param({ type: 'enum', options: ['GET', 'HEAD'], default: 'GET' }),
    param({ type: 'enum', options: ['GET'], default: 'POST' }),
    'parameters[0].default',
    /not one of the options/,
  ],
  [
    'parameters',
    param({ type: 'int', default: 3 }),
    param({ type: 'int', default: 2.5 }),
    'parameters[0].default',
    /whole number/,
  ],
  [
    'parameters',
    param({ type: 'duration', default: '10s', max: 30 }),
    param({ type: 'duration', default: '1m', max: 30 }),
    'parameters[0].default',
    /above max/,
  ],
  [
    'parameters',
    param({ type: 'url', default: 'https://example.org/' }),
    param({ type: 'url', default: 'example' }),
    'parameters[0].default',
    /URL/,
  ],
  [
    'parameters',
    param({ type: 'hostname', default: 'example.org' }),
    param({ type: 'hostname', default: 'not a host' }),
    'parameters[0].default',
    /host name/,
  ],
  [
    'parameters',
    param({ type: 'boolean', default: false }),
    param({ type: 'boolean', default: 'no' }),
    'parameters[0].default',
    /true or false/,
  ],
  [
    'parameters',
    param({ pattern: '^a', default: 'abc' }),
    param({ pattern: '^a', default: 'xyz' }),
    'parameters[0].default',
    /does not match pattern/,
  ],
  [
    'parameters',
    param({ type: 'number', min: 0, max: 1 }),
    param({ type: 'number', min: 2, max: 1 }),
    'parameters[0].max',
    /below min/,
  ],
  ['parameters', param({ group: 'Targets' }), param({ name: 'my-targets' }), 'parameters[0].name', /camelCase/],
  ['parameters', param({ type: 'string' }), param({ type: 'text' }), 'parameters[0].type', /one of string/],
  ['parameters', param({ label: 'T' }), param({ label: '' }), 'parameters[0].label', /label is empty/],
  ['parameters', param({ required: true }), param({ type: 'enum' }), 'parameters[0].options', /without options/],
  [
    'metrics',
    metric({ labels: ['target'] }),
    metric({ name: 'probe_requests' }),
    'metrics[0].name',
    /must end in _total/,
  ],
  [
    'metrics',
    metric({ name: 'probe_duration_seconds', type: 'gauge', unit: 'seconds' }),
    metric({ name: 'probe_duration_ms', type: 'gauge' }),
    'metrics[0].name',
    /abbreviates a unit/,
  ],
  [
    'metrics',
    metric({ name: 'probe_size_bytes', type: 'histogram', buckets: [1, 10] }),
    metric({ name: 'probe_size_bytes', type: 'histogram', buckets: [10, 1] }),
    'metrics[0].buckets',
    /increasing/,
  ],
  [
    'metrics',
    metric({ name: 'probe_speed_bytes', type: 'gauge', unit: 'bytes' }),
    metric({ name: 'probe_speed_bits', type: 'gauge' }),
    'metrics[0].name',
    /base unit bytes/,
  ],
  ['metrics', metric({ type: 'counter' }), metric({ name: 'nmaas_runs_total' }), 'metrics[0].name', /reserves/],
  ['metrics', metric({ help: 'x' }), metric({ help: '' }), 'metrics[0].help', /help is empty/],
  ['metrics', metric({ labels: ['a'] }), metric({ labels: ['a', 'a'] }), 'metrics[0].labels[1]', /listed twice/],
  [
    'metrics',
    metric({ type: 'summary', name: 'probe_rtt_seconds' }),
    metric({ type: 'timer' }),
    'metrics[0].type',
    /counter, gauge, histogram, summary/,
  ],
  [
    'alerts',
    [{ name: 'ProbeDown', expr: 'up == 0', severity: 'critical', summary: 'down' }],
    [{ name: 'ProbeDown', expr: 'up == 0', severity: 'page', summary: 'down' }],
    'alerts[0].severity',
    /critical, warning or info/,
  ],
  [
    'alerts',
    [{ name: 'ProbeDown', expr: 'up == 0', for: '1h', severity: 'info', summary: 's' }],
    [{ name: 'ProbeDown', expr: ' ', severity: 'info', summary: 's' }],
    'alerts[0].expr',
    /PromQL/,
  ],
];

describe('the app model, field by field', () => {
  it('accepts the base manifest and fills defaults', () => {
    const result = validateManifest(base());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifest.placement).toEqual({
      nodeSelector: {},
      affinity: [],
      antiAffinity: [],
      exclusive: false,
      spread: false,
    });
    expect(result.manifest.parameters).toEqual([]);
  });

  it.each(cases)('%s: accepts %j and rejects %j', (field, good, bad, errorPath, words) => {
    const ok = validateManifest(set(base(), field, good));
    expect(ok.ok ? [] : ok.issues).toEqual([]);
    const ko = validateManifest(set(base(), field, bad));
    expect(ko.ok).toBe(false);
    if (ko.ok) return;
    const issue = ko.issues.find((i) => i.path === errorPath);
    expect(issue, `issues were ${JSON.stringify(ko.issues)}`).toBeDefined();
    expect(issue!.message).toMatch(words);
  });

  it('names a missing required field as required', () => {
    const ko = validateManifest(set(base(), 'schedule.every', undefined));
    expect(ko.ok).toBe(false);
    if (!ko.ok)
      expect(ko.issues).toContainEqual({ path: 'schedule.every', message: expect.stringMatching(/^is required/) });
  });

  it('rejects unknown fields with their name', () => {
    const ko = validateManifest({ ...base(), schedul: {} });
    expect(ko.ok).toBe(false);
    if (!ko.ok) expect(ko.issues[0]!.message).toMatch(/unknown field schedul/);
  });

  it('reports cross-field problems even when another field is malformed', () => {
    const ko = validateManifest({ ...set(base(), 'schedule.duration', '10m'), name: 'BAD' });
    expect(ko.ok).toBe(false);
    if (!ko.ok) expect(ko.issues.map((i) => i.path).sort()).toEqual(['name', 'schedule.duration']);
  });

  it('honours a different scheduling horizon', () => {
    const m = set(base(), 'schedule.every', '90s');
    expect(validateManifest(m).ok).toBe(true);
    expect(validateManifest(m, { horizonSeconds: 600 }).ok).toBe(false);
  });

  it('accepts periods beyond one hour and whole minutes that do not divide it, up to a day', () => {
    for (const every of ['7m', '90m', '2h', '6h', '24h', '1d', '1439m'])
      expect(validateManifest(set(base(), 'schedule.every', every)).ok, every).toBe(true);
    for (const every of ['7s', '61s', '24h1m', '2d'])
      expect(validateManifest(set(base(), 'schedule.every', every)).ok, every).toBe(false);
  });
});

describe('nmaas.yaml files', () => {
  it('points errors at their line in the file', () => {
    const text = stringify(set(base(), 'schedule.duration', '10m'));
    try {
      parseManifest(text, 'nmaas.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      const issue = (error as ManifestError).issues[0]!;
      expect(issue.path).toBe('schedule.duration');
      expect(text.split('\n')[issue.line! - 1]).toContain('duration: 10m');
      expect((error as ManifestError).message).toContain('nmaas.yaml:');
    }
  });

  it('reports YAML syntax errors with a position', () => {
    expect(() => parseManifest('name: [unclosed', 'x.yaml')).toThrow(/x\.yaml:1:\d+ .*YAML syntax/);
  });

  it('rejects duplicate keys', () => {
    expect(() => parseManifest('name: a\nname: b\n')).toThrow(/YAML syntax/);
  });

  it('loads the full fixture and normalises its quantities', async () => {
    const app = await loadApp(path.join(fixtures, 'full'));
    expect(app.iconFile).toMatch(/icon\.svg$/);
    expect(normalizeManifest(app.manifest)).toEqual({
      schedule: { everySeconds: 300, durationSeconds: 20, startWithinSeconds: 60 },
      run: { cpu: 250, memory: 128, bandwidth: 20 },
      idle: { cpu: 10, memory: 48 },
    });
  });

  it('defaults startWithin to every', async () => {
    const app = await loadApp(path.join(fixtures, 'minimal'));
    expect(normalizeManifest(app.manifest).schedule.startWithinSeconds).toBe(60);
  });

  it('refuses an icon file outside the app folder', () => {
    return expect(
      (async () => {
        const { writeFile } = await import('node:fs/promises');
        const { withTempDir } = await import('../testing/temp-dirs.js');
        await withTempDir(async (dir) => {
          await writeFile(path.join(dir, 'nmaas.yaml'), stringify({ ...base(), icon: '../../etc/passwd' }));
          await loadApp(dir);
        }, 'icon');
      })(),
    ).rejects.toThrow(/icon: \.\.\/\.\.\/etc\/passwd is not a file inside the app folder/);
  });
});

/** What loadApp throws for the app folder `prepare` fills (it fails the test when nothing is thrown). */
async function loadError(prepare: (dir: string) => Promise<void>): Promise<ManifestError> {
  return withTempDir(async (dir) => {
    await prepare(dir);
    const error = await loadApp(dir).then(
      () => expect.unreachable('the app loaded'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }, 'hostile-app');
}

describe('hostile app folders', () => {
  const withIcon = () => stringify({ ...base(), icon: 'icon.svg' });

  it('refuses an icon that is a link, even to a readable file, as an invalid declaration', async () => {
    const error = await loadError(async (dir) => {
      await writeFile(path.join(dir, 'nmaas.yaml'), withIcon());
      await symlink('/etc/passwd', path.join(dir, 'icon.svg'));
    });
    expect(error.exitCode).toBe(1);
    expect(error.issues).toEqual([
      { path: 'icon', message: expect.stringMatching(/icon\.svg is a symbolic link; replace it by a regular file/) },
    ]);
  });

  it('refuses an icon in a linked folder that leads out of the app folder', async () => {
    const error = await loadError(async (dir) => {
      await writeFile(path.join(dir, 'nmaas.yaml'), stringify({ ...base(), icon: 'assets/icon.svg' }));
      await symlink(path.join(fixtures, 'full'), path.join(dir, 'assets'));
    });
    expect(error.exitCode).toBe(1);
    expect(error.issues[0]!.message).toMatch(
      /assets\/icon\.svg lies outside the app folder \(it is really .*full\/icon\.svg\)/,
    );
  });

  it('refuses an image lock that is a link', async () => {
    const error = await loadError(async (dir) => {
      const { digest: _digest, ...image } = base().image;
      await writeFile(path.join(dir, 'nmaas.yaml'), stringify({ ...base(), image }));
      await writeFile(
        path.join(dir, 'elsewhere.json'),
        JSON.stringify({ repository: image.repository, tag: image.tag, digest: `sha256:${'b'.repeat(64)}` }),
      );
      await symlink(path.join(dir, 'elsewhere.json'), path.join(dir, 'image.lock.json'));
    });
    expect(error.issues[0]!.message).toMatch(/image\.lock\.json is a symbolic link/);
  });

  it('refuses an nmaas.yaml that is a FIFO at once, as unreadable input naming it', async () => {
    const error = await loadError(async (dir) => {
      await promisify(execFile)('mkfifo', [path.join(dir, 'nmaas.yaml')]);
    });
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/\/nmaas\.yaml is a FIFO \(named pipe\), not a regular file/);
  }, 5000);

  it('refuses an nmaas.yaml that is a link', async () => {
    const error = await loadError(async (dir) => {
      await writeFile(path.join(dir, 'real.yaml'), stringify(base()));
      await symlink(path.join(dir, 'real.yaml'), path.join(dir, 'nmaas.yaml'));
    });
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/nmaas\.yaml is a symbolic link/);
  });

  it('refuses an nmaas.yaml above the size limit by its size, without parsing it', async () => {
    const error = await loadError(async (dir) => {
      const file = path.join(dir, 'nmaas.yaml');
      await writeFile(file, stringify(base()));
      await truncate(file, 100 * 1024 * 1024);
    });
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/nmaas\.yaml is 104857600 bytes; .* nmaas reads at most 1 MiB/);
    expect(MAX_MANIFEST_BYTES).toBe(1024 * 1024);
  });

  it('names the file and says "too many aliases" for a billion-laughs document', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const error = (() => {
      try {
        parseManifest(lines.join('\n'), '/apps/lol/nmaas.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).exitCode).toBe(1);
    expect((error as ManifestError).message).toMatch(/^\/apps\/lol\/nmaas\.yaml is not a valid/);
    expect((error as ManifestError).message).toContain('/apps/lol/nmaas.yaml too many aliases');
  });

  it('names the file and says "nesting too deep" for 5,000 nested lists, with the position', () => {
    const text = `name: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(() => parseManifest(text, '/apps/deep/nmaas.yaml')).toThrow(
      /\/apps\/deep\/nmaas\.yaml:1:\d+ YAML nesting too deep: more than 64 levels/,
    );
    // Also the forms the yaml package takes seconds over, then runs out of memory on.
    expect(() => parseManifest(`${'- '.repeat(400_000)}x\n`, 'nmaas.yaml')).toThrow(/nesting too deep/);
  });

  it('gives YAML syntax, alias and depth errors the same exit code: the file was read but does not pass', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', `b: &b [${Array(10).fill('*a').join(', ')}]`];
    laughs.push(`c: [${Array(10).fill('*b').join(', ')}]`);
    for (const text of ['name: [unclosed', laughs.join('\n'), '['.repeat(100)]) {
      const error = (() => {
        try {
          parseManifest(text, 'nmaas.yaml');
        } catch (e) {
          return e as ManifestError;
        }
      })();
      expect(error?.exitCode, text.slice(0, 20)).toBe(1);
    }
  });
});
