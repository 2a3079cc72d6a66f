import { objectsRule } from '../define.js';
import { arr, objectId, rec } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';

const READ = new Set(['get', 'list', 'watch', '*']);

/** What a namespaced rule grants that turns the app's service account into a way into the namespace. */
function grants(rule: Record<string, unknown>): string[] {
  const verbs = new Set(arr(rule.verbs).filter((v): v is string => typeof v === 'string'));
  const resources = arr(rule.resources).filter((v): v is string => typeof v === 'string');
  const any = (set: Set<string>) => [...verbs].some((v) => set.has(v));
  const out: string[] = [];
  for (const verb of ['escalate', 'bind', 'impersonate']) if (verbs.has(verb)) out.push(`the ${verb} verb`);
  if (resources.includes('secrets') && any(READ)) out.push('reading Secrets');
  if (resources.includes('pods') && any(new Set(['create', '*'])))
    out.push('creating pods (which may mount any Secret or service account)');
  for (const sub of [
    'pods/exec',
    'pods/attach',
    'pods/portforward',
    'serviceaccounts/token',
    'pods/ephemeralcontainers',
  ]) {
    if (resources.includes(sub) && verbs.size > 0) out.push(sub);
  }
  for (const workload of ['deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'replicasets']) {
    if (resources.includes(workload) && any(new Set(['create', 'update', 'patch', '*']))) {
      out.push(`writing ${workload} (a pod template runs as any service account)`);
      break;
    }
  }
  return out;
}

export default objectsRule(
  {
    id: 'NMAAS-RBAC-DANGEROUS',
    title: 'Role that grants Secrets, pod creation, exec or privilege escalation',
    severity: 'error',
    securitySeverity: 8.0,
    rationale:
      'Even inside its namespace, a Role that reads Secrets, creates pods or workloads, execs or attaches into pods, mints tokens or uses escalate/bind/impersonate lets whoever controls the app take every credential in the namespace.',
    fix: 'Grant only the named resources and read verbs the app needs; measurement apps need no Kubernetes API access at all.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const o of input.objects.filter((x) => x.object.kind === 'Role' || x.object.kind === 'ClusterRole')) {
      for (const rule of arr(o.object.rules).map(rec)) {
        if (!rule) continue;
        for (const what of grants(rule)) {
          out.push({
            message: `${o.object.kind} grants ${what}`,
            object: objectId(o.object),
            value: what,
            ...(o.source ? { file: o.source } : {}),
          });
        }
      }
    }
    return out;
  },
);
