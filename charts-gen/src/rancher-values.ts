/**
 * The values Rancher and Fleet add to every install, as their code builds them: Rancher's
 * Apps & Marketplace puts a `global.cattle` block (cluster id and name, system project, server URL,
 * RKE path prefixes, system default registry) and `global.systemDefaultRegistry`; Fleet's bundles
 * carry `global.fleet` and, on RKE2, `global.systemDefaultRegistry` alone. Every chart of the
 * catalogue must install with them: the ci/ value sets and the compatibility tests use these.
 */
export const RANCHER_INJECTED_VALUES = {
  global: {
    cattle: {
      clusterId: 'c-m-8x4k2abc',
      clusterName: 'edge-cluster',
      systemDefaultRegistry: 'registry.rancher.example:5000',
      url: 'https://rancher.example.org',
      rkePathPrefix: '',
      rkeWindowsPathPrefix: '',
      systemProjectId: 'p-7hq2m',
    },
    systemDefaultRegistry: 'registry.rancher.example:5000',
  },
} as const;

export const FLEET_INJECTED_VALUES = {
  global: { fleet: { clusterLabels: { env: 'edge' } }, systemDefaultRegistry: 'mirror.fleet.example' },
} as const;

/** chart-testing value sets (`ci/*-values.yaml`), linted and rendered by `ct lint` one by one. */
export function ciValueFiles(
  toYaml: (value: unknown) => string,
  extra: Record<string, unknown> = {},
): Map<string, string> {
  return new Map([
    ['ci/default-values.yaml', '# chart-testing value set: the defaults.\n{}\n'],
    [
      'ci/rancher-values.yaml',
      `# chart-testing value set: what Rancher injects, a private registry with its pull secret.\n${toYaml({ ...RANCHER_INJECTED_VALUES, imagePullSecrets: ['registry-credentials'], ...extra })}`,
    ],
  ]);
}
