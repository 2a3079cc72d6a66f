/** `nmaas policy chart`: writes the nmaas-policy platform chart. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ManifestError, loadApp, type AppManifest } from '@nmaas/sdk/model';
import { UsageError, action, formatOption } from '@nmaas/sdk/kit';
import { PolicyError, RULES_BY_ID, loadPolicy, parsePolicy, type Policy } from '@nmaas/validator';
import { admissionParameters } from './parameters.js';
import { DEFAULT_NAMESPACES, writePolicyChart } from './chart.js';

/** Apps under each folder: the folder itself when it holds nmaas.yaml, else its direct subfolders that do. */
async function loadApps(dirs: string[]): Promise<AppManifest[]> {
  const out: AppManifest[] = [];
  for (const dir of dirs) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw new UsageError(`--apps ${dir}: cannot read the folder (${(error as Error).message})`);
    }
    const folders = entries.some((e) => e.isFile() && e.name === 'nmaas.yaml')
      ? [dir]
      : entries.filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
    for (const folder of folders) {
      try {
        out.push((await loadApp(folder)).manifest);
      } catch (error) {
        if (error instanceof ManifestError && /no nmaas\.yaml/.test(error.message) && folder !== dir) continue;
        throw new UsageError(`--apps: ${(error as Error).message}`);
      }
    }
  }
  const names = new Set<string>();
  for (const m of out) {
    if (names.has(m.name))
      throw new UsageError(`--apps: two apps are named ${m.name}; app names must be unique in a catalogue`);
    names.add(m.name);
  }
  return out;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function registerPolicyCommands(program: Command): void {
  const g = program
    .command('policy')
    .description('admission policies that enforce at install time what the catalogue review checks');
  g.command('chart')
    .description(
      'write the nmaas-policy platform chart (namespaces with Pod Security labels, ValidatingAdmissionPolicies)',
    )
    .requiredOption('-o, --out <dir>', 'output folder (the chart goes to <dir>/nmaas-policy)')
    .option(
      '--apps <dir...>',
      'app folders (or folders of app folders) the catalogue publishes: their names, images and declared capabilities',
    )
    .option(
      '--policy <file>',
      "the reviewers' policy file (allowed registries, exemptions carried over with their expiry)",
    )
    .option('--namespace <name...>', 'restricted measurement namespaces', DEFAULT_NAMESPACES.restricted)
    .option(
      '--capability-namespace <name>',
      'the namespace for apps that declare capabilities',
      DEFAULT_NAMESPACES.capabilities,
    )
    .addOption(formatOption())
    .action(
      action(
        async (o: {
          out: string;
          apps?: string[];
          policy?: string;
          namespace: string[];
          capabilityNamespace: string;
          format: string;
        }) => {
          for (const n of [...o.namespace, o.capabilityNamespace]) {
            if (!DNS_LABEL.test(n) || n.length > 63)
              throw new UsageError(
                `namespace ${JSON.stringify(n)} is not a DNS label (lower-case letters, digits and '-')`,
              );
          }
          if (o.namespace.includes(o.capabilityNamespace))
            throw new UsageError(`--capability-namespace ${o.capabilityNamespace} is also a restricted --namespace`);
          let policy: Policy = parsePolicy('{}', 'defaults');
          if (o.policy !== undefined) {
            // An unreadable or invalid policy file is unreadable input.
            policy = await loadPolicy(o.policy, new Set(RULES_BY_ID.keys())).catch((error: unknown) => {
              throw error instanceof PolicyError ? new UsageError(error.message) : error;
            });
          }
          const apps = await loadApps(o.apps ?? []);
          const namespaces = {
            restricted: o.namespace,
            capabilities: o.capabilityNamespace,
            pssVersion: DEFAULT_NAMESPACES.pssVersion,
          };
          const {
            measurementNamespaces: _m,
            capabilityNamespace: _c,
            ...parameters
          } = admissionParameters(policy, apps, namespaces);
          const written = await writePolicyChart(o.out, { parameters, namespaces });
          if (o.format === 'json')
            process.stdout.write(
              `${JSON.stringify({ ...written, apps: apps.map((a) => a.name), exemptions: parameters.exemptions.length })}\n`,
            );
          else
            process.stdout.write(
              `wrote ${written.chartDir} (${written.name} ${written.version}): ${apps.length} apps, ${parameters.exemptions.length} exemptions\n`,
            );
        },
      ),
    );
}
