import { chartRule } from '../define.js';
import type { Draft } from '../../types.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-RENDER',
    title: 'helm template fails',
    severity: 'error',
    rationale:
      'A chart that does not render with its defaults, or with values the form allows, breaks the install for users who choose them.',
    fix: 'Run `helm template` with the value set named in the finding and fix the template or values.schema.json bounds.',
  },
  (chart) => {
    // One finding per distinct helm message, naming every value set that produced it.
    const groups = new Map<string, { sets: string[]; refused: boolean }>();
    for (const e of chart.renderErrors ?? []) {
      const g = groups.get(e.message) ?? { sets: [], refused: true };
      g.sets.push(e.valueSet);
      g.refused &&= e.refused;
      groups.set(e.message, g);
    }
    // When no value set rendered at all, say so plainly: not one object of the chart was checked.
    const nothing =
      (chart.renderErrors ?? []).length > 0 && (chart.renders ?? []).length === 0
        ? '; nothing rendered, so no object of this chart was checked'
        : '';
    return [...groups].map(([message, g]): Draft =>
      g.refused
        ? // The chart's own schema or `fail` refused a combination of bound values with a message: the user gets a clear error, not a broken install.
          {
            message: `the chart refuses the ${g.sets.join(', ')} values with its own message: ${message}`,
            value: g.sets[0]!,
            severity: 'info',
          }
        : { message: `helm template with ${g.sets.join(', ')} values fails: ${message}${nothing}`, value: g.sets[0]! },
    );
  },
);
