import { chartRule } from '../define.js';
import { isRecord, text } from './files.js';
import { schemaProblems } from '../../render/schema-limits.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-VALUES-SCHEMA',
    title: 'values.schema.json missing or not a JSON Schema object',
    severity: 'error',
    rationale:
      "values.schema.json is what stops a user's out-of-range value at install time with a clear message; without it any value reaches the templates.",
    fix: 'Ship values.schema.json (`nmaas chart` generates it from the parameter declarations) as a JSON object with `type: object`.',
  },
  (chart) => {
    const t = text(chart.files, 'values.schema.json');
    if (t === undefined)
      return [{ message: 'values.schema.json is missing at the chart root', file: 'values.schema.json' }];
    let schema: unknown;
    try {
      schema = JSON.parse(t);
    } catch (error) {
      return [
        { message: `values.schema.json does not parse: ${(error as Error).message}`, file: 'values.schema.json' },
      ];
    }
    if (!isRecord(schema)) return [{ message: 'values.schema.json must be a JSON object', file: 'values.schema.json' }];
    const limits = schemaProblems(schema);
    if (limits.length > 0)
      return limits.map((l) => ({
        message: `${l.message}: only the defaults were rendered, no form bound was checked`,
        file: 'values.schema.json',
      }));
    if (schema.type !== undefined && schema.type !== 'object')
      return [
        {
          message: `values.schema.json has type ${JSON.stringify(schema.type)}; values are an object`,
          file: 'values.schema.json',
        },
      ];
    return [];
  },
);
