import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closestName } from './friendly-issues.js';
import { ManifestError, parseManifest } from './manifest.js';

const example = readFileSync(fileURLToPath(new URL('../../../examples/web-qos/nmaas.yaml', import.meta.url)), 'utf8');

function issuesOf(text: string): ManifestError['issues'] {
  try {
    parseManifest(text, 'nmaas.yaml');
  } catch (error) {
    if (error instanceof ManifestError) return error.issues;
    throw error;
  }
  throw new Error('the manifest was valid');
}

describe('friendly manifest issues', () => {
  it('says to quote an unquoted version and that it must be semver, without the library wording', () => {
    const issues = issuesOf(example.replace(/^version: .*$/m, 'version: 1.0'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'version', line: expect.any(Number) });
    expect(issues[0]!.message).toMatch(/quote it/);
    expect(issues[0]!.message).toMatch(/semantic version/);
    expect(issues[0]!.message).not.toMatch(/Invalid input|received/);
  });

  it('offers did-you-mean for a misspelt field and drops the "required" echo of the field it meant', () => {
    const issues = issuesOf(example.replace(/^displayName:/m, 'displayname:'));
    expect(issues).toEqual([
      expect.objectContaining({ path: 'displayname', message: 'unknown field displayname; did you mean displayName?' }),
    ]);
    const nested = issuesOf(example.replace(/^(\s+)every:/m, '$1evrey:'));
    expect(nested.map((i) => i.message)).toContain('unknown field evrey; did you mean every?');
  });

  it('lists the allowed fields when nothing is close, and says "is required" plainly', () => {
    const issues = issuesOf(example.replace(/^displayName:.*$/m, 'zzzzzzzz: 1'));
    const unknown = issues.find((i) => i.path === 'zzzzzzzz');
    expect(unknown?.message).toMatch(
      /^unknown field zzzzzzzz; the fields allowed here are apiVersion, name, version, displayName/,
    );
    expect(issues.find((i) => i.path === 'displayName')?.message).toMatch(/^is required/);
  });

  it('reports malformed YAML once, with its line and column', () => {
    const issues = issuesOf('apiVersion: nmaas.io/v1\nname: [a\nversion: "1.0.0"\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(issues[0]!.message).toMatch(/^YAML syntax: /);
  });

  it('finds the closest name case-blind and refuses far ones', () => {
    expect(closestName('DISPLAYNAME', ['displayName', 'description'])).toBe('displayName');
    expect(closestName('verison', ['version', 'name'])).toBe('version');
    expect(closestName('colour', ['version', 'name'])).toBeUndefined();
  });
});
