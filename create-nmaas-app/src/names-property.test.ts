/**
 * Names users will pick are accepted: for every template, any valid app name that starts with a
 * letter (and is not the SDK's own `nmaas` prefix) scaffolds a project whose nmaas.yaml passes,
 * including names whose words look like units (`probe-ms`, `dns-kb`, `b-probe`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerIssues, templateDefaults, type ManifestAnswers } from './answers.js';
import { loadTemplate, TEMPLATE_NAMES } from './templates.js';

const word = fc.oneof(
  fc.constantFrom(
    's',
    'ms',
    'us',
    'sec',
    'b',
    'kb',
    'mb',
    'm',
    'h',
    'd',
    'bits',
    'minutes',
    'total',
    'info',
    'probe',
    'dns',
  ),
  fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/),
);
const appName = fc
  .array(word, { minLength: 1, maxLength: 5 })
  .map((words) => words.join('-'))
  .filter((name) => name.length <= 40 && !name.startsWith('nmaas-') && name !== 'nmaas');

describe.each(TEMPLATE_NAMES)('template %s', (templateName) => {
  it.each(['probe-b', 'probe-ms', 'dns-kb', 'b-probe', 'probe-s'])('accepts the name %s', async (name) => {
    const template = await loadTemplate(templateName);
    expect(answerIssues(template, { ...templateDefaults(template), name } as ManifestAnswers)).toEqual({});
  });

  it('accepts every generated valid name', async () => {
    const template = await loadTemplate(templateName);
    const defaults = templateDefaults(template);
    fc.assert(
      fc.property(appName, (name) => {
        expect(answerIssues(template, { ...defaults, name } as ManifestAnswers)).toEqual({});
      }),
      { numRuns: 200, seed: 20_261_206 },
    );
  });
});
