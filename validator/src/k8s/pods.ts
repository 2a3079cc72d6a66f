/**
 * Finding pod specs and containers in rendered objects, the way PSA does: every workload kind
 * that embeds a pod template, and every container list (containers, initContainers,
 * ephemeralContainers), since an attacker moves a privileged container to wherever a check
 * does not look.
 */
import { APP_LABEL } from '@nmaas/sdk/contract';
import type { AppManifest } from '@nmaas/sdk/model';
import type { K8sObject, RenderedObject } from '../types.js';

export type Rec = Record<string, unknown>;

export function rec(v: unknown): Rec | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
}
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function objectId(o: K8sObject): string {
  return `${o.kind ?? '(no kind)'}/${o.metadata?.name ?? '(no name)'}`;
}

export interface PodRef {
  rendered: RenderedObject;
  id: string;
  spec: Rec;
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  /** JSON path of the pod spec inside the object, e.g. `spec.template.spec`. */
  specPath: string;
}

export type ContainerKind = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerRef {
  pod: PodRef;
  c: Rec;
  name: string;
  kind: ContainerKind;
  /** e.g. `spec.template.spec.initContainers[0]` */
  path: string;
}

function stringMap(v: unknown): Record<string, string> {
  const r = rec(v) ?? {};
  return Object.fromEntries(Object.entries(r).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
}

/** How deep a pod template is looked for inside an object (CronJob's is four levels down). */
const MAX_TEMPLATE_DEPTH = 10;
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/**
 * Every pod spec inside an object, wherever it sits: `spec.template.spec` of a Deployment, an
 * Argo Rollout or any custom kind, `spec.jobTemplate.spec.template.spec` of a CronJob, or any
 * other mapping that holds a container list. A controller of a custom kind creates pods from
 * such a template, so an unknown kind is a workload as soon as it carries one.
 */
function findPodSpecs(
  node: Rec,
  at: string,
  depth: number,
  parent: Rec | undefined,
  out: { spec: Rec; path: string; template: Rec | undefined }[],
): void {
  if (CONTAINER_LISTS.some((k) => Array.isArray(node[k]) && (node[k] as unknown[]).some((c) => rec(c) !== undefined))) {
    out.push({ spec: node, path: at, template: parent });
    return;
  }
  if (depth >= MAX_TEMPLATE_DEPTH) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'metadata' || key === 'status') continue;
    const child = rec(value);
    if (child) findPodSpecs(child, at === '' ? key : `${at}.${key}`, depth + 1, node, out);
    else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        const r = rec(v);
        if (r) findPodSpecs(r, `${at === '' ? key : `${at}.${key}`}[${i}]`, depth + 1, node, out);
      });
    }
  }
}

/** Every pod spec an object embeds (a Pod's own spec, or its templates). */
export function podsOf(rendered: RenderedObject): PodRef[] {
  const o = rendered.object;
  const id = objectId(o);
  if (o.kind === 'Pod') {
    const spec = rec(o.spec);
    if (!spec) return [];
    return [
      {
        rendered,
        id,
        spec,
        metadata: { labels: stringMap(o.metadata?.labels), annotations: stringMap(o.metadata?.annotations) },
        specPath: 'spec',
      },
    ];
  }
  const found: { spec: Rec; path: string; template: Rec | undefined }[] = [];
  const top = rec(o.spec);
  if (top) findPodSpecs(top, 'spec', 1, o as Rec, found);
  // A pod template elsewhere than under spec (a custom kind's `template:` at the top) counts too.
  for (const [key, value] of Object.entries(o)) {
    const r = rec(value);
    if (key !== 'spec' && key !== 'metadata' && key !== 'status' && r) findPodSpecs(r, key, 1, o as Rec, found);
  }
  return found.map(({ spec, path, template }) => {
    const meta = rec(template?.metadata);
    return {
      rendered,
      id,
      spec,
      metadata: { labels: stringMap(meta?.labels), annotations: stringMap(meta?.annotations) },
      specPath: path,
    };
  });
}

/** The first pod spec of an object, if it has one. */
export function podOf(rendered: RenderedObject): PodRef | undefined {
  return podsOf(rendered)[0];
}

export function pods(objects: RenderedObject[]): PodRef[] {
  return objects.flatMap(podsOf);
}

export function containers(
  pod: PodRef,
  kinds: ContainerKind[] = ['containers', 'initContainers', 'ephemeralContainers'],
): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const kind of kinds) {
    arr(pod.spec[kind]).forEach((c, i) => {
      const r = rec(c);
      if (r) out.push({ pod, c: r, name: str(r.name) ?? `${kind}[${i}]`, kind, path: `${pod.specPath}.${kind}[${i}]` });
    });
  }
  return out;
}

export function allContainers(objects: RenderedObject[], kinds?: ContainerKind[]): ContainerRef[] {
  return pods(objects).flatMap((p) => containers(p, kinds));
}

/** Image repository without tag or digest: `ghcr.io/x/y:1.0@sha256:…` → `ghcr.io/x/y`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? noDigest : noDigest.slice(0, colon);
}

/** Registry host of an image reference (Docker's rule: a first part with '.' or ':' or `localhost`). */
export function imageRegistry(image: string): string {
  const first = image.split('/')[0]!;
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost'))
    return DOCKER_HUB_ALIASES.has(first.toLowerCase()) ? 'docker.io' : first;
  return 'docker.io';
}

/** Host names that serve Docker Hub itself (the distribution reference's aliases and its API host). */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function isMeasurementPodRef(pod: PodRef): boolean {
  return typeof pod.metadata.labels[APP_LABEL] === 'string';
}

/**
 * The app's own container: a regular container of a measurement pod running the image that
 * nmaas.yaml declares (or, without a manifest, the first container of a measurement pod).
 */
export function isAppContainer(ref: ContainerRef, manifest: AppManifest | undefined): boolean {
  if (ref.kind !== 'containers' || !isMeasurementPodRef(ref.pod)) return false;
  const image = str(ref.c.image);
  if (manifest) return image !== undefined && imageRepository(image) === manifest.image.repository;
  return arr(ref.pod.spec.containers)[0] === ref.c;
}

/** Capabilities a container adds. */
export function addedCapabilities(c: Rec): string[] {
  return arr(rec(rec(c.securityContext)?.capabilities)?.add).filter((x): x is string => typeof x === 'string');
}

/** Capabilities nmaas.yaml declares (with a justification: the model enforces it). */
export function declaredCapabilities(manifest: AppManifest | undefined): Set<string> {
  return new Set((manifest?.capabilities ?? []).filter((c) => c.justification.trim() !== '').map((c) => c.name));
}

/** A capability the app declared, added on its own container: the capability rules leave it to NMAAS-CAP-*. */
export function isDeclaredOnAppContainer(ref: ContainerRef, cap: string, manifest: AppManifest | undefined): boolean {
  return isAppContainer(ref, manifest) && declaredCapabilities(manifest).has(cap.replace(/^CAP_/, ''));
}

export function sourceOf(ref: { pod: PodRef } | PodRef): string | undefined {
  return 'rendered' in ref ? ref.rendered.source : ref.pod.rendered.source;
}
