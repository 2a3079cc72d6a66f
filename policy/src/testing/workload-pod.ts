/**
 * The Pod a controller creates from a rendered workload, as admission sees it: the template's
 * metadata and spec, in the release namespace, stamped with a creation time. Admission policies
 * match pods (every workload kind ends in one), so the tests judge what the API server judges.
 */
export type Json = Record<string, unknown>;

function rec(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/**
 * Any kind whose spec carries a pod template is a workload, built-in or not (an Argo Rollout, an
 * operator's custom resource): its controller creates pods from it, and admission sees those.
 */
function templateOf(object: Json): Json | undefined {
  const spec = rec(object.spec);
  if (object.kind === 'Pod') return { metadata: object.metadata, spec };
  const template = rec(spec?.template) ?? rec(rec(rec(spec?.jobTemplate)?.spec)?.template);
  return rec(template?.spec) ? template : undefined;
}

/** The pod `object` creates (itself for a Pod), or undefined for objects that create none. */
export function podFromWorkload(object: Json, namespace: string, createdAt: Date): Json | undefined {
  const template = templateOf(object);
  const spec = rec(template?.spec);
  if (!template || !spec) return undefined;
  const meta = rec(template.metadata) ?? {};
  const name = rec(object.metadata)?.name;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      name: `${typeof name === 'string' ? name : 'pod'}-0`,
      namespace,
      creationTimestamp: createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    spec,
  };
}
