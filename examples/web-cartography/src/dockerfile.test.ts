import { describe, it } from 'vitest';
import { dockerfileChecks } from './testing/index.js';

describe('Dockerfile', () => {
  for (const [name, check] of Object.entries(dockerfileChecks(new URL('..', import.meta.url))))
    it(name, check, 300_000);
});
