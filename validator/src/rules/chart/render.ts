import { chartRule } from '../define.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-RENDER',
    title: 'helm template fails',
    severity: 'error',
    rationale: 'A chart that does not render with its defaults, or with values the form allows, breaks the install for users who choose them.',
    fix: 'Run `helm template` with the value set named in the finding and fix the template or values.schema.json bounds.',
  },
  (chart) =>
    (chart.renderErrors ?? []).map((e) =>
      e.refused
        ? // The chart's own schema or `fail` refused a combination of bound values with a message: the user gets a clear error, not a broken install.
          { message: `the chart refuses the ${e.valueSet} values with its own message: ${e.message}`, value: e.valueSet, severity: 'info' as const }
        : { message: `helm template with ${e.valueSet} values fails: ${e.message}`, value: e.valueSet },
    ),
);
