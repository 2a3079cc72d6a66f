/**
 * Opens the real Kubernetes API. `@kubernetes/client-node` takes about 0.6 s to load, so it is
 * loaded only when a command really talks to a cluster: every other `nmaas` command starts
 * without paying for it.
 */
import type { KubeApi } from './types.js';
import type { KubeConnection } from './client-node-api.js';

export type { KubeConnection };

export async function connectKubeApi(connection: KubeConnection): Promise<KubeApi> {
  const { ClientNodeKubeApi, loadKubeConfig } = await import('./client-node-api.js');
  return new ClientNodeKubeApi(loadKubeConfig(connection));
}

/** The connection a command uses: --kubeconfig, else in-cluster when running in a pod, else the default kubeconfig. */
export function defaultConnection(kubeconfig: string | undefined): KubeConnection {
  if (kubeconfig !== undefined) return { kubeconfig };
  return process.env.KUBERNETES_SERVICE_HOST ? { inCluster: true } : {};
}
