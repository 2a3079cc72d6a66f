import type { Draft } from '../../types.js';
import type { ContainerRef, PodRef } from '../../k8s/pods.js';

export function onContainer(ref: ContainerRef, message: string, value?: string): Draft {
  const d: Draft = {
    message: `${ref.kind === 'containers' ? 'container' : ref.kind === 'initContainers' ? 'init container' : 'ephemeral container'} ${ref.name}: ${message}`,
    object: ref.pod.id,
    container: ref.name,
  };
  if (value !== undefined) d.value = value;
  if (ref.pod.rendered.source) d.file = ref.pod.rendered.source;
  return d;
}

export function onPod(pod: PodRef, message: string, value?: string): Draft {
  const d: Draft = { message, object: pod.id };
  if (value !== undefined) d.value = value;
  if (pod.rendered.source) d.file = pod.rendered.source;
  return d;
}
