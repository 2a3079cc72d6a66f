import semver from 'semver';
import { chartRule } from '../define.js';
import { chartYaml } from './files.js';

export default chartRule(
  {
    id: 'NMAAS-CHART-KUBE-VERSION',
    title: 'Chart.yaml kubeVersion missing or not a version range',
    severity: 'error',
    rationale:
      'Rancher partner charts must set kubeVersion (with the -0 suffix, or GKE hides the chart); it stops installs on clusters the chart was never tested on.',
    fix: "Set `kubeVersion: '>= 1.25.0-0'` (the oldest Kubernetes you test on) in Chart.yaml.",
  },
  (chart) => {
    const y = chartYaml(chart.files);
    if (y === undefined) return [];
    if (typeof y.kubeVersion !== 'string' || y.kubeVersion.trim() === '')
      return [{ message: 'Chart.yaml sets no kubeVersion', file: 'Chart.yaml' }];
    if (semver.validRange(y.kubeVersion) === null)
      return [
        {
          message: `kubeVersion ${JSON.stringify(y.kubeVersion)} is not a version range`,
          file: 'Chart.yaml',
          value: y.kubeVersion,
        },
      ];
    return [];
  },
);
