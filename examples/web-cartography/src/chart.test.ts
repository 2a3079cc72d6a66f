import { describe, it } from 'vitest';
import { submissionChecks } from './testing/index.js';

describe('the app as a catalogue submission', () => {
  for (const [name, check] of Object.entries(submissionChecks(new URL('..', import.meta.url))))
    it(name, check, 200_000);
});
