/**
 * What `catalogue build` accepts: chart folders (Chart.yaml), app folders (nmaas.yaml, turned
 * into a chart by charts-gen) and packaged charts (.tgz). App folders and charts are checked by
 * the validator before they enter the catalogue.
 */
import { UsageError } from '@nmaas/sdk/kit';
import { statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export type InputKind = 'chart' | 'app' | 'archive';


export async function classifyInput(input: string): Promise<InputKind> {
  const abs = path.resolve(input);
  const info = statSync(abs, { throwIfNoEntry: false }) ?? null;
  if (info === null) throw new UsageError(`${abs} does not exist; give an app folder (nmaas.yaml), a chart folder (Chart.yaml) or a chart .tgz`);
  if (info.isFile() && abs.endsWith('.tgz')) return 'archive';
  if (info.isDirectory()) {
    const has = (f: string) => statSync(path.join(abs, f), { throwIfNoEntry: false })?.isFile() === true;
    if (has('Chart.yaml')) return 'chart';
    if (has('nmaas.yaml')) return 'app';
  }
  throw new UsageError(`${abs} is neither an app folder (nmaas.yaml), a chart folder (Chart.yaml) nor a chart .tgz`);
}

/** Turns an app folder into a chart folder under `workDir` (charts-gen's synthesizeChart). */
export async function synthesize(appDir: string, workDir: string): Promise<string> {
  const out = await mkdtemp(path.join(workDir, 'synth-'));
  // charts-gen (cdk8s) and the validator are loaded on first use: builds of ready-made charts
  // with --no-validate never pay for them.
  const { synthesizeChart } = await import('@nmaas/charts-gen');
  return (await synthesizeChart(path.resolve(appDir), out)).chartDir;
}

export async function makeWorkDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'nmaas-catalogue-build-'));
}

export interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  object?: string;
  file?: string;
}

/** The validator's findings for `target` (an app folder, chart folder or .tgz), under the reviewers' policy file if given. */
export async function validateTarget(target: string, policy?: string): Promise<Finding[]> {
  const { validate } = await import('@nmaas/validator');
  const report = await validate(target, policy === undefined ? {} : { policy });
  return report.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    ...(f.object !== undefined ? { object: f.object } : {}),
    ...(f.file !== undefined ? { file: f.file } : {}),
  }));
}

export function formatFinding(f: Finding): string {
  return `${f.severity} ${f.ruleId}${f.file ? ` ${f.file}` : ''}${f.object ? ` (${f.object})` : ''}: ${f.message}`;
}
