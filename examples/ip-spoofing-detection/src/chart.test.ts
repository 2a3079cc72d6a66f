import { describe, it } from 'vitest';
import { submissionChecks } from '@nmaas/example-web-cartography/testing';

describe('the app as a catalogue submission', () => {
  for (const [name, check] of Object.entries(submissionChecks(new URL('..', import.meta.url))))
    it(name, check, 200_000);
});
