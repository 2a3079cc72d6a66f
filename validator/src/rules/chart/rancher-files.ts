import { chartRule } from '../define.js';
import type { Draft } from '../../types.js';
import { isRecord, yamlOf } from './files.js';

function has(values: unknown, dotted: string): boolean {
  let cur: unknown = values;
  for (const part of dotted.split('.')) {
    if (!isRecord(cur) || !(part in cur)) return false;
    cur = cur[part];
  }
  return true;
}

export default chartRule(
  {
    id: 'NMAAS-CHART-RANCHER-FILES',
    title: 'Rancher files missing or inconsistent',
    severity: 'error',
    rationale:
      'Rancher reads app-readme.md, questions.yaml and values.yaml only directly under the chart folder; a form question for a value that does not exist silently does nothing.',
    fix: 'Put app-readme.md, questions.yaml and values.yaml at the chart root, and make every question variable a key of values.yaml.',
  },
  (chart) => {
    const out: Draft[] = [];
    for (const name of ['app-readme.md', 'questions.yaml', 'values.yaml']) {
      const alt = name.replace(/\.yaml$/, '.yml');
      if (!chart.files.has(name) && !chart.files.has(alt))
        out.push({ message: `${name} is missing at the chart root`, file: name, value: name });
    }
    const values = yamlOf(chart.files, 'values.yaml');
    if (values && !values.ok) out.push({ message: `values.yaml does not parse: ${values.error}`, file: 'values.yaml' });
    const questions = yamlOf(chart.files, 'questions.yaml') ?? yamlOf(chart.files, 'questions.yml');
    if (questions === undefined) return out;
    if (!questions.ok)
      return [...out, { message: `questions.yaml does not parse: ${questions.error}`, file: 'questions.yaml' }];
    const list = isRecord(questions.value) ? questions.value.questions : undefined;
    if (!Array.isArray(list))
      return [...out, { message: 'questions.yaml has no `questions:` list', file: 'questions.yaml' }];
    const walk = (qs: unknown[]) => {
      for (const q of qs) {
        if (!isRecord(q) || typeof q.variable !== 'string') {
          out.push({ message: 'a question has no `variable`', file: 'questions.yaml' });
          continue;
        }
        if (values?.ok && !has(values.value, q.variable)) {
          out.push({
            message: `question ${JSON.stringify(q.variable)} sets a value that values.yaml does not have`,
            file: 'questions.yaml',
            value: q.variable,
          });
        }
        if (Array.isArray(q.subquestions)) walk(q.subquestions);
      }
    };
    walk(list);
    return out;
  },
);
