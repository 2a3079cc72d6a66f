import { describe, it } from 'vitest';
import { dockerfileChecks } from '@nmaas/example-web-cartography/testing';

describe('Dockerfile', () => {
  for (const [name, check] of Object.entries(dockerfileChecks(new URL('..', import.meta.url))))
    it(name, check, 300_000);
});
