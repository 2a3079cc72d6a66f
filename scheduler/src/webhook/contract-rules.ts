/**
 * The app model's consistency rules, applied to a pod's scheduling contract at admission: a pod
 * whose annotations were written by hand (or by an edited chart) must not get past the webhook
 * with what `nmaas manifest check` refuses in nmaas.yaml, and its lists are bounded so one
 * annotation cannot make the scheduler hold (and compare against) an unbounded set of apps.
 */
import {
  ContractError,
  POD_ANNOTATIONS,
  decodePodContract,
  type ContractProblem,
  type PodContract,
} from '@nmaas/sdk/contract';
import { formatCpu, formatMemory, periodProblem } from '@nmaas/sdk/model';

/** Most apps an affinity or anti-affinity list may name: far above any real placement, small enough to scan per decision. */
export const MAX_PLACEMENT_APPS = 64;
/** Most labels a node selector may require. */
export const MAX_SELECTOR_LABELS = 32;

/** What is wrong with a decoded contract by the app model's rules; empty when nothing is. */
export function contractRuleProblems(contract: PodContract): ContractProblem[] {
  const problems: ContractProblem[] = [];
  const report = (key: string, value: string, message: string) => problems.push({ key, value, message });
  const lists = [
    { key: POD_ANNOTATIONS.affinity, items: contract.affinity, what: 'affinity' },
    { key: POD_ANNOTATIONS.antiAffinity, items: contract.antiAffinity, what: 'anti-affinity' },
  ];
  for (const { key, items, what } of lists) {
    const shown = items.length > 8 ? `${items.slice(0, 8).join(',')},… (${items.length} apps)` : items.join(',');
    if (items.length > MAX_PLACEMENT_APPS) {
      report(key, shown, `lists ${items.length} apps; at most ${MAX_PLACEMENT_APPS} are allowed`);
      continue;
    }
    if (new Set(items).size !== items.length) report(key, shown, `names an app twice; list each ${what} app once`);
    if (items.includes(contract.app)) {
      const fix =
        what === 'affinity'
          ? 'affinity lists other apps that must already run on the node'
          : 'to keep replicas on distinct nodes set placement.spread: true';
      report(key, shown, `names the pod's own app ${contract.app}; ${fix}`);
    }
  }
  const both = contract.affinity.filter((app) => contract.antiAffinity.includes(app));
  if (
    both.length > 0 &&
    contract.affinity.length <= MAX_PLACEMENT_APPS &&
    contract.antiAffinity.length <= MAX_PLACEMENT_APPS
  ) {
    report(
      POD_ANNOTATIONS.antiAffinity,
      contract.antiAffinity.join(','),
      `names ${both.join(', ')} also listed in ${POD_ANNOTATIONS.affinity}; keep each app in one of them`,
    );
  }
  const selectorSize = Object.keys(contract.nodeSelector).length;
  if (selectorSize > MAX_SELECTOR_LABELS) {
    report(
      POD_ANNOTATIONS.nodeSelector,
      `(${selectorSize} labels)`,
      `requires ${selectorSize} labels; at most ${MAX_SELECTOR_LABELS} are allowed`,
    );
  }
  const period = periodProblem(contract.everySeconds);
  if (period !== null) report(POD_ANNOTATIONS.every, String(contract.everySeconds), period);
  if (contract.startWithinSeconds > contract.everySeconds) {
    report(
      POD_ANNOTATIONS.startWithin,
      String(contract.startWithinSeconds),
      `is longer than the period (${contract.everySeconds} s); a start window equal to the period already allows any start time`,
    );
  }
  if (contract.idle.cpu > contract.run.cpu) {
    const idle = formatCpu(contract.idle.cpu);
    report(
      POD_ANNOTATIONS.idle,
      `cpu=${idle}`,
      `idle cpu is more than run cpu (${formatCpu(contract.run.cpu)}); idle is what the app holds between runs`,
    );
  }
  if (contract.idle.memory > contract.run.memory) {
    const idle = formatMemory(contract.idle.memory);
    report(
      POD_ANNOTATIONS.idle,
      `memory=${idle}`,
      `idle memory is more than run memory (${formatMemory(contract.run.memory)}); idle is what the app holds between runs`,
    );
  }
  return problems;
}

/** `decodePodContract` followed by the app model's rules. Throws ContractError naming every problem. */
export function decodeAdmissibleContract(
  meta: { labels?: unknown; annotations?: unknown },
  subject: string,
): PodContract {
  const contract = decodePodContract(meta, subject);
  const problems = contractRuleProblems(contract);
  if (problems.length > 0) throw new ContractError(subject, problems);
  return contract;
}
