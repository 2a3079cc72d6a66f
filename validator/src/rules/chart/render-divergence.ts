import { chartRule } from '../define.js';
import { containers, objectId, podsOf, rec } from '../../k8s/pods.js';
import type { Draft, RenderedObject } from '../../types.js';

type Facts = Map<string, string>;

const POD_FIELDS = [
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'hostUsers',
  'shareProcessNamespace',
  'serviceAccountName',
  'automountServiceAccountToken',
  'securityContext',
  'nodeName',
  'priorityClassName',
  'runtimeClassName',
];
const CONTAINER_FIELDS = ['image', 'securityContext'];

/** Sets `path` (and, for a mapping, each of its leaves, a few levels down) so that a message names the field that moved. */
function put(out: Facts, path: string, value: unknown, depth = 0): void {
  const r = rec(value);
  if (r && depth < 4 && Object.keys(r).length > 0)
    for (const [k, v] of Object.entries(r)) put(out, `${path}.${k}`, v, depth + 1);
  else out.set(path, JSON.stringify(value));
}

/** The security-relevant facts of one rendered object, as path → JSON. */
function facts(o: RenderedObject): Facts {
  const out: Facts = new Map();
  for (const pod of podsOf(o)) {
    for (const k of POD_FIELDS) if (k in pod.spec) put(out, `${pod.specPath}.${k}`, pod.spec[k]);
    const volumes = (Array.isArray(pod.spec.volumes) ? pod.spec.volumes : []).map(rec).filter((v) => v !== undefined);
    for (const v of volumes) {
      for (const type of ['hostPath', 'projected'])
        if (type in v) out.set(`${pod.specPath}.volumes[${String(v.name)}].${type}`, JSON.stringify(v[type]));
    }
    for (const ref of containers(pod)) {
      for (const k of CONTAINER_FIELDS)
        if (k in ref.c) put(out, `${ref.path.replace(/\[\d+\]$/, `[${ref.name}]`)}.${k}`, ref.c[k]);
      const ports = Array.isArray(ref.c.ports) ? ref.c.ports.map(rec).filter((p) => p?.hostPort !== undefined) : [];
      if (ports.length > 0) out.set(`${ref.path}.ports.hostPort`, JSON.stringify(ports.map((p) => p!.hostPort)));
    }
  }
  const kind = o.object.kind ?? '';
  if (kind === 'Role' || kind === 'ClusterRole') out.set('rules', JSON.stringify(o.object.rules ?? null));
  if (/RoleBinding$/.test(kind))
    out.set('subjects+roleRef', JSON.stringify([o.object.subjects ?? null, o.object.roleRef ?? null]));
  return out;
}

/** Each object with its slot: `kind|template|n`, n counting that template's objects of that kind. */
function slots(objects: RenderedObject[]): [string, RenderedObject][] {
  const seen = new Map<string, number>();
  return objects.map((o) => {
    const base = `${o.object.kind ?? ''}|${o.source ?? ''}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return [`${base}|${n}`, o];
  });
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The object's identity across renders: the release and namespace of each render are placeholders. */
function keyOf(o: RenderedObject, release: string, namespace: string): string {
  return `${o.object.kind ?? ''}/${normalise(o.object.metadata?.name ?? '', release, namespace)}`;
}

/**
 * A value with the render's own release and namespace taken out (a name derived from them is no
 * divergence). One placeholder for both: the review renders may use the same name for each.
 */
function normalise(value: string, release: string, namespace: string): string {
  const [longer, shorter] = release.length >= namespace.length ? [release, namespace] : [namespace, release];
  return value
    .replace(new RegExp(escape(longer), 'g'), '<release>')
    .replace(new RegExp(escape(shorter), 'g'), '<release>');
}

export default chartRule(
  {
    id: 'NMAAS-RENDER-DIVERGENCE',
    title: 'Security field that changes with the install context or a form value',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A reviewer approves what the defaults render. A security field (privileges, host namespaces, capabilities, image, service account, RBAC) that changes with the release name, namespace, upgrade, Kubernetes version or a value in the install form installs something nobody reviewed, even when each rendering looks safe on its own.',
    fix: 'Render security fields from constants, or from a value whose every choice the reviewer can see; never from the release, the cluster or the clock.',
  },
  (chart) => {
    const renders = chart.renders ?? [];
    const base = renders.find((r) => r.valueSet === 'defaults');
    if (!base) return [];
    const baseFacts = new Map(
      base.objects.map((o) => [keyOf(o, base.release, base.namespace), { o, facts: facts(o) }]),
    );
    // A form value may rename every object (nameOverride): then an object is matched by the
    // template that wrote it and its place among that template's objects of its kind.
    const baseBySlot = new Map(
      slots(base.objects).map(([slot, o]) => [slot, baseFacts.get(keyOf(o, base.release, base.namespace))!]),
    );
    const out: Draft[] = [];
    for (const r of renders) {
      if (r === base) continue;
      const install = r.valueSet.startsWith('install:');
      const slotOf = new Map(slots(r.objects).map(([slot, o]) => [o, slot]));
      for (const o of r.objects) {
        const key = keyOf(o, r.release, r.namespace);
        const b = baseFacts.get(key) ?? baseBySlot.get(slotOf.get(o)!);
        if (!b) continue;
        for (const [path, value] of facts(o)) {
          const was = b.facts.get(path);
          const now = normalise(value, r.release, r.namespace);
          if (was === undefined || normalise(was, base.release, base.namespace) === now) continue;
          out.push({
            message: `${path} is ${was.slice(0, 160)} at the defaults but ${now.slice(0, 160)} with ${install ? `the ${r.valueSet.slice('install:'.length)} install context` : `form values ${r.valueSet}`}`,
            object: objectId(b.o.object),
            value: path,
            ...(o.source ? { file: o.source } : {}),
            // A form value is the user's visible choice (still worth a reviewer's look); the install context is nobody's.
            severity: install ? 'error' : 'warning',
          });
        }
      }
    }
    return out;
  },
);
