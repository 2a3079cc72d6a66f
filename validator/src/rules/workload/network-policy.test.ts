/** NMAAS-NETWORK-POLICY: judged at the defaults; at other values only the form's own switch excuses a missing policy. */
import { describe, expect, it } from 'vitest';
import rule, { policySwitchesOff } from './network-policy.js';
import type { ObjectsInput, RenderedObject } from '../../types.js';

const labels = { 'app.kubernetes.io/name': 'x', 'nmaas.io/app': 'x' };
const deployment: RenderedObject = {
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'rel-x' },
    spec: { template: { metadata: { labels }, spec: { containers: [{ name: 'x' }] } } },
  },
  valueSets: ['defaults'],
};
const policy: RenderedObject = {
  object: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'rel-x' },
    spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'x' } } },
  },
  valueSets: ['defaults'],
};
const input = (objects: RenderedObject[], valueSet: string, values: Record<string, unknown> = {}): ObjectsInput => ({
  objects,
  valueSet,
  values,
  namespace: 'ns',
  allowedRegistries: [],
});

describe('NMAAS-NETWORK-POLICY', () => {
  it('is quiet when a policy selects the pods', () => {
    expect(rule.check(input([deployment, policy], 'defaults'))).toEqual([]);
  });

  it('is an error when the defaults render no policy', () => {
    expect(rule.check(input([deployment], 'defaults')).map((d) => d.severity)).toEqual([undefined]);
  });

  it('is a note when the user switched the policy off in the form', () => {
    const out = rule.check(
      input([deployment], 'switches-off', { networkPolicy: { enabled: false }, dashboard: { enabled: false } }),
    );
    expect(out.map((d) => d.severity)).toEqual(['info']);
    expect(out[0]!.message).toContain('networkPolicy.enabled=false');
  });

  it('is an error when other values make the policy disappear with its switch on', () => {
    const out = rule.check(input([deployment], 'upper-bounds', { replicaCount: 1000, dashboard: { enabled: false } }));
    expect(out.map((d) => d.severity)).toEqual([undefined]);
    expect(out[0]!.message).toContain('upper-bounds');
  });

  it('finds switches at any depth, and only false ones about a network policy', () => {
    expect(
      policySwitchesOff({
        networkPolicy: { enabled: false, allowAllEgress: false },
        serviceMonitor: { enabled: false },
        netpol: false,
        x: { networkPolicyEnabled: false },
      }),
    ).toEqual(['networkPolicy.enabled', 'x.networkPolicyEnabled']);
  });
});
