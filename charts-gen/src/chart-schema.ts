/**
 * chart-testing's Chart.yaml schema (helm/chart-testing etc/chart_schema.yaml, a yamale schema
 * that `ct lint` applies), restated: chart-testing is a Go tool packaged neither by Debian nor
 * npm, and the catalogue's charts must pass it.
 */
/** The problems ct would report for a parsed Chart.yaml: required strings, optional typed fields, no other keys. */
export function chartSchemaProblems(chart: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const str = (v: unknown) => typeof v === 'string';
  for (const key of ['name', 'home', 'version', 'apiVersion', 'description'])
    if (!str(chart[key])) problems.push(`${key}: a string is required`);
  const optional: Record<string, (v: unknown) => boolean> = {
    appVersion: (v) => str(v) || typeof v === 'number',
    keywords: (v) => Array.isArray(v) && v.every(str),
    sources: (v) => Array.isArray(v) && v.every(str),
    maintainers: (v) =>
      Array.isArray(v) &&
      v.every((m) => m !== null && typeof m === 'object' && str((m as Record<string, unknown>).name)),
    icon: str,
    engine: str,
    condition: str,
    tags: str,
    deprecated: (v) => typeof v === 'boolean',
    kubeVersion: str,
    annotations: (v) => v !== null && typeof v === 'object' && Object.values(v as object).every(str),
    type: str,
  };
  for (const [key, ok] of Object.entries(optional))
    if (chart[key] !== undefined && !ok(chart[key])) problems.push(`${key}: wrong type`);
  const known = new Set(['name', 'home', 'version', 'apiVersion', 'description', ...Object.keys(optional)]);
  for (const key of Object.keys(chart)) if (!known.has(key)) problems.push(`${key}: not in the schema`);
  return problems;
}
