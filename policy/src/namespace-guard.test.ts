/**
 * The app-chart side of the capability namespace: a chart whose nmaas.yaml declares capabilities
 * refuses to install outside the namespace named by the policy chart's parameters. helm's lookup
 * returns nothing without an API server, so the test stands the parameters object in for it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELM_VERSIONS, runHelm, synthesizeChart } from '@nmaas/charts-gen';
import { REPO, tempDir } from '@nmaas/validator/testing';
import { DEFAULT_NAMESPACES } from './chart.js';

let work: string;
let withCaps: string;
let withoutCaps: string;

beforeAll(async () => {
  work = await tempDir('nmaas-policy-guard-');
  withCaps = (await synthesizeChart(path.join(REPO, 'examples', 'ip-spoofing-detection'), work)).chartDir;
  withoutCaps = (await synthesizeChart(path.join(REPO, 'examples', 'web-qos'), work)).chartDir;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Replaces the lookup of the parameters object with the object an installed nmaas-policy chart holds. */
async function standInParameters(chartDir: string): Promise<void> {
  const file = path.join(chartDir, 'templates', 'capability-namespace.yaml');
  const text = await readFile(file, 'utf8');
  const lookup = /lookup "[^"]+" "AdmissionParameters" "" "nmaas"/;
  expect(text).toMatch(lookup);
  await writeFile(file, text.replace(lookup, `dict "spec" (dict "capabilityNamespace" "${DEFAULT_NAMESPACES.capabilities}")`));
}

describe('an app chart that declares capabilities', () => {
  it('has the guard, and an app without capabilities has none', async () => {
    await expect(readFile(path.join(withoutCaps, 'templates', 'capability-namespace.yaml'))).rejects.toThrow(/ENOENT/);
    await expect(readFile(path.join(withCaps, 'templates', 'capability-namespace.yaml'), 'utf8')).resolves.toContain('NET_RAW');
  });

  it.each(HELM_VERSIONS.map((v) => [v] as const))('renders with helm %s when the parameters cannot be read (helm template, review)', async (version) => {
    const { stdout } = await runHelm(['template', 'rel', withCaps, '--namespace', 'anywhere'], { version });
    expect(stdout).toContain('kind: Deployment');
  });

  describe('once the nmaas-policy chart is installed', () => {
    beforeAll(async () => {
      await standInParameters(withCaps);
    });

    it.each(HELM_VERSIONS.map((v) => [v] as const))('with helm %s, installs into the capability namespace and refuses any other', async (version) => {
      await expect(runHelm(['template', 'rel', withCaps, '--namespace', DEFAULT_NAMESPACES.capabilities], { version })).resolves.toBeDefined();
      await expect(runHelm(['template', 'rel', withCaps, '--namespace', 'nmaas-apps'], { version })).rejects.toThrow(
        /ip-spoofing-detection declares capabilities \(NET_RAW\) .* namespace nmaas-apps; install it into nmaas-capabilities/,
      );
    });
  });
});
