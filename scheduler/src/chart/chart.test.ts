/**
 * The scheduler's own chart, rendered by real helm (3.17 and 4.1): every object the issue asks
 * for, least-privilege RBAC, PSS restricted, webhook scoping, and both certificate paths.
 */
import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { chartSchemaProblems, rancherCategories } from '@nmaas/charts-gen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tool, TempDirs } from '@nmaas/sdk/testing';
import { REPO_ROOT } from '../webhook/testing.js';
import { RANCHER_CI_EXTRAS, writeSchedulerChart } from './render.js';

/** Temp folders of this file's tests, removed after them. */
const temp = new TempDirs('sched-chart');
afterAll(() => temp.removeAll());

const run = promisify(execFile);
type Obj = {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string> | null;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered YAML of many kinds, read field by field
  [k: string]: any;
};

for (const version of ['3.17', '4.1'] as const) {
  const helm = tool('helm', 'node tools/install-helm.mjs', [path.join(REPO_ROOT, `.tools/helm/${version}/helm`)]);
  describe.skipIf(helm.skip)(`scheduler chart with helm ${version}`, () => {
    let chartDir: string;
    const template = async (...args: string[]): Promise<Obj[]> => {
      const { stdout } = await run(
        helm.path(),
        ['template', 'nmaas-scheduler', chartDir, '--namespace', 'nmaas-system', ...args],
        { maxBuffer: 16 << 20 },
      );
      return parseAllDocuments(stdout)
        .map((d) => d.toJS() as Obj)
        .filter(Boolean);
    };
    const byKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);

    beforeAll(async () => {
      ({ chartDir } = await writeSchedulerChart(await temp.make()));
    });

    it('lints clean with the defaults and with each chart-testing value set (ci/*-values.yaml)', async () => {
      for (const values of [
        [],
        ['-f', path.join(chartDir, 'ci/default-values.yaml')],
        ['-f', path.join(chartDir, 'ci/rancher-values.yaml')],
      ]) {
        const { stdout } = await run(helm.path(), [
          'lint',
          chartDir,
          '--strict',
          '--namespace',
          'nmaas-system',
          ...values,
        ]);
        expect(stdout).toMatch(/0 chart\(s\) failed/);
      }
    });

    it('renders the Deployment (2 replicas, PSS restricted), PDB, Service and RBAC', async () => {
      const objs = await template();
      const [deploy] = byKind(objs, 'Deployment');
      expect(deploy!.spec.replicas).toBe(2);
      const pod = deploy!.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
          readOnlyRootFilesystem: true,
        });
        expect(c.args.slice(0, 2)).toEqual(['scheduler', 'serve']);
        // Re-planning is off by default: no interval, and POST /replan needs a Secret nobody created yet.
        expect(c.args[c.args.indexOf('--replan-interval') + 1]).toBe('0');
        expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', scheme: 'HTTPS' });
      }
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(byKind(objs, 'PodDisruptionBudget')[0]!.spec.minAvailable).toBe(1);
      expect(byKind(objs, 'Service')[0]!.spec.ports[0]).toMatchObject({ port: 443, targetPort: 'https' });
      const np = byKind(objs, 'NetworkPolicy')[0]!;
      expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(np.spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 8443 }] }]);
      type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
      const rules = (byKind(objs, 'ClusterRole')[0]!.rules as Rule[]).map(
        (r) => `${r.apiGroups.join()}|${r.resources.join()}|${[...r.verbs].sort().join()}`,
      );
      expect(rules.sort()).toEqual([
        '|events|create',
        '|nodes|get,list,watch',
        '|pods/eviction|create',
        '|pods|get,list,watch',
      ]);
      const role = byKind(objs, 'Role')[0]!;
      expect(role.metadata.namespace).toBe('nmaas-system');
      expect(role.rules).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          resourceNames: ['nmaas-scheduler'],
          verbs: ['get', 'update'],
        },
      ]);
      expect(JSON.stringify(objs)).not.toMatch(/"secrets"|"\*"/);
    });

    it('passes what ct lint checks by default: yamllint with its lintconf, the Chart.yaml schema', async () => {
      const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
      expect(chartSchemaProblems(chart)).toEqual([]);
      const yamllint = tool('yamllint', 'apt-get install yamllint');
      if (yamllint.skip) return;
      const lintconf = path.join(REPO_ROOT, 'charts-gen/fixtures/chart-testing/lintconf.yaml');
      const files = ['Chart.yaml', 'values.yaml', 'ci/default-values.yaml', 'ci/rancher-values.yaml'].map((f) =>
        path.join(chartDir, f),
      );
      const result = await run(yamllint.path(), ['--strict', '-f', 'parsable', '-c', lintconf, ...files]).catch(
        (error: { stdout: string }) => error,
      );
      expect(result.stdout).toBe('');
    });

    it('installs from Rancher: accepts the injected global values, pulls from the system default registry, one replica never blocks a drain', async () => {
      const valuesFile = path.join(chartDir, 'ci', 'rancher-values.yaml');
      const objs = await template('-f', valuesFile, '--set', `image.digest=sha256:${'ab'.repeat(32)}`);
      const pod = byKind(objs, 'Deployment')[0]!.spec.template.spec;
      expect(RANCHER_CI_EXTRAS.replicas).toBe(1);
      expect(pod.containers[0].image).toMatch(
        new RegExp(`^registry\\.rancher\\.example:5000/nmaas/scheduler:[^@/]+@sha256:${'ab'.repeat(32)}$`),
      );
      expect(pod.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
      expect(pod.priorityClassName).toBe('system-cluster-critical');
      const pdb = byKind(objs, 'PodDisruptionBudget')[0]!;
      expect(pdb.spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'nmaas-scheduler' } },
      });
      // Fleet sets only global.systemDefaultRegistry; image.registry, when set, wins over both.
      const fleet = await template(
        '--set',
        'global.systemDefaultRegistry=mirror.local',
        '--set',
        'global.cattle.clusterName=edge',
      );
      expect(byKind(fleet, 'Deployment')[0]!.spec.template.spec.containers[0].image).toMatch(
        /^mirror\.local\/nmaas\/scheduler:/,
      );
      const own = await template('-f', valuesFile, '--set', 'image.registry=own.example:443');
      expect(byKind(own, 'Deployment')[0]!.spec.template.spec.containers[0].image).toMatch(
        /^own\.example:443\/nmaas\/scheduler:/,
      );
      for (const o of objs)
        expect(o.metadata.labels?.['app.kubernetes.io/instance'] ?? 'nmaas-scheduler').toBe('nmaas-scheduler');
    });

    it('scopes both webhooks: measurement pods only, not kube-system nor its own namespace, 5 s, Fail', async () => {
      const objs = await template();
      const mutating = byKind(objs, 'MutatingWebhookConfiguration')[0]!.webhooks[0];
      const validating = byKind(objs, 'ValidatingWebhookConfiguration')[0]!.webhooks[0];
      for (const w of [mutating, validating]) {
        expect(w.objectSelector).toEqual({ matchExpressions: [{ key: 'nmaas.io/app', operator: 'Exists' }] });
        expect(w.namespaceSelector.matchExpressions[0]).toEqual({
          key: 'kubernetes.io/metadata.name',
          operator: 'NotIn',
          values: ['kube-system', 'nmaas-system'],
        });
        expect(w.timeoutSeconds).toBe(5);
        expect(w.failurePolicy).toBe('Fail');
        expect(w.admissionReviewVersions).toEqual(['v1']);
        expect(w.clientConfig.service).toMatchObject({ name: 'nmaas-scheduler', namespace: 'nmaas-system', port: 443 });
      }
      expect(mutating.sideEffects).toBe('NoneOnDryRun');
      expect(mutating.reinvocationPolicy).toBe('IfNeeded');
      expect(mutating.clientConfig.service.path).toBe('/mutate');
      expect(validating.clientConfig.service.path).toBe('/validate');
      const ignore = await template('--set', 'failurePolicy=Ignore', '--set', 'timeoutSeconds=3');
      expect(byKind(ignore, 'MutatingWebhookConfiguration')[0]!.webhooks[0].failurePolicy).toBe('Ignore');
      expect(byKind(ignore, 'MutatingWebhookConfiguration')[0]!.webhooks[0].timeoutSeconds).toBe(3);
      // The replicas keep their answers inside the same timeout (their search for moves stops before it).
      const args = (objs: Obj[]) => byKind(objs, 'Deployment')[0]!.spec.template.spec.containers[0].args as string[];
      const timeoutArg = (objs: Obj[]) => args(objs)[args(objs).indexOf('--timeout-seconds') + 1];
      expect(timeoutArg(ignore)).toBe('3');
      expect(timeoutArg(objs)).toBe('5');
      await expect(template('--set', 'timeoutSeconds=31')).rejects.toThrow(/timeoutSeconds/);
    });

    it('without cert-manager generates a CA and a serving certificate; the webhooks trust that CA', async () => {
      const objs = await template();
      const secret = byKind(objs, 'Secret').find((s) => s.metadata.name === 'nmaas-scheduler-tls')!;
      expect(secret.type).toBe('kubernetes.io/tls');
      const ca = Buffer.from(secret.data['ca.crt'], 'base64').toString();
      expect(ca).toMatch(/BEGIN CERTIFICATE/);
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
        expect(Buffer.from(byKind(objs, kind)[0]!.webhooks[0].clientConfig.caBundle, 'base64').toString()).toBe(ca);
      }
      const openssl = tool('openssl', 'apt-get install openssl');
      if (!openssl.skip) {
        const dir = await temp.make();
        const { writeFile } = await import('node:fs/promises');
        await writeFile(path.join(dir, 'ca.crt'), ca);
        await writeFile(path.join(dir, 'tls.crt'), Buffer.from(secret.data['tls.crt'], 'base64'));
        const { stdout } = await run(openssl.path(), [
          'verify',
          '-CAfile',
          path.join(dir, 'ca.crt'),
          path.join(dir, 'tls.crt'),
        ]);
        expect(stdout).toMatch(/OK/);
        const text = await run(openssl.path(), [
          'x509',
          '-in',
          path.join(dir, 'tls.crt'),
          '-noout',
          '-ext',
          'subjectAltName',
        ]);
        expect(text.stdout).toContain('DNS:nmaas-scheduler.nmaas-system.svc');
      }
    });

    it('with cert-manager installed uses an Issuer and a Certificate, and lets cert-manager inject the CA', async () => {
      const objs = await template('--api-versions', 'cert-manager.io/v1');
      expect(byKind(objs, 'Secret')).toHaveLength(0);
      const cert = byKind(objs, 'Certificate')[0]!;
      expect(cert.spec.secretName).toBe('nmaas-scheduler-tls');
      expect(cert.spec.dnsNames).toContain('nmaas-scheduler.nmaas-system.svc');
      expect(byKind(objs, 'Issuer')[0]!.spec.selfSigned).toEqual({});
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
        const o = byKind(objs, kind)[0]!;
        expect(o.metadata.annotations!['cert-manager.io/inject-ca-from']).toBe('nmaas-system/nmaas-scheduler-tls');
        expect(o.webhooks[0].clientConfig.caBundle).toBeUndefined();
      }
    });
  });
}

describe('scheduler chart against the catalogue validator', () => {
  it("passes `nmaas validate` with the reviewers' policy of fixtures/webhook (exemptions an admission webhook needs)", async () => {
    await run('npx', ['tsc', '-b', 'cli'], { cwd: REPO_ROOT, timeout: 600_000 });
    const { chartDir } = await writeSchedulerChart(await temp.make());
    const policy = path.join(REPO_ROOT, 'catalogue-policy.yaml');
    const { stdout } = await run(
      process.execPath,
      [path.join(REPO_ROOT, 'cli/dist/main.js'), 'validate', chartDir, '--policy', policy, '--format', 'json'],
      { timeout: 300_000, maxBuffer: 16 << 20 },
    );
    const report = JSON.parse(stdout) as {
      findings: { ruleId: string; severity: string; message: string }[];
      exempted: unknown[];
    };
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.exempted.length).toBeGreaterThan(0);
  }, 600_000);
});

describe('how Rancher lists the scheduler chart', () => {
  it('a cluster tool for Linux, under Infrastructure, maintained by the NMaaS project', async () => {
    const { chartDir } = await writeSchedulerChart(await temp.make());
    const chart = parse(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as {
      keywords: string[];
      maintainers: unknown[];
      annotations: Record<string, string>;
    };
    expect(rancherCategories(chart.keywords)).toEqual(['Infrastructure']);
    expect(chart.maintainers).toEqual([{ name: 'NMaaS project', url: 'https://github.com/nmaas/nmaas/issues' }]);
    expect(chart.annotations).toMatchObject({
      'catalog.cattle.io/type': 'cluster-tool',
      'catalog.cattle.io/permits-os': 'linux',
    });
  });
});
