/** Human output: findings grouped by object (or file), colour only on a terminal. */
import type { Finding, Severity, ValidationReport } from '../types.js';

const COLOURS: Record<Severity | 'dim' | 'bold' | 'ok', [string, string]> = {
  error: ['\x1b[31m', '\x1b[39m'],
  warning: ['\x1b[33m', '\x1b[39m'],
  info: ['\x1b[36m', '\x1b[39m'],
  ok: ['\x1b[32m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

export function formatText(report: ValidationReport, options: { colour: boolean }): string {
  const c = (k: keyof typeof COLOURS, s: string) => (options.colour ? `${COLOURS[k][0]}${s}${COLOURS[k][1]}` : s);
  const lines: string[] = [];
  const title = report.chart
    ? `${report.chart.name}${report.chart.version ? ` ${report.chart.version}` : ''}`
    : report.target;
  lines.push(c('bold', `nmaas validate: ${title} (${report.kind} ${report.target})`));
  if (report.valueSets.length > 0)
    lines.push(c('dim', `rendered with helm template: ${report.valueSets.join(', ')} values`));
  if (report.unexploredStrings !== undefined)
    lines.push(
      c(
        'dim',
        `rendered at their default only (no other value fits their pattern): ${report.unexploredStrings.join(', ')}`,
      ),
    );
  if (report.rejectedBeforeUnpack) lines.push(c('error', 'rejected before unpacking: the archive itself is unsafe'));
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = f.object ?? f.file ?? '(submission)';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(f);
  }
  for (const [key, list] of groups) {
    const file = list.find((f) => f.file && f.object)?.file;
    lines.push('', c('bold', key) + (file ? c('dim', `  (${file})`) : ''));
    for (const f of list) {
      const where = !f.object && f.file && f.line ? c('dim', ` ${f.file}:${f.line}`) : '';
      const sets =
        f.valueSets && report.valueSets.length > 1 && f.valueSets.length < report.valueSets.length
          ? c('dim', ` [${f.valueSets.join(', ')} values]`)
          : '';
      lines.push(`  ${c(f.severity, f.severity.padEnd(7))} ${f.ruleId}  ${f.message}${where}${sets}`);
    }
  }
  if (report.exempted.length > 0) {
    lines.push('', c('bold', "exempted by the reviewers' policy"));
    for (const { finding, exemption } of report.exempted)
      lines.push(
        `  ${c('dim', 'exempt ')} ${finding.ruleId}  ${finding.object ?? finding.file ?? ''} ${finding.message} — ${exemption.justification} (until ${exemption.expires})`,
      );
  }
  const s = report.summary;
  const count = (k: Severity, label: string) => (s[k] > 0 ? c(k, `${s[k]} ${label}`) : `${s[k]} ${label}`);
  lines.push(
    '',
    s.error + s.warning + s.info === 0
      ? c('ok', 'no findings')
      : `${count('error', 'error(s)')}, ${count('warning', 'warning(s)')}, ${count('info', 'info')}${report.exempted.length ? `, ${report.exempted.length} exempted` : ''}`,
  );
  return lines.join('\n') + '\n';
}
