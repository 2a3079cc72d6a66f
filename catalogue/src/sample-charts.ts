/**
 * Writes `count` small, distinct, valid charts (shaped like charts-gen output: Chart.yaml,
 * values.yaml, values.schema.json, helpers, a CronJob, NOTES, nmaas.yaml) for the concurrency
 * tests and the build benchmark. Each chart differs in name and content so every package is new.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeSampleCharts(
  dir: string,
  count: number,
  options: { prefix?: string; version?: string } = {},
): Promise<string[]> {
  const prefix = options.prefix ?? 'sample';
  const version = options.version ?? '1.0.0';
  const dirs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${String(i).padStart(3, '0')}`;
    const chart = path.join(dir, name);
    await mkdir(path.join(chart, 'templates'), { recursive: true });
    const files: Record<string, string> = {
      'Chart.yaml': `apiVersion: v2\nname: ${name}\ndescription: Sample measurement ${i} (generated for tests and benchmarks).\ntype: application\nversion: ${version}\nappVersion: "${version}"\nkubeVersion: ">= 1.25.0-0"\nkeywords: [sample, m${i % 7}]\nannotations:\n  catalog.cattle.io/display-name: "Sample ${i}"\n  nmaas.io/category: ${['qos', 'security', 'cartography', 'other'][i % 4]}\n`,
      'values.yaml': `image:\n  repository: ghcr.io/nmaas/${name}\n  tag: "${version}"\nschedule:\n  every: ${[1, 2, 5, 10][i % 4]}m\n  duration: 10s\nparameters:\n  targets:\n${Array.from({ length: 5 + (i % 5) }, (_, k) => `    - https://target-${k}.example.org/`).join('\n')}\n`,
      'values.schema.json': JSON.stringify(
        {
          $schema: 'https://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { image: { type: 'object' }, schedule: { type: 'object' }, parameters: { type: 'object' } },
        },
        null,
        2,
      ),
      'templates/_helpers.tpl': `{{- define "${name}.fullname" -}}\n{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}\n{{- end }}\n`,
      'templates/cronjob.yaml': `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {{ include "${name}.fullname" . }}\n  labels:\n    app.kubernetes.io/name: {{ .Chart.Name }}\n    app.kubernetes.io/instance: {{ .Release.Name }}\nspec:\n  schedule: "*/${1 + (i % 9)} * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n            - name: measure\n              image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n              args: {{ toJson .Values.parameters.targets }}\n              resources:\n                limits: { cpu: 250m, memory: 128Mi }\n`,
      'templates/NOTES.txt': `${name} {{ .Chart.Version }} installed as {{ .Release.Name }}.\n`,
      'nmaas.yaml': `apiVersion: nmaas.io/v1\nname: ${name}\nversion: ${version}\ndisplayName: Sample ${i}\ndescription: Sample measurement ${i} (generated for tests and benchmarks).\ncategory: ${['qos', 'security', 'cartography', 'other'][i % 4]}\nmaintainers: [{ name: NMaaS tests }]\nlicense: Apache-2.0\nimage:\n  repository: ghcr.io/nmaas/${name}\n  tag: "${version}"\n  digest: sha256:${createHash('sha256').update(`sample image ${name} ${version}`).digest('hex')}\nschedule: { every: ${[1, 2, 5, 10][i % 4]}m, duration: 10s }\nresources:\n  run: { cpu: 250m, memory: 128Mi }\n  idle: { cpu: 5m, memory: 32Mi }\n`,
    };
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(chart, file), text);
    dirs.push(chart);
  }
  return dirs;
}
