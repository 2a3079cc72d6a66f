/**
 * The nmaas-policy chart as helm 3.17 and 4.1 render it: every object valid against the
 * Kubernetes OpenAPI schema (kubernetes-models), the parameters object valid against the chart's
 * own CRD, operator values honoured, and the rendered policies, evaluated with CEL, deciding as
 * intended: a chart that slips past review is denied, an expired exemption stops admitting.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse, stringify } from 'yaml';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Namespace } from 'kubernetes-models/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import {
  FLEET_INJECTED_VALUES,
  HELM_VERSIONS,
  RANCHER_INJECTED_VALUES,
  rancherCategories,
  runHelm,
  type HelmVersion,
} from '@nmaas/charts-gen';
import { parseManifest, type AppManifest } from '@nmaas/sdk/model';
import { loadPolicy, validate } from '@nmaas/validator';
import { BASE_CHART, REPO, tempDir } from '@nmaas/validator/testing';
import { evaluate } from './admission.js';
import { allPolicyObjects } from './admission-objects.js';
import { writePolicyChart } from './chart.js';
import {
  PARAMS_GROUP,
  PARAMS_NAME,
  PARAMS_PLURAL,
  admissionParameters,
  notAfter,
  type AdmissionParameters,
} from './parameters.js';
import { podFromWorkload, type Json } from './testing/workload-pod.js';

type Obj = Json & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': ValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': ValidatingAdmissionPolicyBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition,
};

let work: string;
let chartDir: string;
const baseManifest: AppManifest = parseManifest(await readFile(path.join(BASE_CHART, 'nmaas.yaml'), 'utf8'));
const DIGEST_EXEMPTION_EXPIRES = '2027-01-31';

beforeAll(async () => {
  work = await tempDir('nmaas-policy-chart-');
  const policy = await loadPolicy(path.join(REPO, 'catalogue-policy.yaml'));
  // The base app is published, with one reviewer exemption: its metrics sidecar may run by tag until the end of January 2027.
  policy.exemptions.push({
    rule: 'NMAAS-IMAGE-DIGEST',
    app: baseManifest.name,
    container: 'sidecar',
    value: 'ghcr.io/nmaas/sidecar:1.0',
    justification: 'The sidecar image is rebuilt nightly upstream; pinned once its release pipeline exists.',
    expires: DIGEST_EXEMPTION_EXPIRES,
  });
  const {
    measurementNamespaces: _m,
    capabilityNamespace: _c,
    ...parameters
  } = admissionParameters(policy, [baseManifest], { restricted: ['nmaas-apps'], capabilities: 'nmaas-capabilities' });
  chartDir = (await writePolicyChart(work, { parameters })).chartDir;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function render(version: HelmVersion, args: string[] = []): Promise<Obj[]> {
  const { stdout } = await runHelm(
    ['template', 'nmaas-policy', chartDir, '--namespace', 'nmaas-system', '--include-crds', ...args],
    { version },
  );
  const out: Obj[] = [];
  for (const doc of parseAllDocuments(stdout, { version: '1.1' })) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as Obj | null;
    if (value !== null) out.push(value);
  }
  return out;
}

const byKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);

/** Evaluates the rendered policies whose bindings select `pod` in `namespace`, as the API server would. */
function admit(objects: Obj[], pod: Json, namespace: string): string[] {
  const params = byKind(objects, 'AdmissionParameters')[0]!.spec as AdmissionParameters;
  const policies = new Map(byKind(objects, 'ValidatingAdmissionPolicy').map((p) => [p.metadata.name, p]));
  const labels = ((pod.metadata as Json).labels ?? {}) as Record<string, string>;
  const denials: string[] = [];
  for (const b of byKind(objects, 'ValidatingAdmissionPolicyBinding')) {
    const spec = b.spec as {
      policyName: string;
      matchResources: {
        namespaceSelector: { matchExpressions: { operator: string; values: string[] }[] };
        objectSelector?: { matchExpressions: { key: string }[] };
      };
    };
    const policy = policies.get(spec.policyName)!;
    const pspec = policy.spec as {
      matchConstraints: { resourceRules: { resources: string[] }[] };
      variables?: { name: string; expression: string }[];
      validations: { expression: string; message: string }[];
    };
    if (!pspec.matchConstraints.resourceRules[0]!.resources.includes('pods')) continue;
    const sel = spec.matchResources.namespaceSelector.matchExpressions[0]!;
    if (sel.values.includes(namespace) !== (sel.operator === 'In')) continue;
    if (
      spec.matchResources.objectSelector &&
      !spec.matchResources.objectSelector.matchExpressions.every((e) => e.key in labels)
    )
      continue;
    denials.push(
      ...evaluate(policy.metadata.name, '', pspec.variables ?? [], pspec.validations, pod, params).map(
        (d) => `${d.message}${d.error ? ` (error ${d.error})` : ''}`,
      ),
    );
  }
  return denials;
}

describe.each(HELM_VERSIONS.map((v) => [v] as const))('helm %s', (version) => {
  let objects: Obj[];
  beforeAll(async () => {
    objects = await render(version);
  });

  it('passes helm lint --strict', async () => {
    const { stdout } = await runHelm(['lint', '--strict', chartDir], { version });
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders objects that validate against the Kubernetes OpenAPI schema', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    expect([...kinds].sort()).toEqual([
      'AdmissionParameters',
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'Namespace',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
    for (const o of objects.filter((x) => x.kind !== 'AdmissionParameters')) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('renders the parameters object valid against its CRD', () => {
    const crd = byKind(objects, 'CustomResourceDefinition')[0]!;
    const schema = ((crd.spec as Json).versions as Json[])[0]!.schema as { openAPIV3Schema: object };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const check = ajv.compile(schema.openAPIV3Schema);
    const params = byKind(objects, 'AdmissionParameters')[0]!;
    expect(check(params), JSON.stringify(check.errors)).toBe(true);
    expect(
      (params.spec as AdmissionParameters).exemptions.find(
        (e) => e.rule === 'NMAAS-IMAGE-DIGEST' && e.container === 'sidecar',
      )?.notAfter,
    ).toBe('2027-02-01T00:00:00Z');
  });

  it('ships the policies as generated, fail closed, each bound with Deny and Audit', () => {
    const vaps = byKind(objects, 'ValidatingAdmissionPolicy');
    expect(vaps).toEqual(allPolicyObjects());
    for (const p of vaps) expect((p.spec as Json).failurePolicy).toBe('Fail');
    const bindings = byKind(objects, 'ValidatingAdmissionPolicyBinding');
    expect(bindings.map((b) => (b.spec as Json).policyName).sort()).toEqual(vaps.map((p) => p.metadata.name).sort());
    for (const b of bindings) {
      expect((b.spec as Json).validationActions).toEqual(['Deny', 'Audit']);
      expect((b.spec as { paramRef: Json }).paramRef).toEqual({ name: 'nmaas', parameterNotFoundAction: 'Deny' });
    }
    // Every pod policy's message names the validator rule it mirrors.
    for (const p of vaps.filter((x) => x.metadata.name !== 'nmaas-namespace-pod-security')) {
      for (const v of (p.spec as { validations: { message: string }[] }).validations)
        expect(v.message).toMatch(/^NMAAS-[A-Z0-9-]+ \(.+\): .+\. Fix: /);
    }
  });

  it('labels the measurement namespaces for Pod Security, pinned, and keeps them on uninstall', () => {
    const ns = Object.fromEntries(byKind(objects, 'Namespace').map((n) => [n.metadata.name, n]));
    expect(Object.keys(ns).sort()).toEqual(['nmaas-apps', 'nmaas-capabilities']);
    expect(ns['nmaas-apps']!.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.37',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(ns['nmaas-capabilities']!.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(ns['nmaas-apps']!.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
  });
});

describe('what Rancher and project members need', () => {
  it('accepts the values Rancher and Fleet inject, on both helm versions', async () => {
    for (const version of ['3.17', '4.1'] as const) {
      for (const injected of [RANCHER_INJECTED_VALUES, FLEET_INJECTED_VALUES]) {
        const file = path.join(work, `injected-${version}.yaml`);
        await writeFile(file, stringify(injected));
        expect(byKind(await render(version, ['-f', file]), 'ValidatingAdmissionPolicy').length).toBeGreaterThan(0);
      }
    }
  });

  it('lets every signed-in user read the parameters object, and only that object', async () => {
    const objects = await render('3.17');
    const [role] = byKind(objects, 'ClusterRole') as Json[];
    expect(role?.rules).toEqual([
      { apiGroups: [PARAMS_GROUP], resources: [PARAMS_PLURAL], resourceNames: [PARAMS_NAME], verbs: ['get'] },
    ]);
    const [binding] = byKind(objects, 'ClusterRoleBinding') as Json[];
    expect(binding?.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' },
    ]);
  });
});

describe('operator values', () => {
  it('puts the namespaces in a Rancher project and binds every policy to the chosen namespaces', async () => {
    const a = await render('3.17', [
      '--set',
      'rancher.projectId=c-m-abc:p-xyz',
      '--set',
      'namespaces.restricted={lab-a,lab-b}',
      '--set',
      'namespaces.capabilities=lab-raw',
    ]);
    const b = await render('4.1', [
      '--set',
      'rancher.projectId=c-m-abc:p-xyz',
      '--set',
      'namespaces.restricted={lab-a,lab-b}',
      '--set',
      'namespaces.capabilities=lab-raw',
    ]);
    expect(b).toEqual(a);
    const ns = byKind(a, 'Namespace');
    expect(ns.map((n) => n.metadata.name)).toEqual(['lab-a', 'lab-b', 'lab-raw']);
    for (const n of ns) expect(n.metadata.annotations?.['field.cattle.io/projectId']).toBe('c-m-abc:p-xyz');
    const values = byKind(a, 'ValidatingAdmissionPolicyBinding').map(
      (x) =>
        ((x.spec as Json).matchResources as { namespaceSelector: { matchExpressions: { values: string[] }[] } })
          .namespaceSelector.matchExpressions[0]!.values,
    );
    expect(new Set(values.map((v) => v.join(',')))).toEqual(new Set(['lab-a,lab-b,lab-raw', 'lab-raw']));
    expect((byKind(a, 'AdmissionParameters')[0]!.spec as AdmissionParameters).measurementNamespaces).toEqual([
      'lab-a',
      'lab-b',
      'lab-raw',
    ]);
  });

  it.each(HELM_VERSIONS.map((v) => [v] as const))(
    'helm %s refuses a namespace name Kubernetes would refuse, through values.schema.json',
    async (version) => {
      await expect(render(version, ['--set', 'namespaces.capabilities=Not_A_Label'])).rejects.toThrow(/capabilities/);
    },
  );
});

describe('the rendered policies at admission', () => {
  let objects: Obj[];
  let pod: Json;
  beforeAll(async () => {
    objects = await render('4.1');
    const { stdout } = await runHelm(['template', 'rel', BASE_CHART, '--namespace', 'nmaas-capabilities']);
    const deployment = parseAllDocuments(stdout)
      .map((d) => d.toJS() as Json)
      .find((o) => o?.kind === 'Deployment')!;
    pod = podFromWorkload(deployment, 'nmaas-capabilities', new Date('2026-12-04T12:00:00Z'))!;
  });

  const withSidecar = (p: Json, createdAt: string): Json => {
    const copy = structuredClone(p) as { metadata: Json; spec: { containers: Json[] } };
    copy.metadata.creationTimestamp = createdAt;
    const app = copy.spec.containers[0]!;
    const securityContext = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    };
    copy.spec.containers.push({
      name: 'sidecar',
      image: 'ghcr.io/nmaas/sidecar:1.0',
      resources: app.resources,
      securityContext,
    });
    return copy;
  };

  it('admit the reviewed base app in its namespace', () => {
    expect(admit(objects, pod, 'nmaas-capabilities')).toEqual([]);
  });

  it('deny the app pod outside the measurement namespaces', () => {
    expect(admit(objects, pod, 'default')).toEqual([
      expect.stringMatching(/^NMAAS-FOREIGN-NAMESPACE .*outside the measurement namespaces/),
    ]);
  });

  it('admit by an unexpired exemption, through its whole expiry day, and deny once it expired', () => {
    expect(admit(objects, withSidecar(pod, '2027-01-31T23:59:59Z'), 'nmaas-capabilities')).toEqual([]);
    expect(admit(objects, withSidecar(pod, '2027-02-01T00:00:00Z'), 'nmaas-capabilities')).toEqual([
      expect.stringMatching(/^NMAAS-IMAGE-DIGEST /),
    ]);
    // Without a creation time there is no clock: fail closed.
    const undated = withSidecar(pod, '2027-01-01T00:00:00Z') as { metadata: Json };
    delete undated.metadata.creationTimestamp;
    expect(admit(objects, undated, 'nmaas-capabilities')).toEqual([expect.stringMatching(/^NMAAS-IMAGE-DIGEST /)]);
  });

  it('keep an exemption to its container and value', () => {
    const other = withSidecar(pod, '2027-01-01T00:00:00Z') as { spec: { containers: Json[] } };
    other.spec.containers[1]!.name = 'helper';
    expect(admit(objects, other, 'nmaas-capabilities')).toEqual([expect.stringMatching(/^NMAAS-IMAGE-DIGEST /)]);
  });

  it('deny an app the catalogue did not publish, and a capability the app did not declare', () => {
    const unpublished = structuredClone(pod) as { metadata: { labels: Record<string, string> } };
    unpublished.metadata.labels['nmaas.io/app'] = 'other-app';
    expect(admit(objects, unpublished, 'nmaas-capabilities').join('\n')).toMatch(
      /NMAAS-IMAGE-MISMATCH .*names no app the catalogue published/,
    );
    const extra = structuredClone(pod) as {
      spec: { containers: { securityContext: { capabilities: { add: string[] } } }[] };
    };
    extra.spec.containers[0]!.securityContext.capabilities.add.push('SYS_ADMIN');
    const denials = admit(objects, extra, 'nmaas-capabilities');
    expect(denials.map((d) => d.split(' ')[0])).toEqual(
      expect.arrayContaining(['NMAAS-CAP-UNDECLARED', 'NMAAS-PSS-CAPABILITIES-BASELINE']),
    );
  });
});

describe('a chart that slips past review', () => {
  let objects: Obj[];
  beforeAll(async () => {
    objects = await render('3.17');
  });

  /** A copy of the base chart whose app container is privileged when `condition` holds at install. */
  async function slyChart(name: string, condition: string): Promise<string> {
    const dir = path.join(work, name, 'web-qos-full');
    await cp(BASE_CHART, dir, { recursive: true });
    const file = path.join(dir, 'templates', 'deployment.yaml');
    const text = await readFile(file, 'utf8');
    expect(text.split('privileged: false').length).toBe(2);
    await writeFile(
      file,
      text.replace('privileged: false', `privileged: {{ if ${condition} }}true{{ else }}false{{ end }}`),
    );
    return dir;
  }

  async function podAt(dir: string, args: string[]): Promise<Json> {
    const { stdout } = await runHelm(['template', 'rel', dir, '--namespace', 'nmaas-capabilities', ...args], {
      version: '3.17',
    });
    const deployment = parseAllDocuments(stdout)
      .map((d) => d.toJS() as Json)
      .find((o) => o?.kind === 'Deployment')!;
    return podFromWorkload(deployment, 'nmaas-capabilities', new Date('2026-12-04T12:00:00Z'))!;
  }

  const errors = async (dir: string) =>
    (await validate(dir)).findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);

  it('passes the review when privileged hangs on a form value no review tries, and is denied at admission', async () => {
    // A word no value exploration can guess: only admission sees what the user typed.
    const sly = await slyChart('by-value', '(eq (toString .Values.placement.pool) "lab-7")');
    expect(await errors(sly)).toEqual([]);
    expect(admit(objects, await podAt(sly, []), 'nmaas-capabilities')).toEqual([]);
    const denials = admit(objects, await podAt(sly, ['--set', 'placement.pool=lab-7']), 'nmaas-capabilities');
    expect(denials.map((d) => d.split(' ')[0])).toContain('NMAAS-PSS-PRIVILEGED');
  });

  it('is denied at admission when privileged hangs on the Kubernetes version, which the review flags too', async () => {
    const sly = await slyChart('by-kube-version', 'semverCompare ">=1.35.0-0" .Capabilities.KubeVersion.Version');
    expect(await errors(sly)).toContain('NMAAS-RENDER-DIVERGENCE');
    expect(admit(objects, await podAt(sly, []), 'nmaas-capabilities')).toEqual([]);
    const denials = admit(objects, await podAt(sly, ['--kube-version', '1.35.0']), 'nmaas-capabilities');
    expect(denials).toEqual([
      expect.stringMatching(/^NMAAS-PSS-PRIVILEGED \(Privileged container\): a container is privileged\. Fix: /),
    ]);
  });
});

describe('the parameters', () => {
  it('end an exemption at the start of the day after its expiry, as the validator counts it', () => {
    expect(notAfter('2027-11-30')).toBe('2027-12-01T00:00:00Z');
    expect(notAfter('2028-02-28')).toBe('2028-02-29T00:00:00Z');
  });

  it("carry every published app and the reviewers' registries", async () => {
    const values = parse(await readFile(path.join(chartDir, 'values.yaml'), 'utf8')) as {
      apps: Json[];
      allowedRegistries: string[];
    };
    expect(values.apps).toEqual([
      {
        name: 'web-qos-full',
        imageRepository: 'ghcr.io/nmaas/web-qos',
        imageDigests: [baseManifest.image.digest],
        capabilities: ['NET_RAW'],
        exclusive: false,
      },
    ]);
    expect(values.allowedRegistries.length).toBeGreaterThan(0);
  });
});

describe('how Rancher lists the policy chart', () => {
  it('a cluster tool for Linux, under Security, maintained by the NMaaS project', async () => {
    const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as {
      keywords: string[];
      maintainers: unknown[];
      annotations: Record<string, string>;
    };
    expect(rancherCategories(chart.keywords)).toEqual(['Security']);
    expect(chart.maintainers).toEqual([{ name: 'NMaaS project', url: 'https://github.com/nmaas/nmaas/issues' }]);
    expect(chart.annotations).toMatchObject({
      'catalog.cattle.io/type': 'cluster-tool',
      'catalog.cattle.io/permits-os': 'linux',
    });
  });
});
