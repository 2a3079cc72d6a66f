import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { withTempDir } from '../testing/temp-dirs.js';
import path from 'node:path';
import { ConfigError, envName, readConfigFile, resolveConfig, parseParameterText } from './config.js';
import { parseManifest } from '../model/manifest.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const full = parseManifest(
  readFileSync(fileURLToPath(new URL('../../fixtures/apps/full/nmaas.yaml', import.meta.url)), 'utf8'),
);

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.source}: ${p.key}: ${p.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('uses the nmaas.yaml defaults and schedule when nothing is given', () => {
    const c = resolveConfig(full, {});
    expect(c.parameters).toMatchObject({
      targets: ['https://example.org/'],
      method: 'GET',
      timeout: '10s',
      retries: 1,
      followRedirects: true,
    });
    expect(c.schedule).toEqual({ everySeconds: 300, durationSeconds: 20, startWithinSeconds: 60 });
  });

  it('layers file < env < --param and parses text by type', () => {
    const c = resolveConfig(full, {
      file: {
        path: '/etc/nmaas/config.json',
        data: { parameters: { retries: 3, method: 'HEAD' }, schedule: { every: '10m', duration: '30s' } },
      },
      env: { [envName('retries')]: '4', NMAAS_PARAM_TARGETS: 'https://a.example/,https://b.example/' },
      textParams: { source: '--param', values: { followRedirects: 'false', weight: '0.25' } },
    });
    expect(envName('followRedirects')).toBe('NMAAS_PARAM_FOLLOW_REDIRECTS');
    expect(c.parameters).toMatchObject({
      retries: 4,
      method: 'HEAD',
      targets: ['https://a.example/', 'https://b.example/'],
      followRedirects: false,
      weight: 0.25,
    });
    expect(c.schedule).toEqual({ everySeconds: 600, durationSeconds: 30, startWithinSeconds: 60 });
  });

  it('names the parameter, the source and the expected form for a bad value', () => {
    expect(
      problems(() =>
        resolveConfig(full, { file: { path: '/etc/nmaas/config.json', data: { parameters: { timeout: 'soon' } } } }),
      ),
    ).toEqual([
      '/etc/nmaas/config.json: parameters.timeout: "soon" must be a duration such as 10s; expected a duration such as 10s from 1 to 20 seconds',
    ]);
    expect(problems(() => resolveConfig(full, { env: { NMAAS_PARAM_RETRIES: 'many' } }))).toEqual([
      'env NMAAS_PARAM_RETRIES: parameters.retries: "many" must be a whole number; expected a whole number from 0 to 5',
    ]);
    expect(
      problems(() =>
        resolveConfig(full, { textParams: { source: '--param', values: { method: 'POST', targets: 'ftp://x' } } }),
      ),
    ).toEqual([
      '--param: parameters.targets: "ftp://x" does not match ^https?://; expected a list of strings with 1 to 20 items each matching ^https?:// (JSON array, or comma-separated in env and --param)',
      '--param: parameters.method: "POST" is not one of GET, HEAD',
    ]);
    expect(problems(() => resolveConfig(full, { env: { NMAAS_PARAM_RETRIES: '9' } }))[0]).toMatch(
      /"?9"? is above the maximum/,
    );
  });

  it('rejects unknown parameters, unknown keys and a schedule outside the model rules', () => {
    const found = problems(() =>
      resolveConfig(full, {
        file: {
          path: 'c.json',
          data: { parameters: { nope: 1 }, schedule: { every: '7s', duration: '10m', often: 'yes' }, extra: true },
        },
        env: { NMAAS_PARAM_ALSO_NOPE: 'x' },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^c.json: extra: unknown key/),
        expect.stringMatching(
          /^c.json: parameters.nope: nope is not a parameter of web-qos-full; declared: targets, method/,
        ),
        expect.stringMatching(/^c.json: schedule.often: unknown key/),
        expect.stringMatching(/^env NMAAS_PARAM_ALSO_NOPE: NMAAS_PARAM_ALSO_NOPE: ALSO_NOPE is not a parameter/),
        expect.stringMatching(/^c.json: schedule.every: 7s neither divides the scheduling horizon/),
        expect.stringMatching(/^c.json: schedule.duration: 10m is longer than schedule.every/),
      ]),
    );
  });

  it('requires required parameters without a default', () => {
    const m = { ...full, parameters: [{ ...full.parameters[0]!, default: undefined }] };
    expect(problems(() => resolveConfig(m, {}))).toEqual([
      expect.stringMatching(
        /^configuration: parameters.targets: is required and has no default; set it to a list of strings/,
      ),
    ]);
  });

  it('parses text values by type, leaving unparseable text for the validator to reject', () => {
    const p = (type: string) => ({ ...full.parameters[0]!, type }) as (typeof full.parameters)[number];
    expect(parseParameterText(p('string[]'), '["a","b"]')).toEqual(['a', 'b']);
    expect(parseParameterText(p('int'), '')).toBe('');
    expect(parseParameterText(p('boolean'), 'yes')).toBe('yes');
  });
});

describe('readConfigFile', () => {
  it('tolerates a missing default file, but not a missing explicit one or bad JSON', async () => {
    await withTempDir(async (dir) => {
      expect(await readConfigFile(path.join(dir, 'none.json'), false)).toBeUndefined();
      await expect(readConfigFile(path.join(dir, 'none.json'), true)).rejects.toThrow(
        /cannot read the configuration file/,
      );
      await writeFile(path.join(dir, 'bad.json'), '{"parameters": ');
      await expect(readConfigFile(path.join(dir, 'bad.json'), false)).rejects.toThrow(/is not valid JSON/);
      await writeFile(path.join(dir, 'ok.json'), '{"parameters": {"retries": 2}}');
      expect(await readConfigFile(path.join(dir, 'ok.json'), true)).toEqual({
        path: path.join(dir, 'ok.json'),
        data: { parameters: { retries: 2 } },
      });
    }, 'config');
  });
});
