/**
 * The answers that shape a new project, their defaults (read from the template's own
 * nmaas.yaml, so a template is the single place its defaults live) and their validation, which
 * is the SDK's: the answers are written into the manifest and the manifest is checked with
 * `validateManifest`, so the scaffolder can never accept what `nmaas manifest check` refuses.
 */
import { isScalar, parseDocument } from 'yaml';
import { appNameSchema, appManifestShape, formatDuration, parseDuration, validateManifest } from '@nmaas/sdk/model';
import type { Template, TemplateName } from './templates.js';
import { nameForms, replaceNames } from './names.js';

export const CATEGORIES = appManifestShape.shape.category.options;
export type Category = (typeof CATEGORIES)[number];

/** Every answer except the template, which picks the defaults of the others. */
export interface ManifestAnswers {
  name: string;
  category: string;
  every: string;
  duration: string;
  cpu: string;
  memory: string;
  bandwidth: string;
}
export type AnswerKey = keyof ManifestAnswers;

export interface Answers extends ManifestAnswers {
  template: TemplateName;
}

/** The answers a template gives when nobody answers (its name aside). */
export function templateDefaults(template: Template): Omit<ManifestAnswers, 'name'> {
  const m = parseDocument(template.manifestText).toJS() as {
    category: string;
    schedule: { every: string; duration: string };
    resources: { run: { cpu: string; memory: string; bandwidth: string } };
  };
  return {
    category: m.category,
    every: m.schedule.every,
    duration: m.schedule.duration,
    cpu: String(m.resources.run.cpu),
    memory: m.resources.run.memory,
    bandwidth: m.resources.run.bandwidth,
  };
}

/**
 * The default run duration for a period: the template's, unless it is longer than the period,
 * then half the period (a run must end before the next one starts).
 */
export function defaultDuration(templateDuration: string, every: string): string {
  const period = parseDuration(every);
  const duration = parseDuration(templateDuration);
  if (period === null || duration === null || duration <= period) return templateDuration;
  return formatDuration(Math.max(1, Math.floor(period / 2)));
}

/**
 * The template's nmaas.yaml with the new name and the answers in place. Only the answered
 * values change, in the text itself, so the template's comments and layout stay as written.
 */
export function renderManifest(template: Template, answers: ManifestAnswers): string {
  const text = replaceNames(
    template.manifestText,
    nameForms(template.appName, template.displayName),
    nameForms(answers.name),
  );
  const doc = parseDocument(text);
  const fields: [string[], string][] = [
    [['category'], answers.category],
    [['schedule', 'every'], answers.every],
    [['schedule', 'duration'], answers.duration],
    [['resources', 'run', 'cpu'], answers.cpu],
    [['resources', 'run', 'memory'], answers.memory],
    [['resources', 'run', 'bandwidth'], answers.bandwidth],
  ];
  const edits: { start: number; end: number; value: string }[] = [];
  for (const [fieldPath, value] of fields) {
    const node = doc.getIn(fieldPath, true);
    if (!isScalar(node) || !node.range)
      throw new Error(`template ${template.name} is broken: nmaas.yaml has no ${fieldPath.join('.')} value`);
    // Answers are checked after rendering; quoting keeps an odd answer from breaking the YAML.
    edits.push({
      start: node.range[0],
      end: node.range[1],
      value: /^[A-Za-z0-9.]+$/.test(value) ? value : JSON.stringify(value),
    });
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.value + out.slice(edit.end);
  return out;
}

/** The answer a manifest field comes from; a field derived from the name is the name's fault. */
function answerOf(fieldPath: string): AnswerKey {
  if (fieldPath === 'category') return 'category';
  if (fieldPath === 'schedule.every') return 'every';
  if (fieldPath === 'schedule.duration' || fieldPath === 'schedule.startWithin') return 'duration';
  const resource = /^resources\.(run|idle)\.(cpu|memory|bandwidth)$/.exec(fieldPath);
  if (resource) return resource[2] as AnswerKey;
  return 'name';
}

/**
 * What is wrong with the answers, by answer, each message saying the rule that was broken.
 * Empty when the project would pass `nmaas manifest check`.
 */
export function answerIssues(template: Template, answers: ManifestAnswers): Partial<Record<AnswerKey, string>> {
  const issues: Partial<Record<AnswerKey, string>> = {};
  const add = (key: AnswerKey, message: string) => {
    issues[key] = issues[key] === undefined ? message : `${issues[key]}; ${message}`;
  };
  // The name rule alone first: a bad name also breaks every field derived from it, so the other
  // answers are then checked with the template's own name to still report all their problems.
  const name = appNameSchema.safeParse(answers.name);
  if (!name.success)
    for (const issue of name.error.issues) add('name', `${JSON.stringify(answers.name)}: ${issue.message}`);
  const checked = name.success ? answers : { ...answers, name: template.appName };
  const result = validateManifest(parseDocument(renderManifest(template, checked)).toJS());
  if (result.ok) return issues;
  // Fields the name flows into (image repository, metric and alert names) are grouped by rule.
  const derived = new Map<string, string[]>();
  for (const issue of result.issues) {
    const key = answerOf(issue.path);
    if (key !== 'name') add(key, issue.message);
    else if (issue.path === 'name') add('name', issue.message);
    else derived.set(issue.message, [...(derived.get(issue.message) ?? []), issue.path]);
  }
  for (const [message, paths] of derived)
    add('name', `${answers.name} makes nmaas.yaml ${paths.join(', ')} invalid: ${message}`);
  return issues;
}
