/**
 * `create-nmaas-app`: resolves the answers (flags, then prompts on a terminal, then the
 * template's defaults), checks them with the SDK's rules and writes the project.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { note, outro } from '@clack/prompts';
import { errorMessage, exitCodeOf } from '@nmaas/sdk/kit';
import { HELP, parseCliArgs, UsageError, type CliArgs } from './args.js';
import { answerIssues, defaultDuration, templateDefaults, type AnswerKey, type Answers } from './answers.js';
import { askAnswers, CancelledError } from './prompts.js';
import { checkTarget, writeProject } from './scaffold.js';
import { loadTemplate, type Template } from './templates.js';

export const DEFAULT_NAME = 'my-probe';
export const DEFAULT_TEMPLATE = 'http-probe';

export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  cwd: string;
}

/** Invalid answers, each with the flag it came from and the rule it broke. */
export class AnswerError extends UsageError {
  override name = 'AnswerError';
  constructor(
    readonly issues: Partial<Record<AnswerKey, string>>,
    args: CliArgs,
  ) {
    const lines = Object.entries(issues).map(([key, message]) => {
      const fromDirectory = key === 'name' && args.given.name === undefined && args.directory !== undefined;
      const hint = fromDirectory
        ? ` (the name comes from the folder ${args.directory}; pass --name to choose another)`
        : '';
      return `  --${key}: ${message}${hint}`;
    });
    super(`the answers do not make a valid app:\n${lines.join('\n')}`);
  }
}

export interface CreatedProject {
  dir: string;
  answers: Answers;
  files: string[];
}

/** Runs the command; returns the exit code (0 written, 1 refused or cancelled, 2 wrong arguments). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const say = (stream: Writable, text: string) => stream.write(`${text}\n`);
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    say(io.stderr, `create-nmaas-app: ${(error as Error).message}`);
    return 2;
  }
  if (args.help) {
    say(io.stdout, HELP);
    return 0;
  }
  if (args.version) {
    say(io.stdout, packageVersion());
    return 0;
  }
  const interactive = !args.yes && io.stdin.isTTY === true && io.stdout.isTTY === true;
  try {
    const project = await create(args, io, interactive);
    const rel = path.relative(io.cwd, project.dir) || '.';
    const steps = [
      ...(rel === '.' ? [] : [`cd ${rel.includes(' ') ? JSON.stringify(rel) : rel}`]),
      'npm install',
      'npm test',
      'npm run dev',
    ];
    const created = `Created ${project.answers.name} (${project.answers.template}) in ${project.dir}`;
    if (interactive) {
      note(steps.join('\n'), 'Next steps', { output: io.stdout });
      outro(created, { output: io.stdout });
    } else {
      say(
        io.stdout,
        `${created}. Next:\n${steps.map((s) => `  ${s}`).join('\n')}\n\nFiles: ${project.files.join(', ')}`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof CancelledError) return 1;
    // The kit's convention: a refused target is an input error (1), bad answers a usage error (2).
    say(io.stderr, `create-nmaas-app: ${errorMessage(error)}`);
    return exitCodeOf(error);
  }
}

/** Resolves the answers, checks them and writes the project. */
export async function create(args: CliArgs, io: CliIo, interactive: boolean): Promise<CreatedProject> {
  const dirFor = (name: string) => path.resolve(io.cwd, args.directory ?? name);
  const suggestedName =
    args.directory !== undefined ? path.basename(path.resolve(io.cwd, args.directory)) : DEFAULT_NAME;
  // A folder known up front is checked before any question, so nobody answers for nothing.
  if (args.directory !== undefined) await checkTarget(dirFor(suggestedName), args.force);

  let answers: Answers;
  let template: Template;
  if (interactive) {
    ({ answers, template } = await askAnswers({
      given: args.given,
      template: args.template,
      suggestedName,
      io: { input: io.stdin, output: io.stdout },
      onName: (name) => checkTarget(dirFor(name), args.force),
    }));
  } else {
    template = await loadTemplate(args.template ?? DEFAULT_TEMPLATE);
    const defaults = templateDefaults(template);
    const every = args.given.every ?? defaults.every;
    answers = {
      ...defaults,
      ...args.given,
      name: args.given.name ?? suggestedName,
      every,
      duration: args.given.duration ?? defaultDuration(defaults.duration, every),
      template: template.name,
    };
  }
  const issues = answerIssues(template, answers);
  if (Object.keys(issues).length > 0) throw new AnswerError(issues, args);

  const dir = dirFor(answers.name);
  const files = await writeProject({ targetDir: dir, template, answers, force: args.force });
  return { dir, answers, files };
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
