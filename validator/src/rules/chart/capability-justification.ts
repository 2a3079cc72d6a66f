import { chartRule } from '../define.js';
import { isRecord, lineOf, yamlOf } from './files.js';
import type { Draft } from '../../types.js';

/** Fewer characters than this cannot say why a capability is needed (the model's own floor). */
const MIN_JUSTIFICATION = 10;

export default chartRule(
  {
    id: 'NMAAS-CAP-JUSTIFICATION',
    title: 'Declared capability without a justification',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      "Every capability beyond the restricted profile widens what a compromised measurement can do on a node in someone else's network; the reviewer decides on the stated reason.",
    fix: 'Give each entry of `capabilities` in nmaas.yaml a `justification` sentence saying what the app does with it.',
  },
  (chart) => {
    const y = yamlOf(chart.files, 'nmaas.yaml');
    if (!y?.ok || !isRecord(y.value) || !Array.isArray(y.value.capabilities)) return [];
    const out: Draft[] = [];
    y.value.capabilities.forEach((c, i) => {
      if (!isRecord(c)) return;
      const j = typeof c.justification === 'string' ? c.justification.trim() : '';
      if (j.length >= MIN_JUSTIFICATION) return;
      const name = typeof c.name === 'string' ? c.name : `#${i}`;
      out.push({
        message: `capability ${name} ${j === '' ? 'has no justification' : `has a justification too short to mean anything (${JSON.stringify(j)})`}`,
        file: 'nmaas.yaml',
        line: lineOf(chart.files, 'nmaas.yaml', new RegExp(`name:\\s*${name}\\b`)),
        value: name,
      });
    });
    return out;
  },
);
