/**
 * Run-time configuration: the user's parameter values and schedule overrides, from the mounted
 * JSON file (`/etc/nmaas/config.json`, or NMAAS_CONFIG), then environment variables, then explicit
 * overrides (`nmaas run --param`). Every value is checked against the nmaas.yaml declaration with
 * the model's own rules; a bad value stops start-up with an error naming the parameter, the source
 * and the expected form, because a measurement with a wrong target measures the wrong thing.
 */
import { readFile } from 'node:fs/promises';
import { parameterMeasure, parameterTypeError } from '../model/rules.js';
import { validateManifest } from '../model/manifest.js';
import { normalizeSchedule, type NormalizedSchedule } from '../model/normalize.js';
import type { AppManifest, Parameter } from '../model/schema.js';

export const DEFAULT_CONFIG_PATH = '/etc/nmaas/config.json';
export const CONFIG_ENV = 'NMAAS_CONFIG';
/** `NMAAS_PARAM_<NAME>` sets a parameter, NAME being the parameter's name in UPPER_SNAKE case. */
export const PARAM_ENV_PREFIX = 'NMAAS_PARAM_';

export interface ConfigProblem {
  /** Where the value came from: the config file, an env var or a --param. */
  source: string;
  /** e.g. `parameters.timeout` or `schedule.every`. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.source}: ${p.key}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ScheduleOverride {
  every?: string;
  duration?: string;
  startWithin?: string;
}

export interface RuntimeConfig {
  parameters: Record<string, unknown>;
  schedule: NormalizedSchedule;
  /** The schedule as text after overrides (for logs). */
  scheduleText: AppManifest['schedule'];
}

export interface ConfigSources {
  /** Parsed config file content, with the file name for messages. */
  file?: { path: string; data: unknown };
  env?: NodeJS.ProcessEnv;
  /** Parameter values given as text, e.g. from `--param name=value`. */
  textParams?: { source: string; values: Record<string, string> };
  /** Parameter values already typed (runMeasurementOnce). */
  params?: { source: string; values: Record<string, unknown> };
}

/** Reads the JSON config file; a missing file is fine unless the path was given explicitly. */
export async function readConfigFile(
  path: string,
  required: boolean,
): Promise<{ path: string; data: unknown } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined;
    throw new ConfigError([
      {
        source: path,
        key: '(file)',
        message: `cannot read the configuration file: ${(error as Error).message}; mount it or unset ${CONFIG_ENV}`,
      },
    ]);
  }
  try {
    return { path, data: JSON.parse(text) as unknown };
  } catch (error) {
    throw new ConfigError([
      {
        source: path,
        key: '(file)',
        message: `is not valid JSON (${(error as Error).message}); expected {"parameters": {...}, "schedule": {...}}`,
      },
    ]);
  }
}

export function envName(param: string): string {
  return PARAM_ENV_PREFIX + param.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** What a parameter's value looks like, for error messages. */
export function expectedForm(p: Parameter): string {
  const bounds =
    p.min !== undefined || p.max !== undefined
      ? ` ${p.type === 'string[]' ? 'with' : 'from'} ${p.min ?? '…'} to ${p.max ?? '…'}${p.type === 'duration' ? ' seconds' : p.type === 'string[]' ? ' items' : ''}`
      : '';
  const pattern = p.pattern !== undefined ? ` matching ${p.pattern}` : '';
  switch (p.type) {
    case 'string':
      return `a string${pattern}`;
    case 'int':
      return `a whole number${bounds}`;
    case 'number':
      return `a number${bounds}`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${(p.options ?? []).join(', ')}`;
    case 'url':
      return 'an http:// or https:// URL';
    case 'hostname':
      return `a host name such as example.org${pattern}`;
    case 'duration':
      return `a duration such as 10s${bounds}`;
    case 'string[]':
      return `a list of strings${bounds}${pattern ? ` each${pattern}` : ''} (JSON array, or comma-separated in env and --param)`;
  }
}

/** Turns a textual value (env var, --param) into the parameter's type; returns the text unchanged when it does not parse. */
export function parseParameterText(p: Parameter, text: string): unknown {
  switch (p.type) {
    case 'int':
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'string[]': {
      if (text.trim().startsWith('[')) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    }
    default:
      return text;
  }
}

/** Why `value` is not acceptable for `p`, or null. Uses the model's type and bound rules. */
export function parameterValueError(p: Parameter, value: unknown): string | null {
  const shown = JSON.stringify(value);
  const typeError = parameterTypeError(p.type, value);
  if (typeError !== null) return `${shown} ${typeError}; expected ${expectedForm(p)}`;
  if (p.type === 'enum' && p.options && !p.options.includes(value as string))
    return `${shown} is not one of ${p.options.join(', ')}`;
  const measure = parameterMeasure(p.type, value);
  if (measure !== null && p.min !== undefined && measure < p.min)
    return `${shown} is below the minimum; expected ${expectedForm(p)}`;
  if (measure !== null && p.max !== undefined && measure > p.max)
    return `${shown} is above the maximum; expected ${expectedForm(p)}`;
  if (p.pattern !== undefined) {
    const regex = new RegExp(p.pattern);
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string' && !regex.test(v))
        return `${JSON.stringify(v)} does not match ${p.pattern}; expected ${expectedForm(p)}`;
    }
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges defaults < file < env < text params < typed params and validates the result. Throws ConfigError. */
export function resolveConfig(manifest: AppManifest, sources: ConfigSources): RuntimeConfig {
  const problems: ConfigProblem[] = [];
  const declared = new Map(manifest.parameters.map((p) => [p.name, p]));
  const values = new Map<string, { value: unknown; source: string }>();
  for (const p of manifest.parameters)
    if (p.default !== undefined) values.set(p.name, { value: p.default, source: 'nmaas.yaml default' });
  const unknown = (source: string, key: string, name: string) =>
    problems.push({
      source,
      key,
      message: `${name} is not a parameter of ${manifest.name}; declared: ${[...declared.keys()].join(', ') || 'none'}`,
    });

  let scheduleOverride: ScheduleOverride = {};
  if (sources.file) {
    const { path, data } = sources.file;
    if (!isObject(data)) {
      problems.push({
        source: path,
        key: '(top level)',
        message: 'must be a JSON object {"parameters": {...}, "schedule": {...}}',
      });
    } else {
      for (const key of Object.keys(data)) {
        if (key !== 'parameters' && key !== 'schedule')
          problems.push({ source: path, key, message: 'unknown key; the file holds only "parameters" and "schedule"' });
      }
      if (data.parameters !== undefined) {
        if (!isObject(data.parameters))
          problems.push({ source: path, key: 'parameters', message: 'must be an object of parameter name to value' });
        else
          for (const [name, value] of Object.entries(data.parameters)) {
            if (!declared.has(name)) unknown(path, `parameters.${name}`, name);
            else values.set(name, { value, source: path });
          }
      }
      if (data.schedule !== undefined) {
        if (!isObject(data.schedule))
          problems.push({
            source: path,
            key: 'schedule',
            message: 'must be an object like {"every": "5m", "duration": "20s", "startWithin": "1m"}',
          });
        else {
          for (const [key, value] of Object.entries(data.schedule)) {
            if (key !== 'every' && key !== 'duration' && key !== 'startWithin')
              problems.push({
                source: path,
                key: `schedule.${key}`,
                message: 'unknown key; use every, duration or startWithin',
              });
            else if (typeof value !== 'string')
              problems.push({
                source: path,
                key: `schedule.${key}`,
                message: `must be a duration string such as "5m"`,
              });
            else scheduleOverride[key] = value;
          }
        }
      }
    }
  }
  const env = sources.env ?? {};
  for (const p of manifest.parameters) {
    const name = envName(p.name);
    const text = env[name];
    if (text !== undefined) values.set(p.name, { value: parseParameterText(p, text), source: `env ${name}` });
  }
  for (const key of Object.keys(env)) {
    if (key.startsWith(PARAM_ENV_PREFIX) && !manifest.parameters.some((p) => envName(p.name) === key)) {
      unknown(`env ${key}`, key, key.slice(PARAM_ENV_PREFIX.length));
    }
  }
  if (sources.textParams) {
    for (const [name, text] of Object.entries(sources.textParams.values)) {
      const p = declared.get(name);
      if (!p) unknown(sources.textParams.source, name, name);
      else values.set(name, { value: parseParameterText(p, text), source: sources.textParams.source });
    }
  }
  if (sources.params) {
    for (const [name, value] of Object.entries(sources.params.values)) {
      if (!declared.has(name)) unknown(sources.params.source, name, name);
      else values.set(name, { value, source: sources.params.source });
    }
  }

  const parameters: Record<string, unknown> = {};
  for (const p of manifest.parameters) {
    const entry = values.get(p.name);
    if (entry === undefined) {
      if (p.required)
        problems.push({
          source: 'configuration',
          key: `parameters.${p.name}`,
          message: `is required and has no default; set it to ${expectedForm(p)}`,
        });
      continue;
    }
    const error = parameterValueError(p, entry.value);
    if (error !== null) problems.push({ source: entry.source, key: `parameters.${p.name}`, message: error });
    else parameters[p.name] = entry.value;
  }

  // The overridden schedule must satisfy the same rules as nmaas.yaml itself (whole seconds, a
  // period the scheduler accepts, duration within the period): check it with the model.
  const scheduleText = { ...manifest.schedule, ...scheduleOverride };
  if (Object.keys(scheduleOverride).length > 0) {
    const checked = validateManifest({ ...manifest, schedule: scheduleText });
    if (!checked.ok) {
      for (const issue of checked.issues.filter((i) => i.path.startsWith('schedule'))) {
        problems.push({ source: sources.file?.path ?? 'configuration', key: issue.path, message: issue.message });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { parameters, schedule: normalizeSchedule(scheduleText), scheduleText };
}
