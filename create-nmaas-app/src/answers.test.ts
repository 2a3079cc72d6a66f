import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseManifest } from '@nmaas/sdk/model';
import { answerIssues, defaultDuration, renderManifest, templateDefaults, type ManifestAnswers } from './answers.js';
import { loadTemplate, TEMPLATE_NAMES } from './templates.js';

const base = async (name = 'my-probe') => {
  const template = await loadTemplate('http-probe');
  return { template, answers: { ...templateDefaults(template), name } as ManifestAnswers };
};

describe('answers', () => {
  it.each(TEMPLATE_NAMES)('template %s is a valid app whose defaults pass', async (name) => {
    const template = await loadTemplate(name);
    expect(parseManifest(template.manifestText).name).toBe(template.appName);
    expect(answerIssues(template, { ...templateDefaults(template), name: 'fresh-app' })).toEqual({});
  });

  it('writes the answers into nmaas.yaml and changes nothing else but the name', async () => {
    const { template, answers } = await base();
    const text = renderManifest(template, {
      ...answers,
      category: 'other',
      every: '10m',
      duration: '45s',
      cpu: '250m',
      memory: '128Mi',
      bandwidth: '20Mbps',
    });
    const manifest = parseManifest(text);
    expect(manifest).toMatchObject({
      name: 'my-probe',
      displayName: 'My probe',
      category: 'other',
      schedule: { every: '10m', duration: '45s' },
      resources: { run: { cpu: '250m', memory: '128Mi', bandwidth: '20Mbps' } },
      image: { repository: 'ghcr.io/your-org/my-probe' },
    });
    expect(manifest.metrics.map((m) => m.name)).toEqual([
      'my_probe_requests_total',
      'my_probe_duration_seconds',
      'my_probe_up',
    ]);
    // Comments and layout of the template survive.
    expect(text.split('\n').length).toBe(template.manifestText.split('\n').length);
    expect(text).toContain('  every: 10m            # how often a run starts');
  });

  it('quotes an answer that would otherwise change the YAML structure', async () => {
    const { template, answers } = await base();
    const text = renderManifest(template, { ...answers, category: 'qos: [x]' });
    expect((parse(text) as { category: string }).category).toBe('qos: [x]');
    expect(answerIssues(template, { ...answers, category: 'qos: [x]' }).category).toMatch(
      /category must be one of qos, security, cartography, other/,
    );
  });

  it('reports the rule each bad answer breaks, all at once', async () => {
    const { template, answers } = await base();
    const issues = answerIssues(template, {
      ...answers,
      name: 'My_Probe',
      every: '7s',
      duration: '9m',
      cpu: 'lots',
      bandwidth: 'fast',
    });
    expect(issues.name).toMatch(/"My_Probe": name must be a DNS-1123 label/);
    expect(issues.every).toMatch(/7s neither divides the scheduling horizon/);
    expect(issues.duration).toMatch(/9m is longer than schedule.every \(7s\)/);
    expect(issues.cpu).toMatch(/cpu must be a Kubernetes CPU quantity/);
    expect(issues.bandwidth).toMatch(/bandwidth must be written like 20Mbps/);
    expect(Object.keys(issues).sort()).toEqual(['bandwidth', 'cpu', 'duration', 'every', 'name']);
    // A run smaller than what the app holds between runs is caught too (idle comes from the template).
    expect(answerIssues(template, { ...answers, memory: '10Mi' })).toEqual({
      memory:
        'idle memory (64Mi) is more than run memory (10Mi); idle is what the app holds between runs and cannot exceed a run',
    });
  });

  it('blames the name for the fields derived from it', async () => {
    const { template, answers } = await base('1probe');
    expect(answerIssues(template, answers).name).toMatch(
      /1probe makes nmaas.yaml metrics\[0\].name, metrics\[1\].name, metrics\[2\].name invalid: metric name must be snake_case/,
    );
    const long = await base('a'.repeat(41));
    expect(answerIssues(long.template, long.answers).name).toMatch(/longer than 40 characters/);
  });

  it('shortens the default run duration to fit a short period', () => {
    expect(defaultDuration('30s', '5m')).toBe('30s');
    expect(defaultDuration('30s', '20s')).toBe('10s');
    expect(defaultDuration('30s', '1s')).toBe('1s');
  });
});
