import { objectsRule } from '../define.js';
import { arr, isAppContainer, isMeasurementPodRef, pods, containers, rec, str, type Rec } from '../../k8s/pods.js';
import { mapSelectorMatches } from '../../k8s/selectors.js';
import { onContainer, onPod } from '../pss/draft.js';
import type { Draft } from '../../types.js';

/** The SDK runtime's metrics/health port and paths (brief: container runtime conventions). */
export const METRICS_PORT = 9464;
const PROBES: [string, string][] = [
  ['livenessProbe', '/healthz'],
  ['readinessProbe', '/readyz'],
];

function portMatches(port: unknown, number: number, name: string | undefined): boolean {
  return port === number || (name !== undefined && port === name);
}

export default objectsRule(
  {
    id: 'NMAAS-METRICS-ENDPOINT',
    title: 'Metrics endpoint missing or inconsistent',
    severity: 'error',
    securitySeverity: 3.0,
    rationale:
      "Results reach Prometheus only through the SDK's metrics port 9464, exposed by a Service; health probes on /healthz and /readyz let Kubernetes restart a stuck measurement.",
    fix: 'Expose containerPort 9464 on the app container, select the pod from a Service on that port, and probe /healthz and /readyz on it (`nmaas chart` writes all three).',
  },
  (input) => {
    const out: Draft[] = [];
    const services = input.objects.filter((o) => o.object.kind === 'Service').map((o) => rec(o.object.spec) ?? {});
    for (const pod of pods(input.objects).filter(isMeasurementPodRef)) {
      const app = containers(pod, ['containers']).find((c) => isAppContainer(c, input.manifest));
      if (!app) continue; // NMAAS-IMAGE-MISMATCH reports a measurement pod without the app container.
      const port = arr(app.c.ports)
        .map(rec)
        .find((p) => p?.containerPort === METRICS_PORT) as Rec | undefined;
      if (!port) {
        out.push(
          onContainer(app, `declares no containerPort ${METRICS_PORT} (the SDK's metrics port)`, String(METRICS_PORT)),
        );
        continue;
      }
      const portName = str(port.name);
      const exposed = services.some(
        (s) =>
          mapSelectorMatches(s.selector, pod.metadata.labels) &&
          arr(s.ports).some((p) => portMatches(rec(p)?.targetPort ?? rec(p)?.port, METRICS_PORT, portName)),
      );
      if (!exposed)
        out.push(onPod(pod, `no Service selects the pod and targets port ${METRICS_PORT}`, String(METRICS_PORT)));
      for (const [probe, path] of PROBES) {
        const get = rec(rec(app.c[probe])?.httpGet);
        if (!get)
          out.push({
            ...onContainer(app, `has no ${probe} (httpGet ${path} on ${METRICS_PORT})`, probe),
            severity: 'warning',
          });
        else if (str(get.path) !== path || !portMatches(get.port, METRICS_PORT, portName)) {
          out.push(
            onContainer(
              app,
              `${probe} probes ${String(get.path)} on port ${String(get.port)}, the SDK serves ${path} on ${METRICS_PORT}`,
              probe,
            ),
          );
        }
      }
    }
    return out;
  },
);
