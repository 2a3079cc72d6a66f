import { objectsRule } from '../define.js';
import { addedCapabilities, allContainers, arr, isAppContainer, rec, type ContainerRef } from '../../k8s/pods.js';
import { onContainer } from './draft.js';
import type { AppManifest } from '@nmaas/sdk/model';
import type { Draft } from '../../types.js';

/**
 * The one case where privilege escalation is accepted: a non-root app that needs a declared
 * capability can only get it as a file capability on its binary (Kubernetes sets no ambient
 * capabilities), and no_new_privs (allowPrivilegeEscalation: false) makes execve ignore file
 * capabilities. So charts-gen allows escalation on the app's own container when nmaas.yaml
 * declares capabilities. What escalation can reach is then bounded by the container's bounding
 * set: drop ALL plus the declared, justified capabilities, under runAsNonRoot. Returns the
 * reason it is accepted (the justifications), or undefined when any condition fails.
 */
function acceptedEscalation(c: ContainerRef, manifest: AppManifest | undefined): string | undefined {
  if (!manifest || !isAppContainer(c, manifest)) return undefined;
  const sc = rec(c.c.securityContext);
  if (!arr(rec(sc?.capabilities)?.drop).includes('ALL')) return undefined;
  const runAsNonRoot = sc?.runAsNonRoot ?? rec(c.pod.spec.securityContext)?.runAsNonRoot;
  if (runAsNonRoot !== true) return undefined;
  const added = addedCapabilities(c.c).map((cap) => cap.replace(/^CAP_/, ''));
  if (added.length === 0) return undefined;
  const reasons: string[] = [];
  for (const cap of added) {
    const justification = manifest.capabilities.find((d) => d.name === cap)?.justification.trim() ?? '';
    if (justification === '') return undefined;
    reasons.push(`${cap}: ${justification}`);
  }
  return reasons.join(' | ');
}

export default objectsRule(
  {
    id: 'NMAAS-PSS-PRIVILEGE-ESCALATION',
    title: 'Privilege escalation not disabled',
    severity: 'error',
    pss: 'restricted',
    securitySeverity: 7.0,
    rationale:
      'Without allowPrivilegeEscalation: false, a setuid binary in the image turns the non-root user into root (PSS restricted "Privilege Escalation"). ' +
      "The one exception is the app's own container when every capability it adds is declared and justified in nmaas.yaml, capabilities drop ALL and runAsNonRoot is set: " +
      'the non-root app can then use its declared capability through a file capability (which no_new_privs would disable), and escalation cannot reach beyond that bounding set (reported as a note).',
    fix: 'Set securityContext.allowPrivilegeEscalation: false on every container, init and ephemeral containers included (an app that needs a declared capability as a file capability: only on its own container, with drop ALL and runAsNonRoot).',
  },
  (input) =>
    allContainers(input.objects)
      .filter((c) => rec(c.c.securityContext)?.allowPrivilegeEscalation !== false)
      .map((c): Draft => {
        const value = rec(c.c.securityContext)?.allowPrivilegeEscalation;
        const accepted = value === true ? acceptedEscalation(c, input.manifest) : undefined;
        if (accepted !== undefined) {
          return {
            ...onContainer(
              c,
              `allows privilege escalation so that the declared capabilities work as file capabilities for the non-root user (bounded by drop ALL, runAsNonRoot); declared in nmaas.yaml: ${accepted}`,
              'allowPrivilegeEscalation',
            ),
            severity: 'info',
          };
        }
        return onContainer(
          c,
          `securityContext.allowPrivilegeEscalation is ${JSON.stringify(value ?? 'unset')}, must be false (true is accepted only on the app's own container adding only declared, justified capabilities, with drop ALL and runAsNonRoot)`,
        );
      }),
);
