/**
 * The `nmaas` command line. It only assembles: every package registers its own subcommands, so
 * this file holds no logic of its own. Packages are loaded lazily: a command loads only the
 * package that owns it, and `--help`/`--version` load none — the root help lists the commands
 * from the table below, which a test keeps equal to what the packages register.
 */
import { Command, Help } from 'commander';

type Register = (program: Command) => void;

export interface TopCommand {
  name: string;
  /** What the root help shows after the name, as commander would print it. */
  term: string;
  description: string;
  load: () => Promise<Register>;
}

const sdk = async () => (await import('@nmaas/sdk/commands')).registerCommands;

export const TOP_COMMANDS: readonly TopCommand[] = [
  { name: 'manifest', term: 'manifest', description: 'work with nmaas.yaml app declarations', load: sdk },
  {
    name: 'run',
    term: 'run [options] <app-dir>',
    description: 'run a built measurement app locally: on its schedule, or once with --once',
    load: sdk,
  },
  {
    name: 'chart',
    term: 'chart [options] <app-dir>',
    description: 'synthesise a Rancher-ready Helm chart from <app-dir>/nmaas.yaml into <out-dir>/<name>/',
    load: async () => (await import('@nmaas/charts-gen')).registerCommands,
  },
  {
    name: 'validate',
    term: 'validate [options] [path]',
    description: 'security-check a submission (app folder, chart folder or chart .tgz) before it enters the catalogue',
    // The commands module, not the package root: `--list-rules` must not load the engine and helm.
    load: async () => (await import('@nmaas/validator/commands')).registerCommands,
  },
  {
    name: 'catalogue',
    term: 'catalogue',
    description: 'build and serve the NMaaS Helm repository (the catalogue Rancher adds)',
    // The commands module, not the package root: `build` must not load the server and its image code.
    load: async () => (await import('@nmaas/catalogue/commands')).registerCatalogueCommands,
  },
  {
    name: 'scheduler',
    term: 'scheduler',
    description: 'place periodic measurements on nodes so that none compete (engine, simulation, webhook)',
    load: async () => (await import('@nmaas/scheduler')).registerCommands,
  },
  {
    name: 'image',
    term: 'image',
    description: "Build an app's container image without a daemon, and push it to a registry",
    load: async () => (await import('@nmaas/image')).registerCommands,
  },
  {
    name: 'policy',
    term: 'policy',
    description: 'admission policies that enforce at install time what the catalogue review checks',
    load: async () => (await import('@nmaas/policy')).registerCommands,
  },
];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  the input was read but did not pass (invalid declaration, findings, unplaceable pods)
  2  wrong arguments or unreadable input`;

/**
 * `nmaas help scheduler simulate` as `nmaas scheduler simulate --help`: commander's help command
 * takes one word, so the help of a subcommand would show its group's instead.
 */
export function helpAsOption(argv: readonly string[]): readonly string[] {
  const [node = 'node', script = 'nmaas', first, ...rest] = argv;
  if (first !== 'help' || rest.length === 0 || rest.some((word) => word.startsWith('-'))) return argv;
  return [node, script, ...rest, '--help'];
}

/** The top-level command `argv` asks for (`nmaas help chart` asks for chart), if any. */
export function requestedCommand(argv: readonly string[]): string | undefined {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

function rootProgram(version: string): Command {
  return new Command('nmaas')
    .description('NMaaS: write, package, check, publish and schedule network measurement apps on Kubernetes')
    .version(version)
    .exitOverride() // set before subcommands exist so they inherit it: runCli maps errors to exit 2
    .addHelpText('after', EXIT_CODES_HELP);
}

/**
 * The program for `argv`: with the owning package's commands when a known command is asked for,
 * else with a listing of every command (enough for help, --version and "unknown command").
 */
export async function buildProgram(version: string, argv: readonly string[] = process.argv): Promise<Command> {
  const program = rootProgram(version);
  const wanted = TOP_COMMANDS.find((c) => c.name === requestedCommand(argv));
  if (wanted !== undefined) {
    (await wanted.load())(program);
    return program;
  }
  const terms = new Map<Command, string>();
  for (const command of TOP_COMMANDS) {
    const listed = new Command(command.name).description(command.description);
    terms.set(listed, command.term);
    program.addCommand(listed);
  }
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? standard.subcommandTerm(cmd) });
  return program;
}

/** The program with every package's commands registered (for tests and documentation). */
export async function buildFullProgram(version: string): Promise<Command> {
  const program = rootProgram(version);
  const registrars = new Set(await Promise.all(TOP_COMMANDS.map((c) => c.load())));
  for (const register of registrars) register(program);
  return program;
}
