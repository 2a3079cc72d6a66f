/**
 * The rules of other Kubernetes scanners that check the same thing as an NMaaS rule, where one
 * exists (kube-linter check names, Polaris check ids, kubesec rule ids, Checkov CKV_K8S ids), as
 * their sources name them. Rule metadata cites this table; `--list-rules` and the README print it.
 */
export interface PeerRules {
  kubeLinter?: string[];
  polaris?: string[];
  kubesec?: string[];
  checkov?: string[];
}

export const PEERS: Readonly<Record<string, PeerRules>> = {
  'NMAAS-PSS-HOST-PROCESS': { polaris: ['hostProcess'] },
  'NMAAS-PSS-HOST-NAMESPACES': {
    kubeLinter: ['host-network', 'host-pid', 'host-ipc'],
    polaris: ['hostNetworkSet', 'hostPIDSet', 'hostIPCSet'],
    kubesec: ['HostNetwork', 'HostPID', 'HostIPC'],
    checkov: ['CKV_K8S_19', 'CKV_K8S_17', 'CKV_K8S_18'],
  },
  'NMAAS-PSS-PRIVILEGED': {
    kubeLinter: ['privileged-container'],
    polaris: ['runAsPrivileged'],
    kubesec: ['Privileged'],
    checkov: ['CKV_K8S_16'],
  },
  'NMAAS-PSS-CAPABILITIES-BASELINE': {
    kubeLinter: ['privilege-escalation-container'],
    polaris: ['dangerousCapabilities'],
    kubesec: ['CapSysAdmin'],
    checkov: ['CKV_K8S_25', 'CKV_K8S_39'],
  },
  'NMAAS-PSS-HOST-PATH': {
    kubeLinter: ['sensitive-host-mounts', 'docker-sock', 'writable-host-mount'],
    polaris: ['hostPathSet'],
    kubesec: ['DockerSock'],
    checkov: ['CKV_K8S_27'],
  },
  'NMAAS-PSS-HOST-PORTS': { polaris: ['hostPortSet'], checkov: ['CKV_K8S_26'] },
  'NMAAS-PSS-APPARMOR': { polaris: ['linuxHardening'], kubesec: ['ApparmorAny'] },
  'NMAAS-PSS-SELINUX': { polaris: ['linuxHardening'] },
  'NMAAS-PSS-PROC-MOUNT': { kubeLinter: ['unsafe-proc-mount'], polaris: ['procMount'] },
  'NMAAS-PSS-PROC-MOUNT-RESTRICTED': { kubeLinter: ['unsafe-proc-mount'], polaris: ['procMount'] },
  'NMAAS-PSS-SECCOMP-BASELINE': { polaris: ['linuxHardening'], kubesec: ['SeccompUnconfined'] },
  'NMAAS-PSS-SYSCTLS': { kubeLinter: ['unsafe-sysctls'] },
  'NMAAS-PSS-PRIVILEGE-ESCALATION': {
    kubeLinter: ['privilege-escalation-container'],
    polaris: ['privilegeEscalationAllowed'],
    kubesec: ['AllowPrivilegeEscalation'],
    checkov: ['CKV_K8S_20'],
  },
  'NMAAS-PSS-RUN-AS-NON-ROOT': {
    kubeLinter: ['run-as-non-root'],
    polaris: ['runAsRootAllowed'],
    kubesec: ['RunAsNonRoot'],
    checkov: ['CKV_K8S_23'],
  },
  'NMAAS-PSS-SECCOMP-RESTRICTED': { polaris: ['linuxHardening'], kubesec: ['SeccompAny'], checkov: ['CKV_K8S_31'] },
  'NMAAS-PSS-CAPABILITIES-RESTRICTED': {
    polaris: ['insecureCapabilities'],
    kubesec: ['CapDropAll', 'CapDropAny'],
    checkov: ['CKV_K8S_37'],
  },
  'NMAAS-CAP-NET-OWN-CONTAINER': { kubeLinter: ['drop-net-raw-capability'], checkov: ['CKV_K8S_28'] },
  'NMAAS-RESOURCES': {
    kubeLinter: ['unset-cpu-requirements', 'unset-memory-requirements'],
    polaris: ['cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing'],
    kubesec: ['RequestsCPU', 'LimitsCPU', 'RequestsMemory', 'LimitsMemory'],
    checkov: ['CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13'],
  },
  'NMAAS-IMAGE-DIGEST': { checkov: ['CKV_K8S_43'] },
  'NMAAS-SA-TOKEN': {
    polaris: ['automountServiceAccountToken'],
    kubesec: ['AutomountServiceAccountToken'],
    checkov: ['CKV_K8S_38'],
  },
  'NMAAS-SECRET-LITERAL': {
    kubeLinter: ['env-var-secret'],
    polaris: ['sensitiveContainerEnvVar', 'sensitiveConfigmapContent'],
  },
  'NMAAS-RBAC-SCOPE': {
    kubeLinter: ['cluster-admin-role-binding'],
    polaris: ['clusterrolebindingClusterAdmin', 'rolebindingClusterAdminRole'],
  },
  'NMAAS-RBAC-WILDCARD': { kubeLinter: ['wildcard-in-rules'], checkov: ['CKV_K8S_49'] },
  'NMAAS-RBAC-DANGEROUS': {
    kubeLinter: ['access-to-secrets', 'access-to-create-pods'],
    polaris: ['rolePodExecAttach', 'clusterrolePodExecAttach'],
    checkov: ['CKV_K8S_157', 'CKV_K8S_158'],
  },
  'NMAAS-RBAC-ANONYMOUS': { kubesec: ['BindingsToSystemAnonymous'] },
  'NMAAS-READONLY-ROOT-FS': {
    kubeLinter: ['no-read-only-root-fs'],
    polaris: ['notReadOnlyRootFilesystem'],
    kubesec: ['ReadOnlyRootFilesystem'],
    checkov: ['CKV_K8S_22'],
  },
  'NMAAS-SERVICE-EXPOSED': { kubeLinter: ['exposed-services'] },
  'NMAAS-NETWORK-POLICY': {
    kubeLinter: ['non-isolated-pod'],
    polaris: ['missingNetworkPolicy'],
    checkov: ['CKV2_K8S_6'],
  },
  'NMAAS-INGRESS': { checkov: ['CKV_K8S_152', 'CKV_K8S_153', 'CKV_K8S_154'] },
  'NMAAS-ROOT-GROUP': { kubeLinter: ['run-as-non-root'] },
};

/** `kube-linter: a, b; Polaris: c` for text output; empty when no peer has the check. */
export function peersText(peers: PeerRules | undefined): string {
  if (!peers) return '';
  const parts: string[] = [];
  if (peers.kubeLinter?.length) parts.push(`kube-linter ${peers.kubeLinter.join(', ')}`);
  if (peers.polaris?.length) parts.push(`Polaris ${peers.polaris.join(', ')}`);
  if (peers.kubesec?.length) parts.push(`kubesec ${peers.kubesec.join(', ')}`);
  if (peers.checkov?.length) parts.push(`Checkov ${peers.checkov.join(', ')}`);
  return parts.join('; ');
}
