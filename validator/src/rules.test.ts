/** Rule catalogue invariants, rule purity, and the value sets at the form bounds. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@nmaas/sdk/model';
import { RULES } from './rules/index.js';
import { boundValueSets, splitValueSet } from './render/bounds.js';
import { parseRendered, isRefusal } from './render/render.js';
import { FIXTURES } from './testing/index.js';
import type { ObjectsInput, ObjectsRule } from './types.js';

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

describe('rule catalogue', () => {
  it('gives every rule a unique NMAAS id, a title, a severity, a rationale, a fix and a security-severity', () => {
    const ids = RULES.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.meta.id).toMatch(/^NMAAS-[A-Z0-9-]+$/);
      expect(r.meta.title.length).toBeGreaterThan(5);
      expect(['error', 'warning', 'info']).toContain(r.meta.severity);
      expect(r.meta.rationale.length).toBeGreaterThan(30);
      expect(r.meta.fix.length).toBeGreaterThan(10);
      expect(r.meta.securitySeverity).toBeGreaterThanOrEqual(0.1);
      expect(r.meta.securitySeverity).toBeLessThanOrEqual(10);
    }
  });

  it('covers every Pod Security Standards baseline and restricted control', () => {
    const pss = RULES.filter((r) => r.meta.pss).map((r) => r.meta.id);
    for (const c of [
      'HOST-PROCESS',
      'HOST-NAMESPACES',
      'PRIVILEGED',
      'CAPABILITIES-BASELINE',
      'HOST-PATH',
      'HOST-PORTS',
      'HOST-PROBES',
      'APPARMOR',
      'SELINUX',
      'PROC-MOUNT',
      'SECCOMP-BASELINE',
      'SYSCTLS',
    ]) {
      expect(pss).toContain(`NMAAS-PSS-${c}`);
    }
    for (const c of [
      'VOLUME-TYPES',
      'PRIVILEGE-ESCALATION',
      'RUN-AS-NON-ROOT',
      'RUN-AS-USER',
      'SECCOMP-RESTRICTED',
      'CAPABILITIES-RESTRICTED',
    ])
      expect(pss).toContain(`NMAAS-PSS-${c}`);
  });

  it('runs object rules as pure functions: frozen input, same output twice', async () => {
    const manifest = parseManifest(
      await readFile(path.join(FIXTURES, 'corpus', 'base', 'web-qos-full', 'nmaas.yaml'), 'utf8'),
    );
    const pod = (extra: object) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        template: {
          metadata: { labels: { 'nmaas.io/app': 'web-qos-full' } },
          spec: {
            hostNetwork: true,
            containers: [
              {
                name: 'a',
                image: 'evil.example/x:1',
                securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
              },
            ],
            initContainers: [{ name: 'i', image: 'ghcr.io/x/y:1', securityContext: { runAsUser: 0 } }],
            ephemeralContainers: [{ name: 'e', image: 'ghcr.io/x/y:1', securityContext: { procMount: 'Unmasked' } }],
            volumes: [{ name: 'h', hostPath: { path: '/' } }],
            ...extra,
          },
        },
      },
    });
    const input: ObjectsInput = deepFreeze({
      objects: [
        { object: pod({}), valueSets: ['defaults'] },
        {
          object: { kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ verbs: ['*'], resources: ['*'] }] },
          valueSets: ['defaults'],
        },
      ],
      valueSet: 'defaults',
      namespace: 'ns',
      manifest: deepFreeze(manifest),
      allowedRegistries: ['ghcr.io'],
    });
    const objectRules = RULES.filter((r): r is ObjectsRule => r.meta.scope === 'objects');
    const first = objectRules.map((r) => r.check(input));
    const second = objectRules.map((r) => r.check(input));
    expect(second).toEqual(first);
    const fired = new Set(objectRules.filter((_, i) => first[i]!.length > 0).map((r) => r.meta.id));
    // init and ephemeral containers are checked too
    expect(first[objectRules.findIndex((r) => r.meta.id === 'NMAAS-PSS-RUN-AS-USER')]!.map((d) => d.container)).toEqual(
      ['i'],
    );
    expect(first[objectRules.findIndex((r) => r.meta.id === 'NMAAS-PSS-PROC-MOUNT')]!.map((d) => d.container)).toEqual([
      'e',
    ]);
    for (const id of [
      'NMAAS-PSS-PRIVILEGED',
      'NMAAS-PSS-HOST-NAMESPACES',
      'NMAAS-PSS-HOST-PATH',
      'NMAAS-RBAC-SCOPE',
      'NMAAS-RBAC-WILDCARD',
      'NMAAS-IMAGE-REGISTRY',
      'NMAAS-IMAGE-DIGEST',
    ])
      expect(fired).toContain(id);
  });
});

describe('value sets at the form bounds', () => {
  const schema = {
    type: 'object',
    properties: {
      replicaCount: { type: 'integer', minimum: 1, maximum: 10 },
      ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      mode: { type: 'string', enum: ['a', 'b', 'c'] },
      enabled: { type: 'boolean' },
      targets: { type: 'array', minItems: 1, maxItems: 5, items: { type: 'string' } },
      unique: { type: 'array', maxItems: 5, uniqueItems: true },
      nested: { type: 'object', properties: { port: { type: 'integer', minimum: 1024, maximum: 65535 } } },
      free: { type: 'string' },
    },
  };
  const defaults = {
    replicaCount: 1,
    ratio: 0.5,
    mode: 'b',
    enabled: true,
    targets: ['x', 'y'],
    unique: ['p'],
    nested: { port: 8080 },
    free: 's',
  };

  it('puts every bounded field at its minimum, then its maximum, skipping values equal to the defaults', () => {
    const [d, lower, upper, off] = boundValueSets(schema, defaults);
    expect(d).toEqual({ name: 'defaults', values: {} });
    expect(lower!.name).toBe('lower-bounds');
    expect(lower!.values).toEqual({ ratio: expect.any(Number), mode: 'a', targets: ['x'], nested: { port: 1024 } });
    expect((lower!.values.ratio as number) > 0).toBe(true);
    expect(upper!.values).toEqual({
      replicaCount: 10,
      ratio: 1,
      mode: 'c',
      targets: ['x', 'y', 'x', 'y', 'x'],
      nested: { port: 65535 },
    });
    // Switches go off in a set of their own, so that switching a feature off hides nothing the maximums render.
    expect(off).toEqual({ name: 'switches-off', values: { enabled: false } });
  });

  it('shortens the run duration and start window to a shorter period at the bounds, so the chart renders it', () => {
    const scheduleSchema = {
      type: 'object',
      properties: {
        schedule: {
          type: 'object',
          properties: {
            every: { type: 'string', enum: ['30s', '1m', '1h'] },
            duration: { type: 'string', pattern: '^([0-9]+(h|m|s))+$' },
            startWithin: { type: 'string' },
          },
        },
      },
    };
    const [, lower, upper] = boundValueSets(scheduleSchema, {
      schedule: { every: '1m', duration: '45s', startWithin: '10m' },
    });
    expect(lower!.values).toEqual({ schedule: { every: '30s', duration: '30s', startWithin: '30s' } });
    // A longer period fits the defaults: nothing else changes.
    expect(upper!.values).toEqual({ schedule: { every: '1h' } });
    // Values that already fit, and an empty start window (any time), are kept.
    const [, fits] = boundValueSets(scheduleSchema, { schedule: { every: '1m', duration: '20s', startWithin: '' } });
    expect(fits!.values).toEqual({ schedule: { every: '30s' } });
  });

  it('splits a refused set into one set per top-level value', () => {
    expect(splitValueSet({ name: 'lower-bounds', values: { a: 1, b: { c: 2 } } }).map((s) => s.name)).toEqual([
      'lower-bounds:a',
      'lower-bounds:b',
    ]);
  });

  it('renders only the defaults when the chart has no schema', () => {
    expect(boundValueSets(undefined, defaults).map((s) => s.name)).toEqual(['defaults']);
  });
});

describe('helm output parsing', () => {
  it('keeps each object with its template and flattens Lists', () => {
    const out = parseRendered(
      '---\n# Source: c/templates/a.yaml\nkind: A\nmetadata: {name: a}\n---\n# Source: c/templates/l.yaml\nkind: List\nitems:\n  - {kind: Secret, metadata: {name: s}}\n',
      'c',
    );
    expect(out).toEqual([
      { object: { kind: 'A', metadata: { name: 'a' } }, source: 'templates/a.yaml' },
      { object: { kind: 'Secret', metadata: { name: 's' } }, source: 'templates/l.yaml' },
    ]);
  });

  it('tells a chart refusing values from a broken template', () => {
    expect(
      isRefusal(
        'Error: execution error at (c/templates/d.yaml:1:4): schedule.startWithin (1m) is longer than schedule.every (20s)',
      ),
    ).toBe(true);
    expect(isRefusal("Error: values don't meet the specifications of the schema(s) in the following chart(s)")).toBe(
      true,
    );
    expect(
      isRefusal(
        'Error: template: c/templates/d.yaml:3:12: executing "c/templates/d.yaml" at <.Values.a.b>: nil pointer evaluating interface {}.b',
      ),
    ).toBe(false);
  });
});

describe('README', () => {
  it('lists every rule', async () => {
    const readme = await readFile(path.join(FIXTURES, '..', 'README.md'), 'utf8');
    for (const r of RULES) expect(readme).toContain(`\`${r.meta.id}\``);
  });
});
