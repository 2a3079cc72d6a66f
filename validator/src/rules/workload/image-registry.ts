import { objectsRule } from '../define.js';
import { allContainers, imageRegistry, str } from '../../k8s/pods.js';
import { onContainer } from '../pss/draft.js';

export default objectsRule(
  {
    id: 'NMAAS-IMAGE-REGISTRY',
    title: 'Image from a registry that is not allowed',
    severity: 'error',
    securitySeverity: 6.5,
    rationale:
      'Images must come from registries the operators trust and can reach from every measurement network; an arbitrary host can serve different content per client.',
    fix: 'Push the image to an allowed registry (policy `allowedRegistries`; default ghcr.io, quay.io, registry.k8s.io, docker.io).',
  },
  (input) =>
    allContainers(input.objects).flatMap((c) => {
      const image = str(c.c.image);
      if (image === undefined) return [];
      const registry = imageRegistry(image);
      return input.allowedRegistries.includes(registry)
        ? []
        : [
            onContainer(
              c,
              `image ${JSON.stringify(image)} comes from ${registry}, not an allowed registry (${input.allowedRegistries.join(', ')})`,
              registry,
            ),
          ];
    }),
);
