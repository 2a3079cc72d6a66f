/**
 * What the policies read at admission: the apps the catalogue published, the allowed registries,
 * the measurement namespaces and the reviewers' exemptions. One cluster-scoped object of a small
 * CRD (a ConfigMap holds only strings, and Kubernetes' CEL cannot parse them into lists).
 */
import type { AppManifest } from '@nmaas/sdk/model';
import { ADMISSION_PARAMETERS } from '@nmaas/charts-gen';
import type { Policy } from '@nmaas/validator';

// The object's identity is spelled once, in charts-gen, whose app charts read it too.
export const [PARAMS_GROUP, PARAMS_VERSION] = ADMISSION_PARAMETERS.apiVersion.split('/') as [string, string];
export const PARAMS_KIND = ADMISSION_PARAMETERS.kind;
export const PARAMS_PLURAL = 'admissionparameters';
/** The one parameters object the bindings reference. */
export const PARAMS_NAME = ADMISSION_PARAMETERS.name;

export interface PublishedApp {
  name: string;
  /** Image repository without tag or digest, as nmaas.yaml declares it. */
  imageRepository: string;
  /** Image digests the catalogue published (one per published version). */
  imageDigests: string[];
  /** Capabilities nmaas.yaml declares (with a justification), allowed on the app container only. */
  capabilities: string[];
  /** Whether the app needs a node to itself (placement.exclusive): a pod may not claim more. */
  exclusive: boolean;
}

export interface AdmissionExemption {
  rule: string;
  app: string;
  container?: string;
  value?: string;
  justification: string;
  /** The reviewers' expiry day (valid through the whole day, UTC). */
  expires: string;
  /** The first instant the exemption no longer admits: the day after `expires`, 00:00 UTC. */
  notAfter: string;
}

export interface AdmissionParameters {
  apps: PublishedApp[];
  allowedRegistries: string[];
  exemptions: AdmissionExemption[];
  /** Namespaces where measurement apps run, and the one for apps that declare capabilities. */
  measurementNamespaces: string[];
  capabilityNamespace: string;
}

export function publishedApp(manifest: AppManifest): PublishedApp {
  return {
    name: manifest.name,
    imageRepository: manifest.image.repository,
    // An app without a pinned digest has no image a cluster may admit.
    imageDigests: manifest.image.digest === undefined ? [] : [manifest.image.digest],
    exclusive: manifest.placement.exclusive,
    capabilities: manifest.capabilities.filter((c) => c.justification.trim() !== '').map((c) => c.name),
  };
}

/** The end of an exemption's expiry day, as the validator counts it (valid through that whole day, UTC). */
export function notAfter(expires: string): string {
  return new Date(Date.parse(`${expires}T00:00:00Z`) + 24 * 3600 * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Parameters from the reviewers' policy file and the published apps' manifests. */
export function admissionParameters(
  policy: Policy,
  apps: AppManifest[],
  namespaces: { restricted: string[]; capabilities: string },
): AdmissionParameters {
  return {
    measurementNamespaces: [...namespaces.restricted, namespaces.capabilities],
    capabilityNamespace: namespaces.capabilities,
    apps: apps.map(publishedApp).sort((a, b) => a.name.localeCompare(b.name)),
    allowedRegistries: [...policy.allowedRegistries],
    exemptions: policy.exemptions.map((e) => {
      const out: AdmissionExemption = {
        rule: e.rule,
        app: e.app,
        justification: e.justification,
        expires: e.expires,
        notAfter: notAfter(e.expires),
      };
      if (e.container !== undefined) out.container = e.container;
      if (e.value !== undefined) out.value = e.value;
      return out;
    }),
  };
}

const STRING = { type: 'string' };
const STRINGS = { type: 'array', items: STRING };

/** The CRD of the parameters object (schema also checked by the API server on every edit). */
export function parametersCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PARAMS_PLURAL}.${PARAMS_GROUP}` },
    spec: {
      group: PARAMS_GROUP,
      scope: 'Cluster',
      names: {
        kind: PARAMS_KIND,
        plural: PARAMS_PLURAL,
        singular: 'admissionparameters',
        listKind: `${PARAMS_KIND}List`,
      },
      versions: [
        {
          name: PARAMS_VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                spec: {
                  type: 'object',
                  required: ['apps', 'allowedRegistries', 'exemptions', 'measurementNamespaces', 'capabilityNamespace'],
                  properties: {
                    apps: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['name', 'imageRepository', 'imageDigests', 'capabilities', 'exclusive'],
                        properties: {
                          name: STRING,
                          imageRepository: STRING,
                          imageDigests: STRINGS,
                          capabilities: STRINGS,
                          exclusive: { type: 'boolean' },
                        },
                      },
                    },
                    allowedRegistries: STRINGS,
                    measurementNamespaces: STRINGS,
                    capabilityNamespace: STRING,
                    exemptions: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['rule', 'app', 'justification', 'expires', 'notAfter'],
                        properties: {
                          rule: STRING,
                          app: STRING,
                          container: STRING,
                          value: STRING,
                          justification: STRING,
                          expires: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
                          notAfter: { type: 'string', format: 'date-time' },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
