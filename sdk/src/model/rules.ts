/**
 * Cross-field rules of the app model: what one field alone cannot say (a duration longer than
 * its period, an idle footprint above the run footprint, a default outside its own bounds…).
 * Each rule reports at the path of the field to change, with the fix in the message.
 */
import type { z } from 'zod';
import {
  appManifestShape,
  DEFAULT_HORIZON_SECONDS,
  type AppManifest,
  type Parameter,
  type MetricDeclaration,
} from './schema.js';
import { periodProblem } from './period.js';
import { parseBandwidth, parseCpu, parseDuration, parseMemory } from './quantities.js';

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

export interface ModelRuleOptions {
  /** Scheduling horizon in seconds (a period divides it or is whole minutes up to a day; see period.ts). */
  horizonSeconds?: number;
}

/**
 * Runs every cross-field rule on the sections of `data` that are well-formed on their own, so one
 * bad field elsewhere does not hide these problems from the developer.
 */
export function manifestRuleIssues(data: unknown, options: ModelRuleOptions = {}): { path: Path; message: string }[] {
  const issues: { path: Path; message: string }[] = [];
  const report: Report = (path, message) => issues.push({ path, message });
  const raw = (data !== null && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const section = <K extends keyof typeof appManifestShape.shape>(key: K) => {
    const parsed = appManifestShape.shape[key].safeParse(raw[key]);
    return parsed.success ? (parsed.data as z.output<(typeof appManifestShape.shape)[K]>) : undefined;
  };
  const name = typeof raw.name === 'string' ? raw.name : '';
  const schedule = section('schedule');
  if (schedule) checkSchedule(schedule, report, options.horizonSeconds ?? DEFAULT_HORIZON_SECONDS);
  const resources = section('resources');
  if (resources) checkResources(resources, report);
  const placement = section('placement');
  if (placement) checkPlacement(placement, name, report);
  const capabilities = section('capabilities');
  if (capabilities)
    checkUnique(
      capabilities.map((c) => c.name),
      ['capabilities'],
      'capability',
      report,
    );
  const parameters = section('parameters');
  if (parameters) {
    checkUnique(
      parameters.map((p) => p.name),
      ['parameters'],
      'parameter',
      report,
    );
    parameters.forEach((p, i) => checkParameter(p, ['parameters', i], report));
  }
  const metrics = section('metrics');
  if (metrics) {
    checkUnique(
      metrics.map((m) => m.name),
      ['metrics'],
      'metric',
      report,
    );
    const prefix = appMetricPrefix(name);
    metrics.forEach((m, i) => checkMetric(m, ['metrics', i], prefix, report));
  }
  const alerts = section('alerts');
  if (alerts)
    checkUnique(
      alerts.map((a) => a.name),
      ['alerts'],
      'alert',
      report,
    );
  return issues;
}

function checkUnique(names: string[], path: Path, what: string, report: Report): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name))
      report([...path, i, 'name'], `${what} ${name} is declared twice; give each ${what} a distinct name`);
    seen.add(name);
  });
}

function checkSchedule(schedule: AppManifest['schedule'], report: Report, horizon: number): void {
  const every = parseDuration(schedule.every);
  const duration = parseDuration(schedule.duration);
  if (every !== null) {
    const problem = periodProblem(every, horizon);
    if (problem !== null) report(['schedule', 'every'], `${schedule.every} ${problem}`);
  }
  if (duration !== null) {
    if (!Number.isInteger(duration) || duration < 1) {
      report(
        ['schedule', 'duration'],
        `${schedule.duration} is not a whole number of seconds (at least 1s); the scheduler works in 1-second slots`,
      );
    } else if (every !== null && duration > every) {
      report(
        ['schedule', 'duration'],
        `${schedule.duration} is longer than schedule.every (${schedule.every}); a run must end before the next one starts`,
      );
    }
  }
  if (schedule.startWithin !== undefined) {
    const startWithin = parseDuration(schedule.startWithin);
    if (startWithin !== null) {
      if (!Number.isInteger(startWithin)) {
        report(['schedule', 'startWithin'], `${schedule.startWithin} is not a whole number of seconds`);
      } else if (every !== null && startWithin > every) {
        report(
          ['schedule', 'startWithin'],
          `${schedule.startWithin} is longer than schedule.every (${schedule.every}); startWithin equal to every already allows any start time`,
        );
      }
    }
  }
}

function checkResources(resources: AppManifest['resources'], report: Report): void {
  const { run, idle } = resources;
  const runCpu = parseCpu(run.cpu);
  const idleCpu = parseCpu(idle.cpu);
  const runMemory = parseMemory(run.memory);
  const idleMemory = parseMemory(idle.memory);
  if (runCpu === 0) report(['resources', 'run', 'cpu'], 'run cpu is 0; declare what one run really uses, e.g. 100m');
  if (runMemory === 0)
    report(['resources', 'run', 'memory'], 'run memory is 0; declare what one run really uses, e.g. 64Mi');
  if (runCpu !== null && idleCpu !== null && idleCpu > runCpu) {
    report(
      ['resources', 'idle', 'cpu'],
      `idle cpu (${idle.cpu}) is more than run cpu (${run.cpu}); idle is what the app holds between runs and cannot exceed a run`,
    );
  }
  if (runMemory !== null && idleMemory !== null && idleMemory > runMemory) {
    report(
      ['resources', 'idle', 'memory'],
      `idle memory (${idle.memory}) is more than run memory (${run.memory}); idle is what the app holds between runs and cannot exceed a run`,
    );
  }
  if (parseBandwidth(run.bandwidth) === null)
    report(['resources', 'run', 'bandwidth'], `${run.bandwidth} is not a bandwidth such as 20Mbps`);
}

function checkPlacement(placement: AppManifest['placement'], name: string, report: Report): void {
  placement.affinity.forEach((app, i) => {
    if (app === name)
      report(
        ['placement', 'affinity', i],
        `${app} is this app itself; affinity lists other apps that must already run on the node`,
      );
    if (placement.antiAffinity.includes(app)) {
      report(['placement', 'affinity', i], `${app} is in both affinity and antiAffinity; keep it in one of them`);
    }
  });
  placement.antiAffinity.forEach((app, i) => {
    if (app === name)
      report(
        ['placement', 'antiAffinity', i],
        `${app} is this app itself; to keep replicas on distinct nodes set placement.spread: true`,
      );
  });
  checkUnique(placement.affinity, ['placement', 'affinity'], 'affinity entry', (path, m) =>
    report(path.slice(0, -1), m),
  );
  checkUnique(placement.antiAffinity, ['placement', 'antiAffinity'], 'antiAffinity entry', (path, m) =>
    report(path.slice(0, -1), m),
  );
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;

/** Whether `value` is a valid value of a parameter's type (bounds and options aside). */
export function parameterTypeError(type: Parameter['type'], value: unknown): string | null {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? null : 'must be a string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? null : 'must be a whole number';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'must be a number';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'enum':
      return typeof value === 'string' ? null : 'must be one of the options';
    case 'url':
      if (typeof value !== 'string') return 'must be a URL such as https://example.org/';
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must be an http:// or https:// URL';
      } catch {
        return 'must be a URL such as https://example.org/';
      }
    case 'hostname':
      return typeof value === 'string' && HOSTNAME.test(value) ? null : 'must be a host name such as example.org';
    case 'duration':
      return typeof value === 'string' && parseDuration(value) !== null ? null : 'must be a duration such as 10s';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? null : 'must be a list of strings';
  }
}

/** The numeric measure that min/max bound: the value, its seconds, or the list's length. */
export function parameterMeasure(type: Parameter['type'], value: unknown): number | null {
  if (type === 'int' || type === 'number') return typeof value === 'number' ? value : null;
  if (type === 'duration') return typeof value === 'string' ? parseDuration(value) : null;
  if (type === 'string[]') return Array.isArray(value) ? value.length : null;
  return null;
}

const BOUNDED_TYPES = new Set(['int', 'number', 'duration', 'string[]']);

function checkParameter(param: Parameter, path: Path, report: Report): void {
  if (param.type === 'enum' && (!param.options || param.options.length === 0)) {
    report(
      [...path, 'options'],
      `parameter ${param.name} is an enum without options; list the values users may choose`,
    );
  }
  if (param.type !== 'enum' && param.options !== undefined) {
    report(
      [...path, 'options'],
      `options only apply to enum parameters; make ${param.name} type: enum or remove options`,
    );
  }
  if ((param.min !== undefined || param.max !== undefined) && !BOUNDED_TYPES.has(param.type)) {
    report(
      [...path, 'min'],
      `min/max do not apply to ${param.type} parameters; they bound int, number, duration (seconds) and string[] (item count)`,
    );
  }
  if (param.min !== undefined && param.max !== undefined && param.min > param.max) {
    report([...path, 'max'], `max (${param.max}) is below min (${param.min})`);
  }
  let regex: RegExp | null = null;
  if (param.pattern !== undefined) {
    if (param.type !== 'string' && param.type !== 'string[]' && param.type !== 'hostname') {
      report([...path, 'pattern'], 'pattern only applies to string, string[] and hostname parameters');
    }
    try {
      regex = new RegExp(param.pattern);
    } catch (error) {
      report([...path, 'pattern'], `pattern is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (param.default === undefined) return;
  const typeError = parameterTypeError(param.type, param.default);
  if (typeError !== null) {
    report(
      [...path, 'default'],
      `default ${JSON.stringify(param.default)} of ${param.name} ${typeError} (type ${param.type})`,
    );
    return;
  }
  if (param.type === 'enum' && param.options && !param.options.includes(param.default as string)) {
    report(
      [...path, 'default'],
      `default ${JSON.stringify(param.default)} is not one of the options (${param.options.join(', ')})`,
    );
  }
  const measure = parameterMeasure(param.type, param.default);
  if (measure !== null && param.min !== undefined && measure < param.min) {
    report([...path, 'default'], `default ${JSON.stringify(param.default)} is below min (${param.min})`);
  }
  if (measure !== null && param.max !== undefined && measure > param.max) {
    report([...path, 'default'], `default ${JSON.stringify(param.default)} is above max (${param.max})`);
  }
  if (regex !== null) {
    const values = Array.isArray(param.default) ? param.default : [param.default];
    for (const v of values) {
      if (typeof v === 'string' && !regex.test(v))
        report([...path, 'default'], `default ${JSON.stringify(v)} does not match pattern ${param.pattern}`);
    }
  }
}

/** Unit abbreviations promtool rejects (client_golang promlint LintUnitAbbreviations). */
const UNIT_ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
/** Non-base units and the base unit to use instead (promlint LintMetricUnits). */
const NON_BASE_UNITS: Record<string, string> = {
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  milliseconds: 'seconds',
  microseconds: 'seconds',
  nanoseconds: 'seconds',
  bits: 'bytes',
  kilobytes: 'bytes',
  megabytes: 'bytes',
  gigabytes: 'bytes',
  kibibytes: 'bytes',
  mebibytes: 'bytes',
  percent: 'ratio',
  fahrenheit: 'celsius',
};
/** The SDK's own metric prefix: apps must not collide with it. */
export const SDK_METRIC_PREFIX = 'nmaas_';

/**
 * The metric prefix an app's own name gives (`probe-ms` → `probe_ms_`). The words of the app's
 * name are the developer's choice, not units, so the unit checks look only at what follows it:
 * `probe_ms_requests_total` is fine for the app `probe-ms`, `probe_duration_ms` never is.
 */
export function appMetricPrefix(appName: string): string {
  return appName === '' ? '' : `${appName.replaceAll('-', '_')}_`;
}

function checkMetric(metric: MetricDeclaration, path: Path, appPrefix: string, report: Report): void {
  const { name, type } = metric;
  const own = appPrefix !== '' && name.startsWith(appPrefix) ? name.slice(appPrefix.length) : name;
  const words = own.split('_');
  if (name.startsWith(SDK_METRIC_PREFIX)) {
    report(
      [...path, 'name'],
      `${name} uses the prefix ${SDK_METRIC_PREFIX} that the SDK reserves for its own metrics; prefix it with your app's name`,
    );
  }
  if (/[A-Z]/.test(name))
    report([...path, 'name'], `${name} is not snake_case; Prometheus names are lower case with _`);
  if (type === 'counter' && !name.endsWith('_total')) {
    report([...path, 'name'], `counter ${name} must end in _total (e.g. ${name}_total)`);
  }
  if (type !== 'counter' && name.endsWith('_total')) {
    report([...path, 'name'], `${type} ${name} must not end in _total; only counters do`);
  }
  for (const suffix of ['_bucket', '_count', '_sum', '_created', '_info']) {
    if (name.endsWith(suffix))
      report([...path, 'name'], `${name} ends in ${suffix}, which Prometheus reserves for generated series; rename it`);
  }
  for (const word of words) {
    if (UNIT_ABBREVIATIONS.includes(word)) {
      report(
        [...path, 'name'],
        `${name} abbreviates a unit (_${word}); spell the base unit out, e.g. _seconds or _bytes`,
      );
    }
    const base = NON_BASE_UNITS[word];
    if (base !== undefined) report([...path, 'name'], `${name} uses ${word}; use the base unit ${base} instead`);
  }
  if (metric.unit !== undefined) {
    const base = NON_BASE_UNITS[metric.unit];
    if (base !== undefined) report([...path, 'unit'], `unit ${metric.unit} is not a base unit; use ${base}`);
    const stem = type === 'counter' ? name.replace(/_total$/, '') : name;
    if (!stem.endsWith(`_${metric.unit}`)) {
      report(
        [...path, 'name'],
        `${name} must end in _${metric.unit}${type === 'counter' ? '_total' : ''} since its unit is ${metric.unit}`,
      );
    }
  }
  if (metric.buckets !== undefined) {
    if (type !== 'histogram')
      report([...path, 'buckets'], `buckets only apply to histograms; remove them from ${type} ${name}`);
    const sorted = metric.buckets.every((b, i, all) => i === 0 || b > all[i - 1]!);
    if (!sorted || metric.buckets.length === 0)
      report([...path, 'buckets'], 'buckets must be a non-empty list in strictly increasing order');
  }
  const seen = new Set<string>();
  metric.labels.forEach((label, i) => {
    if (seen.has(label)) report([...path, 'labels', i], `label ${label} is listed twice`);
    seen.add(label);
    if (label.startsWith('__'))
      report([...path, 'labels', i], `label ${label} starts with __, which Prometheus reserves`);
    if ((type === 'histogram' && label === 'le') || (type === 'summary' && label === 'quantile')) {
      report([...path, 'labels', i], `label ${label} is reserved in a ${type}`);
    }
  });
}
