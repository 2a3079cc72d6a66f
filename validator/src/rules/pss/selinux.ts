import { objectsRule } from '../define.js';
import { containers, pods, rec, str, type Rec } from '../../k8s/pods.js';
import { onContainer, onPod } from './draft.js';
import type { Draft } from '../../types.js';

const TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

function problems(opts: Rec | undefined): string[] {
  if (!opts) return [];
  const out: string[] = [];
  const type = opts.type;
  if (type !== undefined && !(typeof type === 'string' && TYPES.has(type)))
    out.push(`seLinuxOptions.type ${JSON.stringify(type)}`);
  for (const k of ['user', 'role'])
    if (opts[k] !== undefined && opts[k] !== '') out.push(`seLinuxOptions.${k} ${JSON.stringify(opts[k])}`);
  return out;
}

export default objectsRule(
  {
    id: 'NMAAS-PSS-SELINUX',
    title: 'Custom SELinux type, user or role',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7.0,
    rationale:
      'A custom SELinux user, role or type (e.g. spc_t) lifts the confinement that keeps a container off the host (PSS baseline "SELinux").',
    fix: 'Remove seLinuxOptions or keep type to container_t and friends, without user or role.',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      for (const p of problems(rec(rec(pod.spec.securityContext)?.seLinuxOptions)))
        out.push(onPod(pod, `spec.securityContext.${p}`, p));
      for (const c of containers(pod))
        for (const p of problems(rec(rec(c.c.securityContext)?.seLinuxOptions)))
          out.push(onContainer(c, `securityContext.${p}`, str(p)));
    }
    return out;
  },
);
