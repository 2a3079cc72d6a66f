/**
 * App names are the developer's choice: the words of a name (`probe-ms`, `dns-kb`, `b-probe`)
 * must never trip the unit checks on the metrics it prefixes, while a unit abbreviation after
 * the prefix is still refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateManifest } from './manifest.js';
import { appMetricPrefix } from './rules.js';

/** Words a developer may pick, weighted towards the ones that look like units. */
const word = fc.oneof(
  fc.constantFrom(
    's',
    'ms',
    'us',
    'ns',
    'sec',
    'b',
    'kb',
    'mb',
    'gb',
    'm',
    'h',
    'd',
    'bits',
    'minutes',
    'percent',
    'probe',
    'dns',
    'web',
  ),
  fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
);

/** Valid app names whose metric prefix is a valid Prometheus name (a letter first, not the SDK's). */
const appName = fc
  .array(word, { minLength: 1, maxLength: 5 })
  .map((words) => words.join('-'))
  .filter((name) => name.length <= 40 && !name.startsWith('nmaas-') && name !== 'nmaas');

function manifest(name: string, metrics: unknown[]) {
  return {
    apiVersion: 'nmaas.io/v1',
    name,
    version: '1.0.0',
    displayName: 'Probe',
    description: 'A probe.',
    category: 'qos',
    maintainers: [{ name: 'Ops' }],
    license: 'Apache-2.0',
    image: { repository: `ghcr.io/nmaas/${name}`, tag: '1.0.0', digest: `sha256:${'a'.repeat(64)}` },
    schedule: { every: '5m', duration: '20s' },
    resources: { run: { cpu: '250m', memory: '128Mi', bandwidth: '20Mbps' }, idle: { cpu: '10m', memory: '48Mi' } },
    metrics,
  };
}

const standardMetrics = (name: string) => {
  const prefix = appMetricPrefix(name);
  return [
    { name: `${prefix}requests_total`, type: 'counter', help: 'Requests', labels: ['result'] },
    { name: `${prefix}duration_seconds`, type: 'histogram', help: 'Duration', unit: 'seconds', buckets: [0.1, 1] },
    { name: `${prefix}up`, type: 'gauge', help: 'Up' },
  ];
};

describe('metric names under an app-name prefix', () => {
  it.each(['probe-b', 'probe-ms', 'dns-kb', 'b-probe', 'ms', 'h-m-s', 'web-minutes', 'probe-percent'])(
    'accepts the standard metrics of %s',
    (name) => {
      const result = validateManifest(manifest(name, standardMetrics(name)));
      expect(result.ok ? [] : result.issues).toEqual([]);
    },
  );

  it('accepts the standard metrics of every generated valid name', () => {
    fc.assert(
      fc.property(appName, (name) => {
        const result = validateManifest(manifest(name, standardMetrics(name)));
        expect(result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([]);
      }),
      { numRuns: 300, seed: 20_261_204 },
    );
  });

  it('still refuses a unit abbreviation after the prefix, whatever the name', () => {
    fc.assert(
      fc.property(appName, fc.constantFrom('ms', 'kb', 's', 'sec'), (name, unit) => {
        const metrics = [{ name: `${appMetricPrefix(name)}latency_${unit}`, type: 'gauge', help: 'Latency' }];
        const result = validateManifest(manifest(name, metrics));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.issues.map((i) => i.message).join('\n')).toMatch(/abbreviates a unit/);
      }),
      { numRuns: 200, seed: 20_261_205 },
    );
  });

  it('checks every word of a metric that does not start with the app name', () => {
    const result = validateManifest(manifest('web-probe', [{ name: 'ms_probe_up', type: 'gauge', help: 'Up' }]));
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/abbreviates a unit \(_ms\)/),
    ]);
  });
});
