import { chartRule } from '../define.js';
import type { Draft } from '../../types.js';

/** Markers other scanners honour as in-manifest suppressions; the validator honours none. */
const MARKERS = [
  /nmaas\.io\/(validator-)?(ignore|exempt)[\w./-]*/,
  /kube-score\/ignore/,
  /ignore-check\.kube-linter\.io\/[\w-]+/,
  /kube-linter\.io\/ignore-all/,
  /checkov\.io\/skip\d*/,
  /polaris\.fairwinds\.com\/[\w-]*exempt/,
  /#\s*checkov:skip=/,
  /^\s*exemptions\s*:/m,
];

export default chartRule(
  {
    id: 'NMAAS-SELF-EXEMPTION',
    title: 'Submission tries to exempt itself from checks',
    severity: 'warning',
    securitySeverity: 6.0,
    rationale:
      'Exemptions belong to reviewers (policy file), never to the submitter: any deployer could otherwise switch checks off (Polaris #635). Markers in the chart are ignored and reported.',
    fix: 'Remove the suppression; ask the reviewers for an exemption in their policy file, with a justification and an expiry.',
  },
  (chart) => {
    const out: Draft[] = [];
    for (const [name, data] of [...chart.files].sort(([a], [b]) => a.localeCompare(b))) {
      if (!/\.(ya?ml|tpl|json|txt)$/.test(name) || data.length > 1024 * 1024) continue;
      const lines = data.toString('utf8').split('\n');
      lines.forEach((l, i) => {
        for (const m of MARKERS) {
          const hit = m.exec(l);
          if (hit) {
            out.push({
              message: `${JSON.stringify(hit[0].trim())} is an in-submission exemption; it is ignored`,
              file: name,
              line: i + 1,
              value: hit[0].trim(),
            });
            break;
          }
        }
      });
    }
    return out;
  },
);
