import { describe, expect, it } from 'vitest';
import { decodeRendered } from './decode.js';

const doc = (source: string, body: string) => `---\n# Source: c/templates/${source}\n${body}`;

describe('decodeRendered reads helm output as Kubernetes does', () => {
  it('reads YAML 1.1 booleans and merge keys', () => {
    const { objects, problems } = decodeRendered(
      doc('a.yaml', 'kind: Pod\nspec:\n  <<: {hostPID: true}\n  hostNetwork: on\n  x: Yes\n  env: "yes"\n'),
      'c',
    );
    expect(problems).toEqual([]);
    expect(objects[0]!.object.spec).toEqual({ hostPID: true, hostNetwork: true, x: true, env: 'yes' });
    expect(objects[0]!.source).toBe('templates/a.yaml');
  });

  it('keeps the last of duplicate keys, as Kubernetes does, and reports the template line', () => {
    const { objects, problems } = decodeRendered(
      doc('a.yaml', 'kind: Pod\nspec:\n  hostPID: false\n  hostPID: true\n'),
      'c',
    );
    expect((objects[0]!.object.spec as { hostPID: boolean }).hostPID).toBe(true);
    expect(problems).toMatchObject([{ kind: 'duplicate-key', source: 'templates/a.yaml', line: 4 }]);
  });

  it('reports a document that does not parse, and still reads the others', () => {
    const { objects, problems } = decodeRendered(
      `${doc('bad.yaml', 'kind: [Pod\n')}${doc('good.yaml', 'kind: ConfigMap\n')}`,
      'c',
    );
    expect(objects.map((o) => o.object.kind)).toEqual(['ConfigMap']);
    expect(problems).toMatchObject([{ kind: 'unparsable', source: 'templates/bad.yaml' }]);
  });

  it('reports a document that is not a mapping', () => {
    expect(decodeRendered(doc('s.yaml', '- a\n- b\n'), 'c').problems).toMatchObject([
      { kind: 'unparsable', source: 'templates/s.yaml' },
    ]);
  });

  it('flattens items of any object, nested lists too, and drops only the List wrappers', () => {
    const { objects } = decodeRendered(
      doc('l.yaml', 'kind: Whatever\nitems:\n  - kind: SecretList\n    items: [{kind: Secret}]\n  - kind: Role\n'),
      'c',
    );
    expect(objects.map((o) => o.object.kind).sort()).toEqual(['Role', 'Secret', 'Whatever']);
  });

  it('bounds alias expansion (billion laughs)', () => {
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const { objects, problems } = decodeRendered(doc('b.yaml', `kind: ConfigMap\n${laughs.join('\n')}\n`), 'c');
    expect(objects).toEqual([]);
    expect(problems[0]!.kind).toBe('unparsable');
  });
});
