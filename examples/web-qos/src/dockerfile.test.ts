import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '@nmaas/sdk';
import { buildImageLayout, startContainerEntry } from '@nmaas/example-web-cartography/testing';

const dockerfile = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8');
const lines = dockerfile.split('\n').filter((l) => !l.trimStart().startsWith('#'));
const stages = lines.map((l, i) => [l, i] as const).filter(([l]) => /^FROM\s/i.test(l));
const finalStage = lines.slice(stages[stages.length - 1]![1]).join('\n');

// No Docker engine runs the tests, so the image conventions the platform relies on are checked
// in the Dockerfile itself (NMaaS brief: WORKDIR /app with nmaas.yaml and the built app, CMD
// runs the SDK's container entry, non-root user 65532).
describe('Dockerfile', () => {
  it('is multi-stage: a build stage, then a runtime stage that copies only its output', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]![0]).toMatch(/\sAS\s+build\b/i);
    expect(finalStage).toMatch(/^COPY --from=build\b.*\s\/app$/m);
    expect(finalStage).not.toMatch(/^RUN\s+npm\s/m);
  });

  it('runs the SDK container entry on /app as user 65532', () => {
    expect(finalStage).toMatch(/^WORKDIR \/app$/m);
    expect(finalStage).toMatch(/^USER 65532:65532$/m);
    expect(finalStage).toMatch(/^CMD \[.*"\/app\/node_modules\/\.bin\/nmaas-app", "\/app"\]$/m);
    expect(finalStage).toMatch(/^EXPOSE 9464$/m);
  });

  it('packs nmaas.yaml, package.json and dist/ of this app', () => {
    const name = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')).name.replace('@nmaas/example-', '');
    expect(dockerfile).toContain(`npx tsc -b examples/${name}`);
    expect(dockerfile).toContain(`cp -r examples/${name}/dist examples/${name}/nmaas.yaml examples/${name}/package.json /out/app/`);
  });

  it('its build steps, run without Docker, give an /app that the SDK container entry serves', async () => {
    const appDir = fileURLToPath(new URL('..', import.meta.url));
    const manifest = readFileSync(path.join(appDir, 'nmaas.yaml'), 'utf8');
    const prefix = /^name: (\S+)$/m.exec(manifest)![1]!.replace(/-/g, '_');
    const layout = buildImageLayout(appDir, fileURLToPath(new URL('../../..', import.meta.url)));
    try {
      for (const file of ['nmaas.yaml', 'package.json', 'dist/index.js', 'node_modules/.bin/nmaas-app']) expect(existsSync(path.join(layout.appRoot, file)), file).toBe(true);
      for (const dev of ['typescript', 'vitest', '@types/node']) expect(existsSync(path.join(layout.appRoot, 'node_modules', dev)), dev).toBe(false);
      // Half a period away, so no run starts: this checks that the packed app loads and serves.
      const every = parseDuration(/^  every: (\S+)$/m.exec(manifest)![1]!)!;
      const phase = Math.floor(Date.now() / 1000 + every / 2) % every;
      const entry = await startContainerEntry(layout.appRoot, { NMAAS_PHASE_SECONDS: String(phase) });
      try {
        const metrics = await (await fetch(`http://127.0.0.1:${entry.port}/metrics`)).text();
        expect(metrics).toMatch(/^nmaas_app_info\{/m);
        expect(metrics).toContain(`# TYPE ${prefix}_`);
      } finally {
        expect(await entry.stop(), entry.output()).toBe(0);
      }
    } finally {
      layout.dispose();
    }
  }, 300_000);
});
