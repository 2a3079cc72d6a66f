import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './args.js';

describe('parseCliArgs', () => {
  it('reads the directory and a flag for every answer', () => {
    const args = parseCliArgs([
      'probe',
      '-t',
      'blank',
      '--name',
      'p',
      '--category',
      'security',
      '--every',
      '10m',
      '--duration',
      '1m',
      '--cpu',
      '1',
      '--memory',
      '1Gi',
      '--bandwidth',
      '1Gbps',
      '--yes',
      '--force',
    ]);
    expect(args).toMatchObject({
      directory: 'probe',
      template: 'blank',
      given: {
        name: 'p',
        category: 'security',
        every: '10m',
        duration: '1m',
        cpu: '1',
        memory: '1Gi',
        bandwidth: '1Gbps',
      },
      yes: true,
      force: true,
    });
  });

  it('leaves unanswered questions out', () => {
    expect(parseCliArgs([])).toMatchObject({
      directory: undefined,
      template: undefined,
      given: {},
      yes: false,
      force: false,
    });
  });

  it('refuses unknown flags, unknown templates and two directories', () => {
    expect(() => parseCliArgs(['--colour'])).toThrow(UsageError);
    expect(() => parseCliArgs(['--template', 'react'])).toThrow(/no such template; choose one of http-probe, blank/);
    expect(() => parseCliArgs(['a', 'b'])).toThrow(/at most one directory/);
  });
});
