/**
 * CEL fragments shared by the policies. Written for Kubernetes' CEL environment and kept to the
 * standard library (has(), macros, matches(), timestamp()), without optional types or the
 * Kubernetes extension libraries, so that the same text is evaluated by @bufbuild/cel in tests.
 */
import { APP_LABEL } from '@nmaas/sdk/contract';

/** A CEL string literal. */
export function lit(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list of string literals. */
export function litList(values: Iterable<string>): string {
  return `[${[...values].map(lit).join(', ')}]`;
}

/** `base.a.b.c`, or `fallback` when any step is absent: what `.?a.?b.orValue()` says in newer CEL. */
export function field(base: string, path: string[], fallback: string): string {
  const guards = path.map((_, i) => `has(${[base, ...path.slice(0, i + 1)].join('.')})`);
  return `(${guards.join(' && ')} ? ${[base, ...path].join('.')} : ${fallback})`;
}

/** The pod's app label value, '' when absent. */
export const APP_NAME = `(has(object.metadata.labels) && ${lit(APP_LABEL)} in object.metadata.labels ? object.metadata.labels[${lit(APP_LABEL)}] : '')`;

/** Every container of the pod, init and ephemeral containers included. */
export const ALL_CONTAINERS =
  'object.spec.containers' +
  ' + (has(object.spec.initContainers) ? object.spec.initContainers : [])' +
  ' + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])';

/**
 * The admission clock. Kubernetes' CEL has no current time; the API server stamps
 * metadata.creationTimestamp on a new object before validating admission runs, so that is the
 * moment of the request. Without it (never on create) an exemption counts as expired: fail closed.
 */
export const NOW =
  "(has(object.metadata.creationTimestamp) ? timestamp(object.metadata.creationTimestamp) : timestamp('9999-12-31T23:59:59Z'))";
