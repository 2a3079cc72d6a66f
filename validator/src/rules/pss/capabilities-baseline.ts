import { objectsRule } from '../define.js';
import { addedCapabilities, allContainers, isDeclaredOnAppContainer } from '../../k8s/pods.js';
import type { Draft } from '../../types.js';
import { onContainer } from './draft.js';

/** PSA check_capabilities_baseline.go: the container runtimes' default set, minus NET_RAW. */
export const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

export default objectsRule(
  {
    id: 'NMAAS-PSS-CAPABILITIES-BASELINE',
    title: 'Capability beyond the baseline set',
    severity: 'error',
    pss: 'baseline',
    securitySeverity: 8.0,
    rationale:
      'Capabilities outside the runtime default set (SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE…) break container isolation (PSS baseline "Capabilities"). NMaaS allows one only when nmaas.yaml declares and justifies it, on the app\'s own container.',
    fix: 'Remove the capability, or declare it in nmaas.yaml `capabilities` with a justification (only on the app container).',
  },
  (input) =>
    allContainers(input.objects).flatMap((c) =>
      addedCapabilities(c.c)
        // Kubernetes compares names exactly: CAP_CHOWN is not CHOWN to PSA, which refuses it, so it is refused here too.
        .filter((cap) => !BASELINE_CAPABILITIES.has(cap))
        .map((cap): Draft => {
          if (isDeclaredOnAppContainer(c, cap, input.manifest)) {
            // Allowed by the app's declaration, shown to the reviewer with its reason.
            const why =
              input.manifest?.capabilities.find((d) => d.name === cap.replace(/^CAP_/, ''))?.justification ?? '';
            return {
              ...onContainer(c, `adds capability ${cap}, outside PSS baseline; declared in nmaas.yaml: ${why}`, cap),
              severity: 'info',
            };
          }
          const prefixed = /^CAP_/.test(cap) && BASELINE_CAPABILITIES.has(cap.replace(/^CAP_/, ''));
          return onContainer(
            c,
            prefixed
              ? `adds capability ${cap}; Pod Security admission compares names exactly and refuses it (write ${cap.replace(/^CAP_/, '')})`
              : `adds capability ${cap}, outside the PSS baseline set and not declared for this container in nmaas.yaml`,
            cap,
          );
        }),
    ),
);
