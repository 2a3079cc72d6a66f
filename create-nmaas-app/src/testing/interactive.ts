/**
 * One interactive session of create-nmaas-app on a real terminal (tmux), with a mistake at two
 * prompts to see the rule shown and corrected, and the flags that give the same project.
 */
import { fileURLToPath } from 'node:url';
import { Terminal } from './terminal.js';

export const CREATE_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The name and answers typed below, as flags: scaffolding with these must give the same files. */
export const INTERACTIVE_NAME = 'edge-probe';
export const EQUIVALENT_FLAGS = [
  INTERACTIVE_NAME,
  '--template',
  'http-probe',
  '--category',
  'security',
  '--every',
  '10m',
  '--duration',
  '20s',
  '--memory',
  '128Mi',
  '--yes',
];

export interface InteractiveRun {
  exitCode: number;
  /** The screen at the end. */
  screen: string;
  /** What each wrong answer showed before it was corrected. */
  nameError: string;
  everyError: string;
}

/** Runs `bin` (default: this package's built main.js) in `cwd` on a tmux terminal and answers. */
export async function scaffoldInteractively(tmux: string, cwd: string, bin?: string): Promise<InteractiveRun> {
  const command = bin ?? `${JSON.stringify(process.execPath)} ${JSON.stringify(CREATE_MAIN)}`;
  const term = await Terminal.start({ tmux, cwd, command });
  try {
    await term.waitFor('App name');
    await term.type('Edge_Probe');
    await term.press('Enter');
    const nameError = await term.waitFor('DNS-1123');
    await term.press(...Array<string>(10).fill('BSpace'));
    await term.type(INTERACTIVE_NAME);
    await term.press('Enter');
    await term.waitFor('Template');
    await term.press('Enter'); // http-probe, the first
    await term.waitFor('Category');
    await term.press('Down', 'Enter'); // qos is preselected for http-probe; the next is security
    await term.waitFor('How often');
    await term.type('7s');
    await term.press('Enter');
    const everyError = await term.waitFor('neither divides');
    await term.press('BSpace', 'BSpace');
    await term.type('10m');
    await term.press('Enter');
    await term.waitFor('How long');
    await term.type('20s');
    await term.press('Enter');
    await term.waitFor('CPU one run');
    await term.press('Enter'); // keep the template's
    await term.waitFor('Memory one run');
    await term.type('128Mi');
    await term.press('Enter');
    await term.waitFor('Network bandwidth');
    await term.press('Enter');
    const exitCode = await term.exitCode();
    return { exitCode, screen: await term.screen(), nameError, everyError };
  } finally {
    await term.close();
  }
}
