/**
 * Limits on values.schema.json before anything walks it. A chart is hostile input: a 100-byte
 * schema asking for `minItems: 4294967296` would make the bound renders build a four-billion-item
 * array, and a schema nested 20,000 deep overflows any recursive walk. The schema is inspected
 * iteratively (no recursion, bounded work), and a schema over a limit is a finding: its bounds are
 * not explored (only the defaults are rendered).
 */

/** Deeper than any real form (Rancher's questions nest a few levels); deep enough for $defs. */
export const MAX_SCHEMA_DEPTH = 64;
/** More nodes than this is no form a person fills in. */
export const MAX_SCHEMA_NODES = 50_000;
/** A lower bound on a count (items, properties, length) beyond this cannot be a real form value. */
export const MAX_COUNT_BOUND = 10_000;

const COUNT_BOUNDS = ['minItems', 'minLength', 'minProperties', 'minContains'];

export interface SchemaProblem {
  message: string;
}

/** Problems that make the schema unsafe to explore; empty when it is within every limit. */
export function schemaProblems(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const stack: { node: unknown; depth: number; at: string }[] = [{ node: schema, depth: 0, at: '' }];
  let nodes = 0;
  let deepest = 0;
  while (stack.length > 0) {
    const { node, depth, at } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (++nodes > MAX_SCHEMA_NODES) {
      problems.push({ message: `values.schema.json has more than ${MAX_SCHEMA_NODES.toLocaleString('en')} nodes` });
      break;
    }
    if (depth > MAX_SCHEMA_DEPTH) {
      deepest = depth;
      continue;
    }
    if (!Array.isArray(node)) {
      for (const key of COUNT_BOUNDS) {
        const v = (node as Record<string, unknown>)[key];
        if (typeof v === 'number' && v > MAX_COUNT_BOUND)
          problems.push({
            message: `values.schema.json asks for ${key}: ${v} at ${at || '(root)'} (more than ${MAX_COUNT_BOUND.toLocaleString('en')}; no user can fill that in)`,
          });
      }
    }
    for (const [k, v] of Object.entries(node))
      if (v !== null && typeof v === 'object') stack.push({ node: v, depth: depth + 1, at: `${at}/${k}` });
  }
  if (deepest > 0) problems.push({ message: `values.schema.json nests deeper than ${MAX_SCHEMA_DEPTH} levels` });
  return problems;
}
