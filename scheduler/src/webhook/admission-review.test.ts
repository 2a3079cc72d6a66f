import { describe, expect, it } from 'vitest';
import {
  REVIEW_VERSIONS,
  allow,
  refuse,
  reviewResponse,
  reviewResponseJson,
  shortWarning,
  type Outcome,
} from './admission-review.js';

/** The object form split on lines and trimmed, as it was written before the string form existed. */
const splitWarning = (text: string) => {
  const first =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  return first.length <= 119 ? first : `${first.slice(0, 118)}…`;
};

const patch = [
  { op: 'add' as const, path: '/metadata/annotations/nmaas~1x', value: 'node-1' },
  { op: 'add' as const, path: '/spec/containers/0/env/-', value: { name: 'PHASE', value: '12' } },
];

const outcomes: Outcome[] = [
  allow(),
  allow({ patch: [] }),
  allow({ patch, warnings: ['nmaas: node-1 at +12 s every 5m'], auditAnnotations: { decision: 'node-1@12s' } }),
  allow({ warnings: ['', '  ', 'one\ntwo', 'a', 'b', 'c', 'd'] }),
  refuse(403, 'NMaaS cannot place pod "x"\nsecond line', 'nmaas: no room'),
  refuse(400, `a message with "quotes", \\ back\u2028slashes, tabs\t, control \u0001 and é ${'long '.repeat(40)}`),
  refuse(503, 'overloaded', 'nmaas: scheduler overloaded; retry shortly'),
  refuse(500, 'failed'),
  refuse(422, 'invalid'),
  { allowed: false },
  { allowed: false, code: 418, message: 'teapot', warnings: ['\n\n   \n'] },
];

describe('reviewResponseJson', () => {
  it('writes exactly what JSON.stringify writes of the response object, for every shape of outcome', () => {
    const uids = ['705ab4f5-6393-11e8-b7cc-42010a800002', 'uid with "quote" and \\', '\u00e9\ud83d\ude00'];
    for (const apiVersion of [...REVIEW_VERSIONS, 'custom/v9'])
      for (const uid of uids)
        for (const outcome of outcomes)
          expect(reviewResponseJson(apiVersion, uid, outcome)).toBe(
            JSON.stringify(reviewResponse(apiVersion, uid, outcome)),
          );
  });

  it('answers with valid JSON whose patch decodes to the operations', () => {
    const json = JSON.parse(reviewResponseJson('admission.k8s.io/v1', 'u', allow({ patch }))) as {
      response: { patch: string; patchType: string };
    };
    expect(json.response.patchType).toBe('JSONPatch');
    expect(JSON.parse(Buffer.from(json.response.patch, 'base64').toString('utf8'))).toEqual(patch);
  });
});

describe('shortWarning', () => {
  it('keeps the first non-blank line, trimmed and cut at 119 characters', () => {
    const texts = ['', '\n', ' \n\t\n x \n y', 'plain', 'a\r\nb', `${'x'.repeat(200)}\nnext`, '\n'.repeat(5) + 'late'];
    for (const text of texts) expect(shortWarning(text)).toBe(splitWarning(text));
    expect(shortWarning('x'.repeat(200))).toHaveLength(119);
  });
});
