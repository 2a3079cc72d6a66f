/**
 * Every rule's metadata, written by scripts/write-rule-catalogue.mjs from the rule modules (do not
 * edit by hand). `--list-rules` reads this instead of loading every check; catalogue.test.ts keeps
 * it equal to the rules.
 */
import type { RuleMeta } from '../types.js';

export const RULE_CATALOGUE: readonly RuleMeta[] = [
  {
    id: 'NMAAS-ARCHIVE-ABSOLUTE-PATH',
    title: 'Archive entry with an absolute path',
    severity: 'error',
    securitySeverity: 9,
    rationale:
      "An absolute path (/etc/cron.d/x, \\\\server\\share) makes a naive extractor write anywhere on the reviewer's machine or the catalogue server.",
    fix: 'Package the chart with `helm package <chart-dir>`, which writes relative paths under one top-level folder.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-PARENT-PATH',
    title: 'Archive entry path climbs out with `..`',
    severity: 'error',
    securitySeverity: 9,
    rationale: 'A `..` segment (zip-slip) writes outside the extraction folder: chart/../../home/user/.bashrc.',
    fix: 'Remove entries whose path contains `..`; package the chart with `helm package`.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-DRIVE-PATH',
    title: 'Archive entry with a Windows drive path',
    severity: 'error',
    securitySeverity: 9,
    rationale:
      'A drive-letter path (C:\\Windows\\…, chart/C:/x) is absolute on Windows and escapes the extraction folder there; Helm rejects it as an illegal name.',
    fix: 'Remove entries whose path holds a drive letter; package the chart with `helm package` on a clean checkout.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-LINK',
    title: 'Symbolic link or hard link in the submission',
    severity: 'error',
    securitySeverity: 8.5,
    rationale:
      "Links let a chart read or overwrite files outside itself: Helm's directory loader follows symlinks (2019 symlink advisory), and extractors have been escaped through link targets (node-tar CVE-2021-37701, CVE-2026-26960). A chart needs none.",
    fix: 'Replace each link by a copy of the file it points to (or remove it), then package again.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-SPECIAL-FILE',
    title: 'Device, FIFO or unknown entry type in the submission',
    severity: 'error',
    securitySeverity: 8,
    rationale:
      'Character/block devices and FIFOs extracted as root give access to hardware or hang readers; unknown entry types are read differently by different tools. A chart holds only files and folders.',
    fix: 'Remove the entry; a chart holds only regular files and folders.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-TOP-LEVEL',
    title: 'Archive does not hold exactly one top-level folder named after the chart',
    severity: 'error',
    securitySeverity: 6,
    rationale:
      'Helm and Rancher read a chart from the first path component of the archive (Rancher only looks at files directly under it). A second folder, a loose file or a folder named unlike the chart hides content from reviewers or shadows another chart.',
    fix: 'Package the chart with `helm package <chart-dir>` where the folder name equals `name` in Chart.yaml.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-FILE-SIZE',
    title: 'File larger than 5 MiB',
    severity: 'error',
    securitySeverity: 5.5,
    rationale:
      'Helm refuses chart files over 5 MiB (MaxDecompressedFileSize); a chart that large hides a payload or exhausts memory when Rancher or the catalogue reads it.',
    fix: 'Remove the large file (images are pulled from a registry, not shipped in the chart) or shrink it below 5 MiB.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-TOTAL-SIZE',
    title: 'More than 100 MiB decompressed',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'Helm refuses charts over 100 MiB decompressed (MaxDecompressedChartSize); reading such an archive exhausts disk or memory.',
    fix: 'Keep the chart to its templates and small files; a chart is a few hundred KiB.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-COMPRESSION-RATIO',
    title: 'Extreme compression ratio (decompression bomb)',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A few KiB of gzip can expand to GiB of zeros; reading stops as soon as the output outgrows the input by more than the ratio a text chart can reach.',
    fix: 'Remove padding or generated filler; a chart of text compresses 3–20×.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-ENTRY-COUNT',
    title: 'More than 10,000 entries',
    severity: 'error',
    securitySeverity: 6,
    rationale:
      'Tens of thousands of tiny entries exhaust inodes and time in every tool that reads the chart, without tripping any size limit.',
    fix: 'A chart holds a few dozen files; remove generated or vendored trees.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-ARCHIVE-MALFORMED',
    title: 'Malformed tar stream (lying header, bad checksum, truncation)',
    severity: 'error',
    securitySeverity: 6.5,
    rationale:
      'Tools disagree on how to read a tar whose headers lie about sizes or fail their checksum; what the reviewer sees may then differ from what helm or Rancher installs. Helm itself rejects short reads.',
    fix: 'Package the chart again with `helm package`.',
    scope: 'archive',
  },
  {
    id: 'NMAAS-CHART-YAML',
    title: 'Chart.yaml missing, unparseable or incomplete',
    severity: 'error',
    rationale:
      'Helm, Rancher and the catalogue identify a chart by Chart.yaml; without a parseable name and version nothing else can be trusted.',
    fix: 'Add Chart.yaml at the chart root with apiVersion: v2, name and version (`nmaas chart` writes it).',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-API-VERSION',
    title: 'Chart.yaml apiVersion is not v2',
    severity: 'error',
    rationale:
      'apiVersion v2 is the Helm 3+ chart format that Rancher and the catalogue read; v1 charts use requirements.yaml and other semantics.',
    fix: 'Set `apiVersion: v2` in Chart.yaml.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-VERSION',
    title: 'Chart version is not a semantic version',
    severity: 'error',
    rationale:
      'Helm repositories sort and upgrade by SemVer 2; a version that does not parse cannot be ordered against published ones.',
    fix: 'Set `version` in Chart.yaml (and nmaas.yaml) to a SemVer 2 version such as 1.2.0.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-NAME',
    title: 'Chart name differs from its folder or is not a DNS label',
    severity: 'error',
    rationale:
      'Helm packages `<folder>` and the repository indexes `name`; when they differ, Rancher and helm pull different things under one name.',
    fix: 'Name the chart folder exactly as `name` in Chart.yaml (lower-case letters, digits and -).',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-KUBE-VERSION',
    title: 'Chart.yaml kubeVersion missing or not a version range',
    severity: 'error',
    rationale:
      'Rancher partner charts must set kubeVersion (with the -0 suffix, or GKE hides the chart); it stops installs on clusters the chart was never tested on.',
    fix: "Set `kubeVersion: '>= 1.25.0-0'` (the oldest Kubernetes you test on) in Chart.yaml.",
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-VALUES-SCHEMA',
    title: 'values.schema.json missing or not a JSON Schema object',
    severity: 'error',
    rationale:
      "values.schema.json is what stops a user's out-of-range value at install time with a clear message; without it any value reaches the templates.",
    fix: 'Ship values.schema.json (`nmaas chart` generates it from the parameter declarations) as a JSON object with `type: object`.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-RANCHER-FILES',
    title: 'Rancher files missing or inconsistent',
    severity: 'error',
    rationale:
      'Rancher reads app-readme.md, questions.yaml and values.yaml only directly under the chart folder; a form question for a value that does not exist silently does nothing.',
    fix: 'Put app-readme.md, questions.yaml and values.yaml at the chart root, and make every question variable a key of values.yaml.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-MANIFEST',
    title: 'nmaas.yaml missing or not a valid app declaration',
    severity: 'error',
    rationale:
      'The chart carries a copy of nmaas.yaml at its root: reviewers, the catalogue and the scheduler read what the app declares (schedule, resources, capabilities) from it.',
    fix: "Ship the app's nmaas.yaml at the chart root (`nmaas chart` copies it) and make `nmaas manifest check` pass.",
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CAP-JUSTIFICATION',
    title: 'Declared capability without a justification',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      "Every capability beyond the restricted profile widens what a compromised measurement can do on a node in someone else's network; the reviewer decides on the stated reason.",
    fix: 'Give each entry of `capabilities` in nmaas.yaml a `justification` sentence saying what the app does with it.',
    scope: 'chart',
  },
  {
    id: 'NMAAS-CHART-APP-MISMATCH',
    title: 'Chart.yaml and nmaas.yaml disagree on name or version',
    severity: 'error',
    rationale:
      'Reviewers approve the app that nmaas.yaml declares; a chart published under another name or version would carry that approval to something else.',
    fix: 'Regenerate the chart with `nmaas chart <app-dir>`, or set Chart.yaml name and version equal to nmaas.yaml.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-CATALOGUE-VERSION',
    title: 'Version already published or not higher than every published version',
    severity: 'error',
    rationale:
      'A published chart version is immutable: re-publishing it changes what users already installed, and a lower version is never offered as an upgrade.',
    fix: 'Raise `version` in nmaas.yaml (and regenerate the chart) above the highest version in the catalogue.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-CHART-RENDER',
    title: 'helm template fails',
    severity: 'error',
    rationale:
      'A chart that does not render with its defaults, or with values the form allows, breaks the install for users who choose them.',
    fix: 'Run `helm template` with the value set named in the finding and fix the template or values.schema.json bounds.',
    scope: 'chart',
    securitySeverity: 8,
  },
  {
    id: 'NMAAS-SELF-EXEMPTION',
    title: 'Submission tries to exempt itself from checks',
    severity: 'warning',
    securitySeverity: 6,
    rationale:
      'Exemptions belong to reviewers (policy file), never to the submitter: any deployer could otherwise switch checks off (Polaris #635). Markers in the chart are ignored and reported.',
    fix: 'Remove the suppression; ask the reviewers for an exemption in their policy file, with a justification and an expiry.',
    scope: 'chart',
  },
  {
    id: 'NMAAS-RENDERED-YAML',
    title: 'Rendered manifest that Kubernetes reads differently',
    severity: 'error',
    securitySeverity: 8,
    rationale:
      'Helm sends the rendered YAML to Kubernetes, which decodes it with its own rules (YAML 1.1, last duplicate key wins). A duplicate key shows a reviewer one value and the cluster another; a document that does not parse is checked by nobody.',
    fix: 'Write each key once per mapping and make every rendered document a valid YAML mapping (`helm template` shows the output).',
    scope: 'chart',
  },
  {
    id: 'NMAAS-INSTALL-TIME-BRANCH',
    title: 'Template that can render differently at install than in review',
    severity: 'warning',
    securitySeverity: 6,
    rationale:
      'Review renders the chart with helm template; the install runs against a live cluster with its own release name, namespace, Kubernetes version and clock. A template that branches on those (lookup, .Release.IsUpgrade, a fixed release name, now or rand) can install what review never saw.',
    fix: 'Decide objects from values only. Where a live-cluster branch is needed, make sure every branch renders a safe object and explain it to the reviewer.',
    scope: 'chart',
  },
  {
    id: 'NMAAS-RENDER-DIVERGENCE',
    title: 'Security field that changes with the install context or a form value',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A reviewer approves what the defaults render. A security field (privileges, host namespaces, capabilities, image, service account, RBAC) that changes with the release name, namespace, upgrade, Kubernetes version or a value in the install form installs something nobody reviewed, even when each rendering looks safe on its own.',
    fix: 'Render security fields from constants, or from a value whose every choice the reviewer can see; never from the release, the cluster or the clock.',
    scope: 'chart',
  },
  {
    id: 'NMAAS-PSS-HOST-PROCESS',
    title: 'Windows HostProcess container',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 9,
    rationale:
      'A HostProcess container runs as a process on the Windows host with full access to it (PSS baseline "HostProcess").',
    fix: 'Remove securityContext.windowsOptions.hostProcess (NMaaS apps run on Linux).',
    peers: {
      polaris: ['hostProcess'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-HOST-NAMESPACES',
    title: 'Pod shares the host network, PID or IPC namespace',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 8.5,
    rationale:
      'hostNetwork lets a measurement sniff and spoof every flow of the node owner; hostPID/hostIPC expose every process on the node (PSS baseline "Host Namespaces").',
    fix: 'Remove hostNetwork, hostPID and hostIPC from the pod spec; measure from the pod network.',
    peers: {
      kubeLinter: ['host-network', 'host-pid', 'host-ipc'],
      polaris: ['hostNetworkSet', 'hostPIDSet', 'hostIPCSet'],
      kubesec: ['HostNetwork', 'HostPID', 'HostIPC'],
      checkov: ['CKV_K8S_19', 'CKV_K8S_17', 'CKV_K8S_18'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-PRIVILEGED',
    title: 'Privileged container',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 9.5,
    rationale:
      'A privileged container has every capability and every host device: it is root on the node (PSS baseline "Privileged Containers").',
    fix: 'Remove securityContext.privileged; declare the one capability the app needs in nmaas.yaml instead.',
    peers: {
      kubeLinter: ['privileged-container'],
      polaris: ['runAsPrivileged'],
      kubesec: ['Privileged'],
      checkov: ['CKV_K8S_16'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-CAPABILITIES-BASELINE',
    title: 'Capability beyond the baseline set',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 8,
    rationale:
      'Capabilities outside the runtime default set (SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE…) break container isolation (PSS baseline "Capabilities"). NMaaS allows one only when nmaas.yaml declares and justifies it, on the app\'s own container.',
    fix: 'Remove the capability, or declare it in nmaas.yaml `capabilities` with a justification (only on the app container).',
    peers: {
      kubeLinter: ['privilege-escalation-container'],
      polaris: ['dangerousCapabilities'],
      kubesec: ['CapSysAdmin'],
      checkov: ['CKV_K8S_25', 'CKV_K8S_39'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-HOST-PATH',
    title: 'hostPath volume',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 9,
    rationale:
      'A hostPath volume reads or writes the node\'s files (/var/run/containerd.sock, /etc): a container escape by configuration (PSS baseline "HostPath Volumes").',
    fix: 'Use an emptyDir or a ConfigMap instead of hostPath.',
    peers: {
      kubeLinter: ['sensitive-host-mounts', 'docker-sock', 'writable-host-mount'],
      polaris: ['hostPathSet'],
      kubesec: ['DockerSock'],
      checkov: ['CKV_K8S_27'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-HOST-PORTS',
    title: 'Container binds a host port',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7,
    rationale:
      'A hostPort opens a port on the node owner\'s address, bypassing NetworkPolicy and colliding with their services (PSS baseline "Host Ports").',
    fix: 'Remove hostPort; Prometheus scrapes the metrics port through the pod network.',
    peers: {
      polaris: ['hostPortSet'],
      checkov: ['CKV_K8S_26'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-HOST-PROBES',
    title: 'Probe or lifecycle hook targets another host',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 6.5,
    rationale:
      'A probe or hook with `host` makes the kubelet send requests to any address from the node (SSRF from the node\'s network; PSS baseline "Host Probes / Lifecycle Hooks", v1.34+).',
    fix: 'Remove `host` from httpGet/tcpSocket probes and hooks; they target the pod itself.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-APPARMOR',
    title: 'AppArmor profile overridden',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7,
    rationale:
      'Setting AppArmor to unconfined (or any profile but the runtime default or a node-local one) removes a layer that blocks container escapes (PSS baseline "AppArmor").',
    fix: 'Leave appArmorProfile unset or set it to RuntimeDefault.',
    peers: {
      polaris: ['linuxHardening'],
      kubesec: ['ApparmorAny'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-SELINUX',
    title: 'Custom SELinux type, user or role',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7,
    rationale:
      'A custom SELinux user, role or type (e.g. spc_t) lifts the confinement that keeps a container off the host (PSS baseline "SELinux").',
    fix: 'Remove seLinuxOptions or keep type to container_t and friends, without user or role.',
    peers: {
      polaris: ['linuxHardening'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-PROC-MOUNT',
    title: 'Unmasked /proc mount',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7,
    rationale:
      'procMount: Unmasked exposes host kernel knobs under /proc that the default mask hides (PSS baseline "/proc Mount Type"; since v1.35 baseline allows it in a user namespace, `hostUsers: false`, which NMAAS-PSS-PROC-MOUNT-RESTRICTED still refuses).',
    fix: 'Remove securityContext.procMount (or set Default).',
    peers: {
      kubeLinter: ['unsafe-proc-mount'],
      polaris: ['procMount'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-SECCOMP-BASELINE',
    title: 'Seccomp explicitly Unconfined',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7,
    rationale:
      'Unconfined seccomp lets the container call every syscall, including the ones behind most kernel container escapes (PSS baseline "Seccomp").',
    fix: 'Set seccompProfile.type: RuntimeDefault on the pod.',
    peers: {
      polaris: ['linuxHardening'],
      kubesec: ['SeccompUnconfined'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-SYSCTLS',
    title: 'Unsafe sysctl',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 7,
    rationale:
      'Sysctls outside the safe namespaced set change the node\'s kernel for every workload, and so every measurement on it (PSS baseline "Sysctls").',
    fix: 'Remove the sysctl; net.ipv4.ping_group_range is safe and enables ICMP without NET_RAW.',
    peers: {
      kubeLinter: ['unsafe-sysctls'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-VOLUME-TYPES',
    title: 'Volume type outside the restricted list',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6.5,
    rationale:
      'Volume types other than configMap, downwardAPI, emptyDir, projected, secret, csi, persistentVolumeClaim, ephemeral and image reach node or network storage directly (PSS restricted "Volume Types").',
    fix: 'Use emptyDir for scratch space and configMap for configuration.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-PRIVILEGE-ESCALATION',
    title: 'Privilege escalation not disabled',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7,
    rationale:
      'Without allowPrivilegeEscalation: false, a setuid binary in the image turns the non-root user into root (PSS restricted "Privilege Escalation"). The one exception is the app\'s own container when every capability it adds is declared and justified in nmaas.yaml, capabilities drop ALL and runAsNonRoot is set: the non-root app can then use its declared capability through a file capability (which no_new_privs would disable), and escalation cannot reach beyond that bounding set (reported as a note).',
    fix: 'Set securityContext.allowPrivilegeEscalation: false on every container, init and ephemeral containers included (an app that needs a declared capability as a file capability: only on its own container, with drop ALL and runAsNonRoot).',
    peers: {
      kubeLinter: ['privilege-escalation-container'],
      polaris: ['privilegeEscalationAllowed'],
      kubesec: ['AllowPrivilegeEscalation'],
      checkov: ['CKV_K8S_20'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-RUN-AS-NON-ROOT',
    title: 'Containers may run as root',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7,
    rationale:
      'runAsNonRoot: true makes the kubelet refuse to start a container whose user is root, whatever the image says (PSS restricted "Running as Non-root").',
    fix: 'Set spec.securityContext.runAsNonRoot: true (the NMaaS image runs as 65532) and never false on a container.',
    peers: {
      kubeLinter: ['run-as-non-root'],
      polaris: ['runAsRootAllowed'],
      kubesec: ['RunAsNonRoot'],
      checkov: ['CKV_K8S_23'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-RUN-AS-USER',
    title: 'runAsUser is 0 (root)',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7.5,
    rationale: 'An explicit runAsUser: 0 runs the process as root (PSS restricted "Running as Non-root user").',
    fix: 'Set runAsUser to 65532 (the NMaaS image user) or leave it unset.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-SECCOMP-RESTRICTED',
    title: 'Seccomp profile not set to RuntimeDefault or Localhost',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6,
    rationale:
      'Left unset, many runtimes run without any syscall filter; restricted requires the runtime default profile or a node-local one (PSS restricted "Seccomp").',
    fix: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault.',
    peers: {
      polaris: ['linuxHardening'],
      kubesec: ['SeccompAny'],
      checkov: ['CKV_K8S_31'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-CAPABILITIES-RESTRICTED',
    title: 'Capabilities not dropped, or added beyond NET_BIND_SERVICE',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6,
    rationale:
      'Restricted pods drop ALL capabilities and may add back only NET_BIND_SERVICE: a compromised process then holds no kernel privilege (PSS restricted "Capabilities").',
    fix: 'Set securityContext.capabilities.drop: [ALL] on every container and add only what nmaas.yaml declares.',
    peers: {
      polaris: ['insecureCapabilities'],
      kubesec: ['CapDropAll', 'CapDropAny'],
      checkov: ['CKV_K8S_37'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PSS-PROC-MOUNT-RESTRICTED',
    title: 'Unmasked /proc mount in a user namespace',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 6,
    rationale:
      'Restricted allows no procMount but Default, even in a user namespace (`hostUsers: false`), where baseline has allowed Unmasked since v1.35 (PSS restricted "/proc Mount Type").',
    fix: 'Remove securityContext.procMount (or set Default).',
    peers: {
      kubeLinter: ['unsafe-proc-mount'],
      polaris: ['procMount'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-SECURITY-FIELD-TYPE',
    title: 'Security field that is not a real boolean',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'A quoted "false", a number or a list where Kubernetes expects a boolean is read one way by a reviewer and another way (or refused) by each tool: the checks cannot vouch for what the cluster will do with it.',
    fix: 'Write true or false, unquoted (YAML 1.1 also reads yes/no/on/off as booleans, which is legal but best avoided).',
    scope: 'objects',
  },
  {
    id: 'NMAAS-CAP-UNDECLARED',
    title: 'Capability added that nmaas.yaml does not declare',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'Reviewers approve the capabilities nmaas.yaml declares with a justification; one added only in a template bypasses that review.',
    fix: 'Remove the capability from the template, or declare it in nmaas.yaml `capabilities` with a justification.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-CAP-NET-OWN-CONTAINER',
    title: "NET_RAW or NET_ADMIN outside the app's own container",
    severity: 'error',
    securitySeverity: 8,
    rationale:
      'NET_RAW and NET_ADMIN let a process forge packets or reconfigure the pod network; a declaration justifies them for the measurement code only, never for a sidecar or init container nobody reviewed.',
    fix: "Add NET_RAW / NET_ADMIN only on the container that runs the app's image (the one nmaas.yaml names).",
    peers: {
      kubeLinter: ['drop-net-raw-capability'],
      checkov: ['CKV_K8S_28'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-RESOURCES',
    title: 'CPU or memory request or limit missing',
    severity: 'error',
    securitySeverity: 5,
    rationale:
      'The scheduler gives each measurement a slot sized from its declared resources; a container without limits can starve the others on the node and make their results wrong.',
    fix: 'Set resources.requests and resources.limits for cpu and memory on every container (`nmaas chart` derives them from nmaas.yaml).',
    peers: {
      kubeLinter: ['unset-cpu-requirements', 'unset-memory-requirements'],
      polaris: ['cpuRequestsMissing', 'cpuLimitsMissing', 'memoryRequestsMissing', 'memoryLimitsMissing'],
      kubesec: ['RequestsCPU', 'LimitsCPU', 'RequestsMemory', 'LimitsMemory'],
      checkov: ['CKV_K8S_10', 'CKV_K8S_11', 'CKV_K8S_12', 'CKV_K8S_13'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-IMAGE-DIGEST',
    title: 'Image not pinned by digest',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'A tag can be moved to other content after review; only a sha256 digest pins the image the reviewers looked at.',
    fix: 'Reference every image as repository:tag@sha256:<digest>. For the app image, `nmaas image build` pins the built digest in image.lock.json and `nmaas chart` writes it into the chart (image.digest in nmaas.yaml for an image built elsewhere).',
    peers: {
      checkov: ['CKV_K8S_43'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-IMAGE-PLACEHOLDER',
    title: 'Image digest is a placeholder',
    severity: 'error',
    securitySeverity: 5,
    rationale:
      'A placeholder digest (all zeros, a repeated pattern) names no image: every install ends in ImagePullBackOff, and whoever later pushes content under it decides what runs.',
    fix: 'Build the image with `nmaas image build <app-dir>` (it pins the real digest in image.lock.json) and remove the placeholder from nmaas.yaml image.digest; a catalogue may only carry such an app when built with --experimental-images, which marks it experimental.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-IMAGE-REGISTRY',
    title: 'Image from a registry that is not allowed',
    severity: 'error',
    securitySeverity: 6.5,
    rationale:
      'Images must come from registries the operators trust and can reach from every measurement network; an arbitrary host can serve different content per client.',
    fix: 'Push the image to an allowed registry (policy `allowedRegistries`; default ghcr.io, quay.io, registry.k8s.io, docker.io).',
    scope: 'objects',
  },
  {
    id: 'NMAAS-IMAGE-MISMATCH',
    title: 'App container image differs from nmaas.yaml',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'Reviewers approve the image nmaas.yaml pins (repository and digest); a chart running another image ships code nobody reviewed.',
    fix: 'Regenerate the chart with `nmaas chart`, or make the app container image equal image.repository:tag@digest from nmaas.yaml.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-SA-TOKEN',
    title: 'Service account token mounted',
    severity: 'error',
    securitySeverity: 6.5,
    rationale:
      'A measurement needs no Kubernetes API access; a mounted token is what an attacker in the pod uses to move into the cluster.',
    fix: 'Set automountServiceAccountToken: false on the pod spec (and on its ServiceAccount).',
    peers: {
      polaris: ['automountServiceAccountToken'],
      kubesec: ['AutomountServiceAccountToken'],
      checkov: ['CKV_K8S_38'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-SECRET-OBJECT',
    title: 'Chart ships a Secret',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A Secret in a public catalogue chart is either a leaked credential or a default password every install shares.',
    fix: 'Remove the Secret; let users reference their own Secret by name through a value.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-SECRET-LITERAL',
    title: 'Secret-looking literal value',
    severity: 'error',
    securitySeverity: 7.5,
    rationale:
      'A password, token or key written into env or a ConfigMap is readable by anyone who can read the chart or the pod spec.',
    fix: 'Remove the literal; take it from a user-provided Secret with env.valueFrom.secretKeyRef.',
    peers: {
      kubeLinter: ['env-var-secret'],
      polaris: ['sensitiveContainerEnvVar', 'sensitiveConfigmapContent'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-RBAC-SCOPE',
    title: 'RBAC outside the release namespace',
    severity: 'error',
    securitySeverity: 8.5,
    rationale:
      'A measurement app must not grant anything beyond its own namespace: a ClusterRole(Binding), a Role in another namespace or a binding to a built-in admin role hands the cluster to whoever controls the pod.',
    fix: 'Remove cluster-wide RBAC; if the app truly needs API access, use a Role and RoleBinding in the release namespace with named resources.',
    peers: {
      kubeLinter: ['cluster-admin-role-binding'],
      polaris: ['clusterrolebindingClusterAdmin', 'rolebindingClusterAdminRole'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-RBAC-WILDCARD',
    title: 'RBAC rule with a wildcard verb, resource or API group',
    severity: 'error',
    securitySeverity: 8,
    rationale:
      'A `*` grants every present and future verb or resource, including secrets, exec and escalate (Trivy KSV-0044/0045/0046, Checkov CKV_K8S_49).',
    fix: 'List the exact apiGroups, resources and verbs the app needs.',
    peers: {
      kubeLinter: ['wildcard-in-rules'],
      checkov: ['CKV_K8S_49'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-CLUSTER-SCOPED',
    title: 'Cluster-scoped or unexpected kind',
    severity: 'error',
    securitySeverity: 8,
    rationale:
      'A measurement app lives in one namespace; a webhook, CRD, Namespace or PriorityClass changes the whole cluster for every tenant and survives the app, and a custom kind hands its spec to a controller nobody reviewed. Only the namespaced kinds an app needs are accepted.',
    fix: "Remove the object; cluster-wide setup belongs to the cluster operators. A namespaced kind outside the list needs a reviewer's exemption naming it.",
    scope: 'objects',
  },
  {
    id: 'NMAAS-FOREIGN-NAMESPACE',
    title: 'Object placed in another namespace',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      "Objects outside the release namespace escape the user's choice of namespace, its quotas and its policies, and can overwrite another tenant's objects; only a Grafana dashboard for the monitoring stack is expected (a note).",
    fix: 'Leave metadata.namespace unset (helm puts objects in the release namespace), or make it a value the user sets.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-READONLY-ROOT-FS',
    title: 'Root filesystem writable',
    severity: 'warning',
    securitySeverity: 5,
    rationale:
      'NMaaS containers write only /tmp; a writable root lets an attacker drop tools into the image (kube-score critical, Trivy KSV-0014).',
    fix: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir at /tmp.',
    peers: {
      kubeLinter: ['no-read-only-root-fs'],
      polaris: ['notReadOnlyRootFilesystem'],
      kubesec: ['ReadOnlyRootFilesystem'],
      checkov: ['CKV_K8S_22'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-SERVICE-EXPOSED',
    title: 'Service exposed outside the cluster',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      "A NodePort, LoadBalancer or externalIPs Service opens the metrics port on the node owner's network; Prometheus scrapes from inside the cluster.",
    fix: 'Use type ClusterIP (or ExternalName) without externalIPs.',
    peers: {
      kubeLinter: ['exposed-services'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-NETWORK-POLICY',
    title: 'No NetworkPolicy selects the measurement pods',
    severity: 'error',
    securitySeverity: 6,
    rationale:
      "Measurement pods run inside other people's networks; a NetworkPolicy limits ingress to the metrics port from monitoring, so a compromised neighbour cannot reach them. The chart is judged by what it renders at its defaults and at the form bounds; only a user who switches the policy off in the form (a networkPolicy value set to false) goes without one, and that is a note.",
    fix: 'Ship a NetworkPolicy whose podSelector matches the pod labels at every value the form allows (`nmaas chart` writes one; only `networkPolicy.enabled: false` removes it).',
    peers: {
      kubeLinter: ['non-isolated-pod'],
      polaris: ['missingNetworkPolicy'],
      checkov: ['CKV2_K8S_6'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-METRICS-ENDPOINT',
    title: 'Metrics endpoint missing or inconsistent',
    severity: 'error',
    securitySeverity: 3,
    rationale:
      "Results reach Prometheus only through the SDK's metrics port 9464, exposed by a Service; health probes on /healthz and /readyz let Kubernetes restart a stuck measurement.",
    fix: 'Expose containerPort 9464 on the app container, select the pod from a Service on that port, and probe /healthz and /readyz on it (`nmaas chart` writes all three).',
    scope: 'objects',
  },
  {
    id: 'NMAAS-CONTRACT',
    title: 'Scheduling contract missing or inconsistent with nmaas.yaml',
    severity: 'error',
    securitySeverity: 4,
    rationale:
      'The scheduler webhook gives each measurement pod a node and a time phase from its contract labels and annotations; a missing or false contract makes measurements compete and report wrong results, or dodges the schedule altogether.',
    fix: 'Regenerate the chart with `nmaas chart`: it writes the contract from nmaas.yaml with the SDK contract module.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-RBAC-DANGEROUS',
    title: 'Role that grants Secrets, pod creation, exec or privilege escalation',
    severity: 'error',
    securitySeverity: 8,
    rationale:
      'Even inside its namespace, a Role that reads Secrets, creates pods or workloads, execs or attaches into pods, mints tokens or uses escalate/bind/impersonate lets whoever controls the app take every credential in the namespace.',
    fix: 'Grant only the named resources and read verbs the app needs; measurement apps need no Kubernetes API access at all.',
    peers: {
      kubeLinter: ['access-to-secrets', 'access-to-create-pods'],
      polaris: ['rolePodExecAttach', 'clusterrolePodExecAttach'],
      checkov: ['CKV_K8S_157', 'CKV_K8S_158'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-RBAC-ANONYMOUS',
    title: 'Binding to anonymous or every user',
    severity: 'error',
    securitySeverity: 9,
    rationale:
      'A RoleBinding or ClusterRoleBinding to system:anonymous, system:unauthenticated or system:authenticated grants its role to anyone who can reach the API server.',
    fix: "Bind only the app's own ServiceAccount.",
    peers: {
      kubesec: ['BindingsToSystemAnonymous'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-PROJECTED-TOKEN',
    title: 'Service account token mounted through a projected volume',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'A projected serviceAccountToken source mounts an API token even when automountServiceAccountToken is false, so the pod can call the API server as its service account.',
    fix: 'Remove the serviceAccountToken source; measurement apps need no Kubernetes API access.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-NETWORK-POLICY-OPEN',
    title: 'NetworkPolicy that does not isolate ingress',
    severity: 'error',
    securitySeverity: 6,
    rationale:
      'A NetworkPolicy that leaves out Ingress from its policyTypes (with egress rules only), or whose ingress rule admits every source, selects the pods without isolating them: any neighbour can reach them.',
    fix: 'List Ingress in policyTypes and admit only the monitoring namespace on the metrics port.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-INGRESS',
    title: 'Ingress, Gateway or route that exposes the app',
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'An Ingress, Gateway or HTTPRoute publishes the app outside the cluster through a shared proxy; an ingress-nginx snippet annotation runs arbitrary proxy configuration that can read every Secret the controller can.',
    fix: 'Remove the object: Prometheus scrapes measurement apps from inside the cluster.',
    peers: {
      checkov: ['CKV_K8S_152', 'CKV_K8S_153', 'CKV_K8S_154'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-SCHEDULING-ESCAPE',
    title: "Pod that escapes the scheduler's placement",
    severity: 'error',
    securitySeverity: 7,
    rationale:
      'NMaaS decides which node owner hosts a measurement. A toleration of every taint (operator Exists without a key), a fixed nodeName (which skips the scheduler and its admission), control-plane affinity or a system-* priority class puts the pod where no owner agreed to run it, or lets it evict others.',
    fix: 'Remove nodeName, broad tolerations, control-plane selectors and system priority classes; placement comes from the nmaas.io scheduling annotations.',
    scope: 'objects',
  },
  {
    id: 'NMAAS-ROOT-GROUP',
    title: 'Pod or container runs with the root group',
    severity: 'error',
    securitySeverity: 6,
    rationale:
      'runAsGroup, fsGroup or supplementalGroups 0 gives the process group root, which owns many host-mounted and device files; PSS leaves it open, NMaaS does not.',
    fix: 'Use a non-zero group (charts from `nmaas chart` use 65532).',
    peers: {
      kubeLinter: ['run-as-non-root'],
    },
    scope: 'objects',
  },
  {
    id: 'NMAAS-NODE-STORAGE',
    title: "Unbounded use of the node owner's disk",
    severity: 'warning',
    securitySeverity: 4,
    rationale:
      'Measurement nodes belong to other people: an emptyDir without sizeLimit or a container without an ephemeral-storage limit can fill their disk, and a PersistentVolumeClaim keeps storage after the app is gone.',
    fix: 'Give every emptyDir a sizeLimit and every container a resources.limits.ephemeral-storage; keep results in the metrics, not in volumes.',
    scope: 'objects',
  },
];
