/** Serialises the synthesised objects into Helm template files. */
import { stringify } from 'yaml';
import type { TemplateTokens } from './tokens.js';
import type { TemplateObject } from './objects.js';

/**
 * YAML 1.1 output quotes `on`/`off`/`yes`/`no`/`y`/`n`, which Helm and Kubernetes (go-yaml)
 * read as booleans; lineWidth 0 keeps placeholders on one line.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, minContentWidth: 0, sortMapEntries: false });
}

export function templateFile(entry: TemplateObject, tokens: TemplateTokens): string {
  const body = tokens.render(toYaml(entry.object)).trimEnd();
  const lines: string[] = [];
  if (entry.condition) lines.push(`{{- if ${entry.condition} }}`);
  if (entry.prelude) lines.push(entry.prelude);
  lines.push(body);
  if (entry.condition) lines.push('{{- end }}');
  return `${lines.join('\n')}\n`;
}
