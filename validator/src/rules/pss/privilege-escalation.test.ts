/** NMAAS-PSS-PRIVILEGE-ESCALATION: the one accepted combination, and every way out of it. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@nmaas/sdk/model';
import rule from './privilege-escalation.js';
import { FIXTURES } from '../../testing/index.js';
import type { ObjectsInput } from '../../types.js';

// web-qos-full declares NET_RAW with a justification.
const manifest = parseManifest(
  await readFile(path.join(FIXTURES, 'corpus', 'base', 'web-qos-full', 'nmaas.yaml'), 'utf8'),
);
const APP_IMAGE = `${manifest.image.repository}:1.2.0@sha256:${'a'.repeat(64)}`;
const JUSTIFICATION = manifest.capabilities.find((c) => c.name === 'NET_RAW')!.justification;

type Sc = Record<string, unknown>;
const appSc = (over: Sc = {}): Sc => ({
  allowPrivilegeEscalation: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
  ...over,
});

function input(
  spec: { app?: Sc; init?: Sc; podSc?: Sc; image?: string; labelled?: boolean },
  withManifest = true,
): ObjectsInput {
  return {
    objects: [
      {
        object: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'rel-web-qos-full' },
          spec: {
            template: {
              metadata: { labels: spec.labelled === false ? {} : { 'nmaas.io/app': 'web-qos-full' } },
              spec: {
                securityContext: spec.podSc ?? {},
                containers: [
                  { name: 'web-qos-full', image: spec.image ?? APP_IMAGE, securityContext: spec.app ?? appSc() },
                ],
                ...(spec.init
                  ? { initContainers: [{ name: 'helper', image: APP_IMAGE, securityContext: spec.init }] }
                  : {}),
              },
            },
          },
        },
        valueSets: ['defaults'],
      },
    ],
    valueSet: 'defaults',
    namespace: 'ns',
    ...(withManifest ? { manifest } : {}),
    allowedRegistries: ['ghcr.io'],
  };
}

describe('NMAAS-PSS-PRIVILEGE-ESCALATION', () => {
  it('accepts escalation on the app container with declared, justified capabilities, drop ALL and runAsNonRoot, as a note with the justification', () => {
    const out = rule.check(input({}));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ severity: 'info', container: 'web-qos-full', value: 'allowPrivilegeEscalation' });
    expect(out[0]!.message).toContain(`NET_RAW: ${JUSTIFICATION.trim()}`);
  });

  it('accepts runAsNonRoot set on the pod rather than the container', () => {
    const out = rule.check(input({ app: appSc({ runAsNonRoot: undefined }), podSc: { runAsNonRoot: true } }));
    expect(out.map((d) => d.severity)).toEqual(['info']);
  });

  it('stays quiet when escalation is disabled', () => {
    expect(rule.check(input({ app: appSc({ allowPrivilegeEscalation: false }) }))).toEqual([]);
  });

  it.each([
    ['an init container', { init: appSc() }, 'helper'],
    [
      'an undeclared capability on the app container',
      { app: appSc({ capabilities: { drop: ['ALL'], add: ['NET_RAW', 'NET_BIND_SERVICE'] } }) },
      'web-qos-full',
    ],
    [
      'capabilities not dropping ALL',
      { app: appSc({ capabilities: { drop: ['MKNOD'], add: ['NET_RAW'] } }) },
      'web-qos-full',
    ],
    ['no capability added', { app: appSc({ capabilities: { drop: ['ALL'] } }) }, 'web-qos-full'],
    ['runAsNonRoot unset', { app: appSc({ runAsNonRoot: undefined }) }, 'web-qos-full'],
    [
      'runAsNonRoot false on the container although true on the pod',
      { app: appSc({ runAsNonRoot: false }), podSc: { runAsNonRoot: true } },
      'web-qos-full',
    ],
    ['another image than nmaas.yaml names', { image: `ghcr.io/evil/other:1@sha256:${'b'.repeat(64)}` }, 'web-qos-full'],
    ['a pod that is not a measurement pod', { labelled: false }, 'web-qos-full'],
    ['allowPrivilegeEscalation unset', { app: appSc({ allowPrivilegeEscalation: undefined }) }, 'web-qos-full'],
  ] as const)('is an error with %s', (_name, spec, container) => {
    const errors = rule.check(input(spec)).filter((d) => d.severity !== 'info');
    expect(errors.map((d) => d.container)).toContain(container);
  });

  it('is an error without an nmaas.yaml to declare capabilities', () => {
    expect(rule.check(input({}, false)).map((d) => d.severity)).toEqual([undefined]);
  });

  it('is an error when the declaration has no justification', () => {
    const unjustified = { ...manifest, capabilities: manifest.capabilities.map((c) => ({ ...c, justification: ' ' })) };
    expect(rule.check({ ...input({}), manifest: unjustified }).map((d) => d.severity)).toEqual([undefined]);
  });
});
