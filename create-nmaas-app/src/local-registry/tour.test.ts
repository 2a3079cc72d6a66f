import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './registry.js';
import { TOUR_CREATE_ARGS } from './tour.js';

describe('the tour the end-to-end test and the bench run', () => {
  it('is the command the README shows', async () => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`npm ${TOUR_CREATE_ARGS.join(' ')}\n`);
  });
});
