/**
 * What `catalogue build` accepts: chart folders (Chart.yaml), app folders (nmaas.yaml, turned
 * into a chart by charts-gen) and packaged charts (.tgz). App folders and charts are checked by
 * the validator before they enter the catalogue.
 */
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as chartsGen from '@nmaas/charts-gen';
import * as validator from '@nmaas/validator';

export type InputKind = 'chart' | 'app' | 'archive';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export async function classifyInput(input: string): Promise<InputKind> {
  const abs = path.resolve(input);
  const info = await stat(abs).catch(() => null);
  if (info === null) throw new InputError(`${abs} does not exist; give an app folder (nmaas.yaml), a chart folder (Chart.yaml) or a chart .tgz`);
  if (info.isFile() && abs.endsWith('.tgz')) return 'archive';
  if (info.isDirectory()) {
    const has = async (f: string) => (await stat(path.join(abs, f)).catch(() => null))?.isFile() === true;
    if (await has('Chart.yaml')) return 'chart';
    if (await has('nmaas.yaml')) return 'app';
  }
  throw new InputError(`${abs} is neither an app folder (nmaas.yaml), a chart folder (Chart.yaml) nor a chart .tgz`);
}

type Synthesize = (appDir: string, outDir: string, options?: unknown) => Promise<{ chartDir: string; name: string; version: string }>;

/** Turns an app folder into a chart folder under a fresh temp dir (charts-gen's synthesizeChart). */
export async function synthesize(appDir: string, workDir?: string): Promise<string> {
  const fn = (chartsGen as Record<string, unknown>).synthesizeChart as Synthesize | undefined;
  if (typeof fn !== 'function') {
    throw new InputError(`${appDir} is an app folder, but this build of @nmaas/charts-gen has no synthesizeChart; run \`nmaas chart ${appDir} -o <dir>\` and pass the chart folder instead`);
  }
  const out = workDir ?? (await mkdtemp(path.join(os.tmpdir(), 'nmaas-synth-')));
  const result = await fn(path.resolve(appDir), out);
  return result.chartDir;
}

export interface Finding {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  object?: string;
  file?: string;
}

type Validate = (target: string, options?: unknown) => Promise<{ findings: Finding[] }>;

/** The validator's findings for `target`, or null when the validator is not part of this build. */
export async function validateTarget(target: string): Promise<Finding[] | null> {
  const fn = (validator as Record<string, unknown>).validate as Validate | undefined;
  if (typeof fn !== 'function') return null;
  const report = await fn(target);
  return report.findings;
}

export function formatFinding(f: Finding): string {
  return `${f.severity} ${f.ruleId}${f.file ? ` ${f.file}` : ''}${f.object ? ` (${f.object})` : ''}: ${f.message}`;
}

export async function readArchiveFile(file: string): Promise<Buffer> {
  return readFile(path.resolve(file));
}
