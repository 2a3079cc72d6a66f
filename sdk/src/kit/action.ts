/**
 * One action wrapper for every command: the command body throws `UsageError` or `InputError` (or
 * returns an exit code) and the wrapper prints `nmaas <command>: <message>` once and sets the exit
 * code, so no package maps errors to codes on its own. `runCli` does the same for commander's own
 * errors (unknown option, missing argument, bad choice), which are usage errors.
 */
// Type-only: the SDK's command modules are loaded where commander is not wanted (app containers).
import type { Command, CommanderError } from 'commander';
import { describeSystemError, exitCodeOf, isSystemError } from './errors.js';

function isCommand(value: unknown): value is Command {
  return (
    typeof value === 'object' && value !== null && typeof (value as Command).name === 'function' && 'parent' in value
  );
}

/** Commander's own errors (help shown, bad option…) carry a `commander.*` code. */
export function isCommanderError(error: unknown): error is CommanderError {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('commander.');
}

/** `nmaas scheduler simulate`: the names from the root program down to `command`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The message a user reads for an error thrown by a command. */
export function errorMessage(error: unknown): string {
  if (isSystemError(error)) return describeSystemError(error);
  return error instanceof Error ? error.message : String(error);
}

/** Prints `error` as `<prefix>: <message>` on stderr and sets the exit code it stands for. */
export function reportError(prefix: string, error: unknown): void {
  process.stderr.write(`${prefix}: ${errorMessage(error)}\n`);
  process.exitCode = exitCodeOf(error);
}

type ActionResult = number | void | undefined;

/**
 * Wraps a commander action. Its arguments are commander's (positional arguments, options, the
 * command); a returned number becomes the exit code.
 */
export function action<A extends unknown[]>(
  body: (...args: A) => ActionResult | Promise<ActionResult>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1];
    const prefix = isCommand(command) ? commandPath(command) : 'nmaas';
    try {
      const code = await body(...args);
      if (typeof code === 'number') process.exitCode = code;
    } catch (error) {
      if (isCommanderError(error)) throw error;
      reportError(prefix, error);
    }
  };
}

/** The deepest command the words of `argv` name (`nmaas scheduler simulate --nodes f` → simulate). */
function invokedCommand(program: Command, argv: readonly string[]): Command {
  let command = program;
  for (const word of argv.slice(2)) {
    if (word.startsWith('-')) continue;
    const next = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (next === undefined) break;
    command = next;
  }
  return command;
}

/**
 * Parses `argv` with `program` and maps every failure to the exit convention: help and --version
 * exit 0; commander's argument errors and anything else thrown exit 2. Commander's errors are
 * printed as every other error is, on one line after the command's name, with where to read the usage.
 */
export async function runCli(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  // Subcommands copy the setting only when created after it, so set it on the whole tree here.
  // Commander's own error printing is silenced: its message is printed below, with the command it concerns.
  const overrideAll = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({ outputError: () => undefined });
    command.commands.forEach(overrideAll);
  };
  overrideAll(program);
  // A reader that stops early (`| head`) closes the pipe: stop writing quietly, as other tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (isCommanderError(error)) {
      // A group called without its subcommand has printed its help: nothing to add.
      if (error.exitCode !== 0 && error.code !== 'commander.help') {
        const command = invokedCommand(program, argv);
        const name = commandPath(command);
        const write = command.configureOutput().writeErr ?? ((text: string) => process.stderr.write(text));
        write(`${name}: ${error.message.replace(/^error: /, '')} (${name} --help shows the usage)\n`);
      }
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else {
      reportError(program.name(), error);
    }
  }
}
