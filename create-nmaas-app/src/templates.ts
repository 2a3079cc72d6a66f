/**
 * The templates: plain folders under `templates/`, each a complete, working app named after the
 * template (create-vite style). Scaffolding copies a folder as it is; only the template's own
 * name is replaced in a few known files, and files npm would drop or mangle on publish are
 * stored under another name and renamed on copy.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse } from 'yaml';

export const TEMPLATE_NAMES = ['http-probe', 'blank'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export const TEMPLATE_HINTS: Record<TemplateName, string> = {
  'http-probe': 'times HTTP(S) requests to a list of targets',
  blank: 'an empty measure function to fill in',
};

/** Files stored under another name: npm turns a published `.gitignore` into `.npmignore`. */
export const RENAMED_FILES: Readonly<Record<string, string>> = {
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
};

/** The only files in which the template's name is replaced by the new app's name. */
export const SUBSTITUTED_FILES: readonly string[] = [
  'package.json',
  'nmaas.yaml',
  'README.md',
  'src/index.ts',
  'test/index.test.ts',
];

/** What a developer may have produced inside a template folder while working on it; never copied. */
export const IGNORED_ENTRIES: readonly string[] = ['node_modules', 'dist', 'chart', 'package-lock.json'];

/** `templates/` sits next to `src/` and `dist/`, so this resolves the same from both. */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

export function isTemplateName(value: string): value is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(value);
}

export interface Template {
  name: TemplateName;
  dir: string;
  /** The template's nmaas.yaml text: the defaults of every answer. */
  manifestText: string;
  /** The app name the template uses for itself (the token replaced on copy). */
  appName: string;
  /** Its display name, replaced too (the README title, the maintainers entry). */
  displayName: string;
}

export async function loadTemplate(name: TemplateName): Promise<Template> {
  const dir = path.join(TEMPLATES_DIR, name);
  const manifestText = await readFile(path.join(dir, 'nmaas.yaml'), 'utf8');
  const manifest = parse(manifestText) as { name?: unknown; displayName?: unknown };
  if (typeof manifest.name !== 'string' || typeof manifest.displayName !== 'string') {
    throw new Error(`template ${name} is broken: ${path.join(dir, 'nmaas.yaml')} has no name or displayName`);
  }
  return { name, dir, manifestText, appName: manifest.name, displayName: manifest.displayName };
}
