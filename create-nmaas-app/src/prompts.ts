/**
 * The interactive path: on a terminal, every answer not given as a flag is asked with
 * @clack/prompts, each checked as it is typed with the same rules as the flags.
 */
import type { Readable, Writable } from 'node:stream';
import { cancel, intro, isCancel, select, text } from '@clack/prompts';
import {
  answerIssues,
  CATEGORIES,
  defaultDuration,
  templateDefaults,
  type AnswerKey,
  type Answers,
  type ManifestAnswers,
} from './answers.js';
import { loadTemplate, TEMPLATE_HINTS, TEMPLATE_NAMES, type Template, type TemplateName } from './templates.js';

export interface PromptIo {
  input: Readable;
  output: Writable;
}

/** Thrown when the developer cancels a prompt (Ctrl-C / Esc); nothing has been written. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled; nothing was written');
  }
}

const CATEGORY_HINTS: Record<string, string> = {
  qos: 'quality of service: latency, throughput, availability',
  security: 'e.g. spoofing or filtering detection',
  cartography: 'maps of paths, servers or networks',
  other: 'anything else',
};

export interface AskOptions {
  /** The answers given as flags: those questions are skipped. */
  given: Partial<ManifestAnswers>;
  template?: TemplateName;
  /** The name proposed when none is given (from the directory argument, or a default). */
  suggestedName: string;
  /** Called with the chosen name before the other questions, so a bad target stops early. */
  onName?: (name: string) => Promise<void>;
  io: PromptIo;
}

export async function askAnswers({
  given,
  template: givenTemplate,
  suggestedName,
  onName,
  io,
}: AskOptions): Promise<{ answers: Answers; template: Template }> {
  const common = { input: io.input, output: io.output };
  const answered = <T>(value: T): Exclude<T, symbol> => {
    if (isCancel(value)) {
      cancel('Cancelled; nothing was written.', common);
      throw new CancelledError();
    }
    return value as Exclude<T, symbol>;
  };
  intro('create-nmaas-app: a new NMaaS measurement app', common);

  // The name rule does not depend on the template, so the first template serves to check it.
  const nameCheck = await loadTemplate(givenTemplate ?? TEMPLATE_NAMES[0]);
  const name =
    given.name ??
    (answered(
      await text({
        ...common,
        message: 'App name (lower-case letters, digits and -)',
        placeholder: suggestedName,
        defaultValue: suggestedName,
        validate: (value) => nameError(nameCheck, value || suggestedName),
      }),
    ) ||
      suggestedName);
  await onName?.(name);

  const templateName =
    givenTemplate ??
    answered(
      await select<TemplateName>({
        ...common,
        message: 'Template',
        options: TEMPLATE_NAMES.map((t) => ({ value: t, label: t, hint: TEMPLATE_HINTS[t] })),
        initialValue: TEMPLATE_NAMES[0],
      }),
    );
  const template = await loadTemplate(templateName);
  const defaults = templateDefaults(template);
  const answers: Answers = { ...defaults, ...given, name, template: templateName };

  if (given.category === undefined) {
    answers.category = answered(
      await select<string>({
        ...common,
        message: 'Category',
        options: CATEGORIES.map((c) => ({ value: c, label: c, hint: CATEGORY_HINTS[c] })),
        initialValue: defaults.category,
      }),
    );
  }

  // Free-text answers: Enter keeps the default shown as the placeholder.
  const ask = async (key: AnswerKey, message: string, fallback: string): Promise<void> => {
    if (given[key] !== undefined) return;
    const value = answered(
      await text({
        ...common,
        message,
        placeholder: fallback,
        defaultValue: fallback,
        validate: (typed) => answerIssues(template, { ...answers, [key]: typed || fallback })[key],
      }),
    );
    answers[key] = value || fallback;
  };
  await ask('every', 'How often does a run start? (a period dividing 1h: 1m, 5m, 10m, 15m, 30m, 1h)', defaults.every);
  await ask(
    'duration',
    `How long may one run take at most? (at most ${answers.every})`,
    defaultDuration(defaults.duration, answers.every),
  );
  await ask('cpu', 'CPU one run uses (Kubernetes quantity, e.g. 100m = 0.1 core)', defaults.cpu);
  await ask('memory', 'Memory one run uses (e.g. 96Mi)', defaults.memory);
  await ask('bandwidth', 'Network bandwidth one run uses (e.g. 5Mbps)', defaults.bandwidth);
  return { answers, template };
}

function nameError(template: Template, name: string): string | undefined {
  const defaults = templateDefaults(template);
  return answerIssues(template, { ...defaults, name }).name;
}
