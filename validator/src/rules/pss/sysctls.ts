import { objectsRule } from '../define.js';
import { arr, pods, rec, str } from '../../k8s/pods.js';
import { onPod } from './draft.js';

/** PSA check_sysctls.go, up to v1.37: namespaced sysctls that cannot affect other pods. */
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
]);

export default objectsRule(
  {
    id: 'NMAAS-PSS-SYSCTLS',
    title: 'Unsafe sysctl',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7.0,
    rationale:
      'Sysctls outside the safe namespaced set change the node\'s kernel for every workload, and so every measurement on it (PSS baseline "Sysctls").',
    fix: 'Remove the sysctl; net.ipv4.ping_group_range is safe and enables ICMP without NET_RAW.',
  },
  (input) =>
    pods(input.objects).flatMap((pod) =>
      arr(rec(pod.spec.securityContext)?.sysctls)
        .map((s) => str(rec(s)?.name) ?? '')
        .filter((name) => !SAFE_SYSCTLS.has(name))
        .map((name) => onPod(pod, `spec.securityContext.sysctls sets ${JSON.stringify(name)}`, name)),
    ),
);
