import { objectsRule } from '../define.js';
import { containers, pods, rec } from '../../k8s/pods.js';
import { onContainer, onPod } from '../pss/draft.js';
import type { Draft } from '../../types.js';

/** Pod-level fields that are booleans in the Kubernetes API and decide isolation. */
const POD_BOOLEANS = [
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'hostUsers',
  'shareProcessNamespace',
  'automountServiceAccountToken',
];
/** securityContext booleans, at pod or container level. */
const CONTEXT_BOOLEANS = ['privileged', 'allowPrivilegeEscalation', 'runAsNonRoot', 'readOnlyRootFilesystem'];

function describe(value: unknown): string {
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value)}`
    : `${JSON.stringify(value)} (${Array.isArray(value) ? 'a list' : typeof value})`;
}

export default objectsRule(
  {
    id: 'NMAAS-SECURITY-FIELD-TYPE',
    title: 'Security field that is not a real boolean',
    severity: 'error',
    securitySeverity: 7.0,
    rationale:
      'A quoted "false", a number or a list where Kubernetes expects a boolean is read one way by a reviewer and another way (or refused) by each tool: the checks cannot vouch for what the cluster will do with it.',
    fix: 'Write true or false, unquoted (YAML 1.1 also reads yes/no/on/off as booleans, which is legal but best avoided).',
  },
  (input) => {
    const out: Draft[] = [];
    for (const pod of pods(input.objects)) {
      for (const k of POD_BOOLEANS) {
        if (k in pod.spec && typeof pod.spec[k] !== 'boolean' && pod.spec[k] !== null)
          out.push(onPod(pod, `spec.${k} is ${describe(pod.spec[k])}, not a boolean`, k));
      }
      const podContext = rec(pod.spec.securityContext) ?? {};
      if (
        'runAsNonRoot' in podContext &&
        typeof podContext.runAsNonRoot !== 'boolean' &&
        podContext.runAsNonRoot !== null
      ) {
        out.push(
          onPod(
            pod,
            `spec.securityContext.runAsNonRoot is ${describe(podContext.runAsNonRoot)}, not a boolean`,
            'runAsNonRoot',
          ),
        );
      }
      for (const ref of containers(pod)) {
        const context = rec(ref.c.securityContext) ?? {};
        for (const k of CONTEXT_BOOLEANS) {
          if (k in context && typeof context[k] !== 'boolean' && context[k] !== null)
            out.push(onContainer(ref, `securityContext.${k} is ${describe(context[k])}, not a boolean`, k));
        }
        const windows = rec(context.windowsOptions);
        if (
          windows &&
          'hostProcess' in windows &&
          typeof windows.hostProcess !== 'boolean' &&
          windows.hostProcess !== null
        ) {
          out.push(
            onContainer(
              ref,
              `securityContext.windowsOptions.hostProcess is ${describe(windows.hostProcess)}, not a boolean`,
              'hostProcess',
            ),
          );
        }
      }
    }
    return out;
  },
);
