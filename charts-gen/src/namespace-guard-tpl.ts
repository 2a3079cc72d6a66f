/**
 * templates/capability-namespace.yaml, only for apps whose nmaas.yaml declares capabilities: such
 * an app cannot pass Pod Security restricted (nor baseline, which refuses NET_RAW and NET_ADMIN),
 * so the platform's nmaas-policy chart gives it one namespace where its declared capabilities are
 * admitted. The template reads that namespace from the policy chart's parameters object and fails
 * the install anywhere else, before any pod is refused. It renders nothing when the parameters
 * cannot be read (`helm template`, or no policy chart installed): admission still refuses then.
 */
import { CONTRACT_PREFIX } from '@nmaas/sdk/contract';
import type { AppManifest } from '@nmaas/sdk/model';

/** The policy chart's parameters object, which admission policies and app charts both read. */
export const ADMISSION_PARAMETERS = {
  apiVersion: `policy.${CONTRACT_PREFIX}/v1`,
  kind: 'AdmissionParameters',
  name: 'nmaas',
} as const;

export function namespaceGuardFiles(manifest: AppManifest): [string, string][] {
  if (manifest.capabilities.length === 0) return [];
  const caps = manifest.capabilities.map((c) => c.name).join(', ');
  const p = ADMISSION_PARAMETERS;
  return [
    [
      'templates/capability-namespace.yaml',
      `{{- /* ${manifest.name} declares capabilities (${caps}): it installs only into the platform's capability namespace. */}}
{{- $params := lookup ${JSON.stringify(p.apiVersion)} ${JSON.stringify(p.kind)} "" ${JSON.stringify(p.name)} }}
{{- with $params }}
{{- $allowed := .spec.capabilityNamespace }}
{{- if ne $.Release.Namespace $allowed }}
{{- fail (printf "${manifest.name} declares capabilities (${caps}) in nmaas.yaml, which Pod Security refuses in namespace %s; install it into %s (helm install -n %s), the namespace the nmaas-policy chart prepared for apps with capabilities" $.Release.Namespace $allowed $allowed) }}
{{- end }}
{{- end }}
`,
    ],
  ];
}
