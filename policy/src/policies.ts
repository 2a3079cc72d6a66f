/**
 * The admission policies: one entry per validator rule mirrored at install time. This list is the
 * single source of the ValidatingAdmissionPolicy objects the chart ships and of the admission
 * simulation the tests run; each validation's message is built from the validator rule's own
 * metadata (id, title, fix), so review and admission explain a refusal the same way.
 */
import { APP_LABEL, POD_ANNOTATIONS } from '@nmaas/sdk/contract';
import { BASELINE_CAPABILITIES, RULES_BY_ID, SAFE_SYSCTLS } from '@nmaas/validator';
import { ALL_CONTAINERS, APP_NAME, NOW, field, lit, litList } from './cel.js';

/**
 * Which pods a policy's binding selects.
 * - `measurement`: every pod in a measurement namespace (restricted and capability namespaces).
 * - `capability-namespace`: pods in the capability namespace, where PSA enforces nothing and these
 *   policies enforce PSS restricted except each app's declared capabilities.
 * - `app-pods-elsewhere`: pods labelled with the app label outside the measurement namespaces.
 * - `namespaces`: the measurement Namespace objects themselves.
 */
export type PolicyScope = 'measurement' | 'capability-namespace' | 'app-pods-elsewhere' | 'namespaces';

export interface PolicyValidation {
  expression: string;
  /** What failed, in the object's terms; the rule id, title and fix are added to it. */
  message: string;
}

export interface AdmissionRule {
  /** Suffix of the ValidatingAdmissionPolicy name, `nmaas-<name>`. */
  name: string;
  /** The validator rule this policy enforces at install time. */
  mirrors: string;
  scope: PolicyScope;
  validations: PolicyValidation[];
}

export interface PolicyVariable {
  name: string;
  expression: string;
}

/** Variables every pod policy evaluates, in order (later ones use earlier ones). */
export const POD_VARIABLES: readonly PolicyVariable[] = [
  { name: 'app', expression: APP_NAME },
  { name: 'containers', expression: ALL_CONTAINERS },
  { name: 'now', expression: NOW },
  {
    name: 'published',
    expression: 'has(params.spec.apps) ? params.spec.apps.filter(a, a.name == variables.app) : []',
  },
  {
    name: 'appImage',
    expression: "variables.published.size() == 1 ? variables.published[0].imageRepository : ''",
  },
  {
    name: 'appDigests',
    expression: 'variables.published.size() == 1 ? variables.published[0].imageDigests : []',
  },
  {
    name: 'declared',
    expression:
      'variables.published.size() == 1 && has(variables.published[0].capabilities) ? variables.published[0].capabilities : []',
  },
  {
    // Reviewer exemptions for this app that have not expired, as `rule|container|value` keys.
    name: 'exemptions',
    expression:
      'has(params.spec.exemptions) ? params.spec.exemptions' +
      '.filter(e, e.app == variables.app && timestamp(e.notAfter) > variables.now)' +
      ".map(e, e.rule + '|' + (has(e.container) ? e.container : '') + '|' + (has(e.value) ? e.value : '')) : []",
  },
];

/** An exemption for `rule` covers this container (or the pod, with container '') and value. */
function exempt(rule: string, container: string, value: string): string {
  return `(${lit(`${rule}|`)} + ${container} + '|' + ${value}) in variables.exemptions`;
}

/** The app's own container: a regular container running the published image. */
function isAppContainer(c: string): string {
  return (
    `(object.spec.containers.exists(x, x.name == ${c}.name) && variables.appImage != '' && ` +
    `has(${c}.image) && (${c}.image.startsWith(variables.appImage + ':') || ${c}.image.startsWith(variables.appImage + '@')))`
  );
}

const sc = (c: string) => (path: string[], fallback: string) => field(c, ['securityContext', ...path], fallback);
const podSc = sc('object.spec');
const added = (c: string) => sc(c)(['capabilities', 'add'], '[]');

/** Each container passes `check(c)` unless an unexpired exemption names the rule and container. */
function eachContainer(rule: string, check: (c: string) => string): string {
  return `variables.containers.all(c, ${check('c')} || ${exempt(rule, 'c.name', "''")})`;
}
/** The pod passes `check` unless an unexpired exemption names the rule for the pod. */
function pod(rule: string, check: string): string {
  return `((${check}) || ${exempt(rule, "''", "''")})`;
}

const declaredOnApp = (c: string, cap: string) => `(${isAppContainer(c)} && ${cap} in variables.declared)`;

// ---- NMaaS rules that Pod Security does not cover: every measurement pod ----

const nmaasRules: AdmissionRule[] = [
  {
    name: 'published-release',
    mirrors: 'NMAAS-IMAGE-MISMATCH',
    scope: 'measurement',
    validations: [
      {
        expression: pod('NMAAS-IMAGE-MISMATCH', `variables.app != ''`),
        message: `the pod has no ${APP_LABEL} label: only measurement apps run in a measurement namespace`,
      },
      {
        expression: pod('NMAAS-IMAGE-MISMATCH', 'variables.published.size() == 1'),
        message: `the ${APP_LABEL} label names no app the catalogue published (platform values apps[])`,
      },
      {
        expression: pod(
          'NMAAS-IMAGE-MISMATCH',
          `object.spec.containers.exists(c, ${isAppContainer('c')} && variables.appDigests.exists(d, c.image.endsWith('@' + d)))`,
        ),
        message: 'no container runs the image (repository and digest) the catalogue published for this app',
      },
    ],
  },
  {
    name: 'scheduling-contract',
    mirrors: 'NMAAS-CONTRACT',
    scope: 'measurement',
    validations: [
      {
        expression: pod(
          'NMAAS-CONTRACT',
          `has(object.metadata.annotations) && ${litList([POD_ANNOTATIONS.every, POD_ANNOTATIONS.duration, POD_ANNOTATIONS.startWithin])}` +
            `.all(k, k in object.metadata.annotations && object.metadata.annotations[k].matches('^[0-9]{1,7}$'))`,
        ),
        message: `the scheduling contract's ${POD_ANNOTATIONS.every}, ${POD_ANNOTATIONS.duration} and ${POD_ANNOTATIONS.startWithin} annotations must be whole seconds`,
      },
      {
        expression: pod(
          'NMAAS-CONTRACT',
          `has(object.metadata.annotations) && ${litList([POD_ANNOTATIONS.run, POD_ANNOTATIONS.idle])}` +
            `.all(k, k in object.metadata.annotations && object.metadata.annotations[k].matches('^[a-z]+=[0-9.]+[A-Za-z]*(,[a-z]+=[0-9.]+[A-Za-z]*)*$'))`,
        ),
        message: `the scheduling contract's ${POD_ANNOTATIONS.run} and ${POD_ANNOTATIONS.idle} annotations must list resources such as cpu=250m,memory=128Mi`,
      },
      {
        expression: pod(
          'NMAAS-CONTRACT',
          `has(object.metadata.annotations) && ${lit(POD_ANNOTATIONS.exclusive)} in object.metadata.annotations && ` +
            `object.metadata.annotations[${lit(POD_ANNOTATIONS.exclusive)}] == ` +
            "(variables.published.size() == 1 && variables.published[0].exclusive ? 'true' : 'false')",
        ),
        message: `the ${POD_ANNOTATIONS.exclusive} annotation must say what the published app declares (placement.exclusive)`,
      },
      {
        expression: pod('NMAAS-CONTRACT', "!has(object.spec.nodeName) || object.spec.nodeName == ''"),
        message: 'spec.nodeName bypasses the NMaaS scheduler, which places measurement pods',
      },
      {
        expression: pod(
          'NMAAS-CONTRACT',
          "!has(object.spec.tolerations) || object.spec.tolerations.all(t, !(has(t.operator) && t.operator == 'Exists' && (!has(t.key) || t.key == '')))",
        ),
        message:
          'a toleration with operator Exists and no key tolerates every taint, landing the pod on nodes kept for others',
      },
      {
        expression: pod(
          'NMAAS-CONTRACT',
          "!has(object.spec.priorityClassName) || !object.spec.priorityClassName.startsWith('system-')",
        ),
        message: 'system-* priority classes are for cluster components: a measurement would preempt them',
      },
    ],
  },
  {
    name: 'image-digest',
    mirrors: 'NMAAS-IMAGE-DIGEST',
    scope: 'measurement',
    validations: [
      {
        expression: `variables.containers.all(c, (has(c.image) && c.image.matches('@sha256:[a-f0-9]{64}$')) || ${exempt('NMAAS-IMAGE-DIGEST', 'c.name', "(has(c.image) ? c.image : '')")})`,
        message: 'a container image is not pinned by a sha256 digest',
      },
    ],
  },
  {
    name: 'image-registry',
    mirrors: 'NMAAS-IMAGE-REGISTRY',
    scope: 'measurement',
    validations: [
      {
        // Docker's rule: the first path part is a registry host when it has '.' or ':' or is localhost.
        expression:
          'variables.containers.all(c, has(c.image) && (' +
          "(c.image.matches('^[^/]*[.:][^/]*/') || c.image.startsWith('localhost/')) " +
          "? params.spec.allowedRegistries.exists(r, c.image.startsWith(r + '/')) " +
          ": 'docker.io' in params.spec.allowedRegistries" +
          `) || ${exempt('NMAAS-IMAGE-REGISTRY', 'c.name', "(has(c.image) ? c.image : '')")})`,
        message: 'a container image comes from a registry outside the allowed list (platform values allowedRegistries)',
      },
    ],
  },
  {
    name: 'resources',
    mirrors: 'NMAAS-RESOURCES',
    scope: 'measurement',
    validations: [
      {
        expression: `(object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])).all(c, ${[
          'requests',
          'limits',
        ]
          .flatMap((k) => ['cpu', 'memory'].map((r) => `'${r}' in ${field('c', ['resources', k], '{}')}`))
          .join(' && ')} || ${exempt('NMAAS-RESOURCES', 'c.name', "''")})`,
        message: 'a container lacks cpu or memory requests or limits',
      },
      {
        // Ephemeral storage is bounded when every emptyDir has a sizeLimit (the image's root is read-only).
        expression: pod(
          'NMAAS-RESOURCES',
          "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.emptyDir) || has(v.emptyDir.sizeLimit) || (has(v.emptyDir.medium) && v.emptyDir.medium == 'Memory'))",
        ),
        message: "an emptyDir volume has no sizeLimit, so the pod can fill the node's disk",
      },
    ],
  },
  {
    name: 'service-account-token',
    mirrors: 'NMAAS-SA-TOKEN',
    scope: 'measurement',
    validations: [
      {
        expression: pod(
          'NMAAS-SA-TOKEN',
          'has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken == false',
        ),
        message: 'automountServiceAccountToken is not false on the pod',
      },
      {
        expression: pod(
          'NMAAS-SA-TOKEN',
          '!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.projected) || !has(v.projected.sources) || v.projected.sources.all(s, !has(s.serviceAccountToken)))',
        ),
        message: 'a projected volume mounts a service account token',
      },
    ],
  },
  {
    name: 'root-group',
    mirrors: 'NMAAS-ROOT-GROUP',
    scope: 'measurement',
    validations: [
      {
        expression:
          pod(
            'NMAAS-ROOT-GROUP',
            `${podSc(['runAsGroup'], '1')} != 0 && ${podSc(['fsGroup'], '1')} != 0 && ` +
              `!(0 in ${podSc(['supplementalGroups'], '[]')})`,
          ) + ` && ${eachContainer('NMAAS-ROOT-GROUP', (c) => `${sc(c)(['runAsGroup'], '1')} != 0`)}`,
        message: 'runAsGroup, fsGroup or supplementalGroups is 0 (the root group)',
      },
    ],
  },
  {
    name: 'declared-capabilities',
    mirrors: 'NMAAS-CAP-UNDECLARED',
    scope: 'measurement',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-CAP-UNDECLARED',
          (c) =>
            `${added(c)}.all(cap, cap in ${litList(BASELINE_CAPABILITIES)} || ${declaredOnApp(c, 'cap')} || ${exempt('NMAAS-CAP-UNDECLARED', `${c}.name`, 'cap')})`,
        ),
        message:
          'a container adds a capability that the published app does not declare in nmaas.yaml, or adds it outside the app container',
      },
    ],
  },
];

// ---- Pod Security in the capability namespace: restricted, except each app's declared capabilities ----

const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'];
/**
 * Volume sources outside the restricted list (configMap, csi, downwardAPI, emptyDir, ephemeral,
 * image, persistentVolumeClaim, projected, secret), named one by one as PSA's
 * check_restrictedVolumes does: Kubernetes' CEL cannot iterate over an object's fields, and the API
 * schema refuses fields it does not know. hostPath is NMAAS-PSS-HOST-PATH's refusal.
 */
const NON_RESTRICTED_VOLUMES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'portworxVolume',
  'photonPersistentDisk',
  'scaleIO',
  'storageos',
];
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** `base` holds the securityContext: the pod spec or a container. */
function seLinuxOk(base: string): string {
  const o = (k: string) => field(base, ['securityContext', 'seLinuxOptions', k], "''");
  return `(${o('type')} in ${litList(SELINUX_TYPES)} && ${o('user')} == '' && ${o('role')} == '')`;
}

function appArmorOk(base: string): string {
  return `(${field(base, ['securityContext', 'appArmorProfile', 'type'], "'RuntimeDefault'")} in ['RuntimeDefault', 'Localhost'])`;
}

/** The accepted escalation: the app container adding only declared capabilities, drop ALL, runAsNonRoot. */
function acceptedEscalation(c: string): string {
  const nonRoot = `(${sc(c)(['runAsNonRoot'], podSc(['runAsNonRoot'], 'false'))} == true)`;
  return (
    `(${isAppContainer(c)} && 'ALL' in ${sc(c)(['capabilities', 'drop'], '[]')} && ${nonRoot} && ` +
    `${added(c)}.size() > 0 && ${added(c)}.all(cap, cap in variables.declared))`
  );
}

const pssRules: AdmissionRule[] = [
  {
    name: 'pss-host-process',
    mirrors: 'NMAAS-PSS-HOST-PROCESS',
    scope: 'capability-namespace',
    validations: [
      {
        expression:
          pod('NMAAS-PSS-HOST-PROCESS', `${podSc(['windowsOptions', 'hostProcess'], 'false')} != true`) +
          ` && ${eachContainer('NMAAS-PSS-HOST-PROCESS', (c) => `${sc(c)(['windowsOptions', 'hostProcess'], 'false')} != true`)}`,
        message: 'windowsOptions.hostProcess is true',
      },
    ],
  },
  {
    name: 'pss-host-namespaces',
    mirrors: 'NMAAS-PSS-HOST-NAMESPACES',
    scope: 'capability-namespace',
    validations: [
      {
        expression: pod(
          'NMAAS-PSS-HOST-NAMESPACES',
          ['hostNetwork', 'hostPID', 'hostIPC']
            .map((k) => `${field('object.spec', [k], 'false')} != true`)
            .join(' && '),
        ),
        message: 'hostNetwork, hostPID or hostIPC is true',
      },
    ],
  },
  {
    name: 'pss-privileged',
    mirrors: 'NMAAS-PSS-PRIVILEGED',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer('NMAAS-PSS-PRIVILEGED', (c) => `${sc(c)(['privileged'], 'false')} != true`),
        message: 'a container is privileged',
      },
    ],
  },
  {
    name: 'pss-capabilities-baseline',
    mirrors: 'NMAAS-PSS-CAPABILITIES-BASELINE',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-PSS-CAPABILITIES-BASELINE',
          (c) =>
            `${added(c)}.all(cap, cap in ${litList(BASELINE_CAPABILITIES)} || ${declaredOnApp(c, 'cap')} || ${exempt('NMAAS-PSS-CAPABILITIES-BASELINE', `${c}.name`, 'cap')})`,
        ),
        message:
          'a container adds a capability beyond the baseline set that the app does not declare on its own container',
      },
    ],
  },
  {
    name: 'pss-host-path',
    mirrors: 'NMAAS-PSS-HOST-PATH',
    scope: 'capability-namespace',
    validations: [
      {
        expression: pod(
          'NMAAS-PSS-HOST-PATH',
          '!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))',
        ),
        message: 'a volume is a hostPath',
      },
    ],
  },
  {
    name: 'pss-host-ports',
    mirrors: 'NMAAS-PSS-HOST-PORTS',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-PSS-HOST-PORTS',
          (c) => `!has(${c}.ports) || ${c}.ports.all(p, !has(p.hostPort) || p.hostPort == 0)`,
        ),
        message: 'a container binds a hostPort',
      },
    ],
  },
  {
    name: 'pss-host-probes',
    mirrors: 'NMAAS-PSS-HOST-PROBES',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer('NMAAS-PSS-HOST-PROBES', (c) =>
          [
            ...PROBES.map((p) => [`${c}.${p}`, [p]] as const),
            ...['postStart', 'preStop'].map((h) => [`${c}.lifecycle.${h}`, ['lifecycle', h]] as const),
          ]
            .flatMap(([, path]) => ['httpGet', 'tcpSocket'].map((k) => `${field(c, [...path, k, 'host'], "''")} == ''`))
            .join(' && '),
        ),
        message: 'a probe or lifecycle hook sets host',
      },
    ],
  },
  {
    name: 'pss-apparmor',
    mirrors: 'NMAAS-PSS-APPARMOR',
    scope: 'capability-namespace',
    validations: [
      {
        expression:
          pod(
            'NMAAS-PSS-APPARMOR',
            `${appArmorOk('object.spec')} && (!has(object.metadata.annotations) || object.metadata.annotations.all(k, ` +
              `!k.startsWith('container.apparmor.security.beta.kubernetes.io/') || object.metadata.annotations[k] in ['', 'runtime/default'] || ` +
              `object.metadata.annotations[k].startsWith('localhost/')))`,
          ) + ` && ${eachContainer('NMAAS-PSS-APPARMOR', (c) => appArmorOk(c))}`,
        message: 'an AppArmor profile is unconfined or not the runtime default or a node-local profile',
      },
    ],
  },
  {
    name: 'pss-selinux',
    mirrors: 'NMAAS-PSS-SELINUX',
    scope: 'capability-namespace',
    validations: [
      {
        expression:
          pod('NMAAS-PSS-SELINUX', seLinuxOk('object.spec')) +
          ` && ${eachContainer('NMAAS-PSS-SELINUX', (c) => seLinuxOk(c))}`,
        message: 'seLinuxOptions sets a user, a role, or a type outside the container types',
      },
    ],
  },
  {
    name: 'pss-proc-mount',
    mirrors: 'NMAAS-PSS-PROC-MOUNT',
    scope: 'capability-namespace',
    validations: [
      {
        // Baseline allows an unmasked /proc inside a user namespace (hostUsers: false) since Kubernetes 1.35.
        expression: eachContainer(
          'NMAAS-PSS-PROC-MOUNT',
          (c) =>
            `${sc(c)(['procMount'], "'Default'")} == 'Default' || ` +
            `(has(object.spec.hostUsers) && object.spec.hostUsers == false)`,
        ),
        message: 'procMount is not Default outside a user namespace',
      },
    ],
  },
  {
    name: 'pss-proc-mount-restricted',
    mirrors: 'NMAAS-PSS-PROC-MOUNT-RESTRICTED',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-PSS-PROC-MOUNT-RESTRICTED',
          (c) => `${sc(c)(['procMount'], "'Default'")} == 'Default'`,
        ),
        message: 'procMount is not Default (restricted allows no unmasked /proc, even in a user namespace)',
      },
    ],
  },
  {
    name: 'pss-seccomp-baseline',
    mirrors: 'NMAAS-PSS-SECCOMP-BASELINE',
    scope: 'capability-namespace',
    validations: [
      {
        expression:
          pod('NMAAS-PSS-SECCOMP-BASELINE', `${podSc(['seccompProfile', 'type'], "''")} != 'Unconfined'`) +
          ` && ${eachContainer('NMAAS-PSS-SECCOMP-BASELINE', (c) => `${sc(c)(['seccompProfile', 'type'], "''")} != 'Unconfined'`)}`,
        message: 'a seccomp profile is Unconfined',
      },
    ],
  },
  {
    name: 'pss-sysctls',
    mirrors: 'NMAAS-PSS-SYSCTLS',
    scope: 'capability-namespace',
    validations: [
      {
        expression: pod('NMAAS-PSS-SYSCTLS', `${podSc(['sysctls'], '[]')}.all(s, s.name in ${litList(SAFE_SYSCTLS)})`),
        message: 'an unsafe sysctl is set',
      },
    ],
  },
  {
    name: 'pss-volume-types',
    mirrors: 'NMAAS-PSS-VOLUME-TYPES',
    scope: 'capability-namespace',
    validations: [
      {
        expression: pod(
          'NMAAS-PSS-VOLUME-TYPES',
          `!has(object.spec.volumes) || object.spec.volumes.all(v, ${NON_RESTRICTED_VOLUMES.map((t) => `!has(v.${t})`).join(' && ')})`,
        ),
        message:
          'a volume type is outside the restricted list (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret, image)',
      },
    ],
  },
  {
    name: 'pss-privilege-escalation',
    mirrors: 'NMAAS-PSS-PRIVILEGE-ESCALATION',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-PSS-PRIVILEGE-ESCALATION',
          (c) => `${sc(c)(['allowPrivilegeEscalation'], 'true')} == false || ${acceptedEscalation(c)}`,
        ),
        message:
          'allowPrivilegeEscalation is not false (true is accepted only on the app container adding only declared capabilities, with drop ALL and runAsNonRoot)',
      },
    ],
  },
  {
    name: 'pss-run-as-non-root',
    mirrors: 'NMAAS-PSS-RUN-AS-NON-ROOT',
    scope: 'capability-namespace',
    validations: [
      {
        expression:
          pod('NMAAS-PSS-RUN-AS-NON-ROOT', `${podSc(['runAsNonRoot'], 'true')} != false`) +
          ` && ${eachContainer('NMAAS-PSS-RUN-AS-NON-ROOT', (c) => `(has(${c}.securityContext) && has(${c}.securityContext.runAsNonRoot) ? ${c}.securityContext.runAsNonRoot == true : ${podSc(['runAsNonRoot'], 'false')} == true)`)}`,
        message: 'runAsNonRoot is not true on the container nor on the pod',
      },
    ],
  },
  {
    name: 'pss-run-as-user',
    mirrors: 'NMAAS-PSS-RUN-AS-USER',
    scope: 'capability-namespace',
    validations: [
      {
        expression:
          pod('NMAAS-PSS-RUN-AS-USER', `${podSc(['runAsUser'], '1')} != 0`) +
          ` && ${eachContainer('NMAAS-PSS-RUN-AS-USER', (c) => `${sc(c)(['runAsUser'], '1')} != 0`)}`,
        message: 'runAsUser is 0 (root)',
      },
    ],
  },
  {
    name: 'pss-seccomp-restricted',
    mirrors: 'NMAAS-PSS-SECCOMP-RESTRICTED',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-PSS-SECCOMP-RESTRICTED',
          (c) =>
            `${sc(c)(['seccompProfile', 'type'], podSc(['seccompProfile', 'type'], "''"))} in ['RuntimeDefault', 'Localhost']`,
        ),
        message: 'seccompProfile.type is not RuntimeDefault or Localhost on the container nor on the pod',
      },
    ],
  },
  {
    name: 'pss-capabilities-restricted',
    mirrors: 'NMAAS-PSS-CAPABILITIES-RESTRICTED',
    scope: 'capability-namespace',
    validations: [
      {
        expression: eachContainer(
          'NMAAS-PSS-CAPABILITIES-RESTRICTED',
          (c) =>
            `'ALL' in ${sc(c)(['capabilities', 'drop'], '[]')} && ${added(c)}.all(cap, cap == 'NET_BIND_SERVICE' || ` +
            `!(cap in ${litList(BASELINE_CAPABILITIES)}) || ${declaredOnApp(c, 'cap')})`,
        ),
        message:
          'a container does not drop ALL capabilities, or adds a baseline capability other than NET_BIND_SERVICE that the app does not declare',
      },
    ],
  },
];

// ---- Placement of measurement pods, and the namespaces' Pod Security labels ----

const placementRules: AdmissionRule[] = [
  {
    name: 'measurement-namespace',
    mirrors: 'NMAAS-FOREIGN-NAMESPACE',
    scope: 'app-pods-elsewhere',
    validations: [
      {
        expression: 'false',
        message: `a pod labelled ${APP_LABEL} runs outside the measurement namespaces, where Pod Security and these policies would not apply`,
      },
    ],
  },
];

export const ADMISSION_RULES: readonly AdmissionRule[] = [...nmaasRules, ...pssRules, ...placementRules];

/** The full denial message: rule id, what failed, and how to fix the chart (from the validator's metadata). */
export function denialMessage(rule: AdmissionRule, validation: PolicyValidation): string {
  const meta = RULES_BY_ID.get(rule.mirrors)?.meta;
  if (!meta)
    throw new Error(`admission policy nmaas-${rule.name} mirrors ${rule.mirrors}, which is not a validator rule id`);
  return `${meta.id} (${meta.title}): ${validation.message}. Fix: ${meta.fix}`;
}
