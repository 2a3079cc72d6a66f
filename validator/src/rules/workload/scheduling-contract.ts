import { contractFromManifest, ContractError, decodePodContract, type PodContract } from '@nmaas/sdk/contract';
import { objectsRule } from '../define.js';
import { containers, isAppContainer, isMeasurementPodRef, pods } from '../../k8s/pods.js';
import { onPod } from '../pss/draft.js';
import type { Draft } from '../../types.js';
import { APP_LABEL } from '@nmaas/sdk/contract';

const RELEASE_NAMED = new Set<string>(['spreadGroup']);

function differences(actual: PodContract, expected: PodContract): string[] {
  const out: string[] = [];
  // Every field either side has, so a field added to the contract is compared without a change
  // here; only the spread group is named by the chart after its release, not by nmaas.yaml.
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].filter(
    (k) => !RELEASE_NAMED.has(k),
  ) as (keyof PodContract)[];
  for (const k of keys) {
    if (JSON.stringify(actual[k]) !== JSON.stringify(expected[k]))
      out.push(`${k} is ${JSON.stringify(actual[k])}, nmaas.yaml says ${JSON.stringify(expected[k])}`);
  }
  // The spread group is release-scoped: only its presence must follow placement.spread.
  if ((actual.spreadGroup === null) !== (expected.spreadGroup === null))
    out.push(
      `spread group ${actual.spreadGroup === null ? 'missing' : 'present'} but nmaas.yaml says spread: ${expected.spreadGroup !== null}`,
    );
  return out;
}

export default objectsRule(
  {
    id: 'NMAAS-CONTRACT',
    title: 'Scheduling contract missing or inconsistent with nmaas.yaml',
    severity: 'error',
    securitySeverity: 4.0,
    rationale:
      'The scheduler webhook gives each measurement pod a node and a time phase from its contract labels and annotations; a missing or false contract makes measurements compete and report wrong results, or dodges the schedule altogether.',
    fix: 'Regenerate the chart with `nmaas chart`: it writes the contract from nmaas.yaml with the SDK contract module.',
  },
  (input) => {
    const out: Draft[] = [];
    const m = input.manifest;
    const all = pods(input.objects);
    for (const pod of all) {
      const measurement = isMeasurementPodRef(pod);
      if (!measurement) {
        if (
          m &&
          containers(pod, ['containers']).some((c) =>
            isAppContainer(
              {
                ...c,
                pod: { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, [APP_LABEL]: m.name } } },
              },
              m,
            ),
          )
        ) {
          out.push(onPod(pod, 'runs the app image without the nmaas.io/app label, so the scheduler never places it'));
        }
        continue;
      }
      let actual: PodContract;
      try {
        actual = decodePodContract(pod.metadata, pod.id);
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        for (const p of error.problems)
          out.push(
            onPod(
              pod,
              `${p.key}=${p.value === undefined ? '(missing)' : JSON.stringify(p.value)}: ${p.message}`,
              p.key,
            ),
          );
        continue;
      }
      // Users may move the schedule and resources within the form's bounds: only the defaults must equal nmaas.yaml.
      if (!m || input.valueSet !== 'defaults') continue;
      for (const d of differences(actual, contractFromManifest(m))) out.push(onPod(pod, d, d.split(' ')[0]));
    }
    if (m && all.length > 0 && !all.some(isMeasurementPodRef))
      out.push({ message: `no pod template carries the nmaas.io/app label of ${m.name}` });
    return out;
  },
);
