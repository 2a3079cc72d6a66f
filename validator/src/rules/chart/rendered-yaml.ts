import { chartRule } from '../define.js';
import type { Draft } from '../../types.js';
import { templateLine } from './files.js';

export default chartRule(
  {
    id: 'NMAAS-RENDERED-YAML',
    title: 'Rendered manifest that Kubernetes reads differently',
    severity: 'error',
    securitySeverity: 8.0,
    rationale:
      'Helm sends the rendered YAML to Kubernetes, which decodes it with its own rules (YAML 1.1, last duplicate key wins). A duplicate key shows a reviewer one value and the cluster another; a document that does not parse is checked by nobody.',
    fix: 'Write each key once per mapping and make every rendered document a valid YAML mapping (`helm template` shows the output).',
  },
  (chart) => {
    // One finding per place, naming every value set that rendered it.
    const byPlace = new Map<string, { draft: Draft; sets: string[] }>();
    for (const p of chart.decodeProblems ?? []) {
      const key = [p.kind, p.source ?? '', p.line ?? 0, p.message].join('\u0000');
      const seen = byPlace.get(key);
      if (seen) {
        seen.sets.push(p.valueSet);
        continue;
      }
      // The template's own line when the rendered line can be traced to it, else the rendered one.
      const line =
        p.source !== undefined && p.line !== undefined && p.text !== undefined
          ? templateLine(chart.files, p.source, p.line, p.text)
          : undefined;
      const where = p.source
        ? `${p.source}${line !== undefined ? `, line ${line}` : p.line !== undefined ? `, line ${p.line} of its rendered output` : ''}`
        : 'the rendered output';
      byPlace.set(key, {
        draft: {
          message: `${where}: ${p.message}`,
          value: p.kind,
          ...(p.source ? { file: p.source } : {}),
          ...(line !== undefined ? { line } : {}),
        },
        sets: [p.valueSet],
      });
    }
    return [...byPlace.values()].map(({ draft, sets }) => ({
      ...draft,
      message: `${draft.message} (value sets: ${sets.join(', ')})`,
    }));
  },
);
