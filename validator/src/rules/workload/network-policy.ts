import { objectsRule } from '../define.js';
import { isMeasurementPodRef, pods, rec } from '../../k8s/pods.js';
import { selectorMatches } from '../../k8s/selectors.js';
import { onPod } from '../pss/draft.js';

/** Paths of the value set's overrides that switch a NetworkPolicy off (`networkPolicy.enabled: false`). */
export function policySwitchesOff(values: Record<string, unknown> | undefined, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(values ?? {})) {
    const p = prefix === '' ? key : `${prefix}.${key}`;
    // The switch itself (`enabled`, `create`, or a key naming the policy), not a setting such as
    // `allowAllEgress: false`, which narrows a policy that is still there.
    if (value === false && /network-?policy/i.test(p) && /enable|create|network-?policy/i.test(key)) out.push(p);
    else if (rec(value)) out.push(...policySwitchesOff(rec(value), p));
  }
  return out;
}

export default objectsRule(
  {
    id: 'NMAAS-NETWORK-POLICY',
    title: 'No NetworkPolicy selects the measurement pods',
    severity: 'error',
    securitySeverity: 6.0,
    rationale:
      "Measurement pods run inside other people's networks; a NetworkPolicy limits ingress to the metrics port from monitoring, so a compromised neighbour cannot reach them. " +
      'The chart is judged by what it renders at its defaults and at the form bounds; only a user who switches the policy off in the form (a networkPolicy value set to false) goes without one, and that is a note.',
    fix: 'Ship a NetworkPolicy whose podSelector matches the pod labels at every value the form allows (`nmaas chart` writes one; only `networkPolicy.enabled: false` removes it).',
  },
  (input) => {
    const policies = input.objects
      .filter((o) => o.object.kind === 'NetworkPolicy')
      .map((o) => rec(o.object.spec)?.podSelector);
    // A user who switches the policy off in the form chose so for their cluster (e.g. isolation
    // enforced another way). Any other value that makes the policy disappear is the chart's fault.
    const switches = input.valueSet === 'defaults' ? [] : policySwitchesOff(input.values);
    return pods(input.objects)
      .filter((p) => isMeasurementPodRef(p) || policies.length === 0)
      .filter((p) => !policies.some((sel) => selectorMatches(sel, p.metadata.labels)))
      .map((p) => {
        const d = onPod(
          p,
          policies.length === 0
            ? 'the chart has no NetworkPolicy'
            : 'no NetworkPolicy podSelector matches the pod labels',
        );
        if (switches.length > 0)
          return {
            ...d,
            message: `${d.message} (the user switched it off in the form: ${switches.map((s) => `${s}=false`).join(', ')})`,
            severity: 'info' as const,
          };
        return input.valueSet === 'defaults'
          ? d
          : {
              ...d,
              message: `${d.message} with the ${input.valueSet} values, although the form's NetworkPolicy switch is on`,
            };
      });
  },
);
