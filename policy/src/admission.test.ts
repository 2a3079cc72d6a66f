/**
 * The namespace policy (Pod Security labels of the measurement namespaces stay) and the placement
 * policy (app pods only in measurement namespaces), evaluated with CEL; Rancher's own labels and
 * annotations on a namespace pass untouched.
 */
import { describe, expect, it } from 'vitest';
import { admitNamespace, admitPod } from './admission.js';
import { podSecurityLabels } from './admission-objects.js';
import { DEFAULT_NAMESPACES } from './chart.js';
import type { AdmissionParameters } from './parameters.js';

const plan = DEFAULT_NAMESPACES;
const params: AdmissionParameters = { apps: [], allowedRegistries: ['ghcr.io'], exemptions: [], measurementNamespaces: [...plan.restricted, plan.capabilities], capabilityNamespace: plan.capabilities };
const ns = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, annotations } });

describe('the namespace policy', () => {
  it('admits the namespaces as the chart creates them, and as Rancher moves them into a project', () => {
    expect(admitNamespace(ns('nmaas-apps', podSecurityLabels('restricted', 'v1.37')), params)).toEqual([]);
    expect(admitNamespace(ns('nmaas-capabilities', podSecurityLabels('privileged', 'v1.37')), params)).toEqual([]);
    const rancher = ns('nmaas-apps', { ...podSecurityLabels('restricted', 'v1.37'), 'field.cattle.io/projectId': 'p-xyz' }, { 'field.cattle.io/projectId': 'c-m-abc:p-xyz', 'lifecycle.cattle.io/create.namespace-auth': 'true' });
    expect(admitNamespace(rancher, params)).toEqual([]);
  });

  it.each([
    ['enforce removed', () => { const l = podSecurityLabels('restricted', 'v1.37'); delete l['pod-security.kubernetes.io/enforce']; return ns('nmaas-apps', l); }],
    ['enforce lowered to privileged', () => ns('nmaas-apps', podSecurityLabels('privileged', 'v1.37'))],
    ['audit lowered to baseline', () => ns('nmaas-capabilities', { ...podSecurityLabels('privileged', 'v1.37'), 'pod-security.kubernetes.io/audit': 'baseline' })],
    ['all labels removed', () => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nmaas-apps' } })],
  ])('denies a measurement namespace with %s', (_name, make) => {
    expect(admitNamespace(make(), params).map((d) => d.error ?? d.message)).toEqual([expect.stringMatching(/must keep pod-security.kubernetes.io\/enforce: restricted/)]);
  });
});

describe('the placement policy', () => {
  const pod = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels }, spec: { containers: [{ name: 'c', image: 'ghcr.io/x/y:1' }] } });

  it('denies an app-labelled pod outside the measurement namespaces, whatever else it is', () => {
    expect(admitPod(pod({ 'nmaas.io/app': 'web-qos' }), 'default', params, plan).denials.map((d) => d.rule)).toEqual(['NMAAS-FOREIGN-NAMESPACE']);
  });

  it('leaves other namespaces\' unlabelled pods alone', () => {
    expect(admitPod(pod({ app: 'other' }), 'default', params, plan)).toEqual({ denials: [], podSecurity: [], admitted: true });
  });

  it('refuses an unlabelled pod in a measurement namespace: only published apps run there', () => {
    const a = admitPod(pod({}), 'nmaas-apps', params, plan);
    expect(a.admitted).toBe(false);
    expect(a.denials.map((d) => d.rule)).toContain('NMAAS-IMAGE-MISMATCH');
  });
});
