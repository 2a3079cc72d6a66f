/**
 * The checks every example app passes as a catalogue submission, shared so that each app's test
 * file only lists them (`for (const [name, check] of Object.entries(…)) it(name, check)`). They
 * throw (node:assert) instead of using vitest's expect, so this module stays free of the runner.
 *
 * No Docker engine runs the tests, so the image conventions the platform relies on are checked in
 * the Dockerfile itself (WORKDIR /app with nmaas.yaml and the built app, CMD runs the SDK's
 * container entry, non-root user 65532), and the Dockerfile's build steps are run without Docker.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '@nmaas/sdk/model';
import { buildImageLayout, startContainerEntry } from './image-layout.js';

export type Check = () => Promise<void> | void;

function appPaths(appDirUrl: URL): { appDir: string; repoRoot: string; cli: string } {
  const appDir = fileURLToPath(appDirUrl);
  const repoRoot = path.resolve(appDir, '..', '..');
  return { appDir, repoRoot, cli: path.join(repoRoot, 'cli', 'dist', 'main.js') };
}

/** Checks of `<app>/Dockerfile` and of the /app its build steps produce. */
export function dockerfileChecks(appDirUrl: URL): Record<string, Check> {
  const { appDir, repoRoot } = appPaths(appDirUrl);
  const dockerfile = readFileSync(path.join(appDir, 'Dockerfile'), 'utf8');
  const lines = dockerfile.split('\n').filter((l) => !l.trimStart().startsWith('#'));
  const stages = lines.map((l, i) => [l, i] as const).filter(([l]) => /^FROM\s/i.test(l));
  const finalStage = lines.slice(stages[stages.length - 1]![1]).join('\n');
  return {
    'is multi-stage: a build stage, then a runtime stage that copies only its output': () => {
      assert.ok(stages.length >= 2, 'at least two FROM stages');
      assert.match(stages[0]![0], /\sAS\s+build\b/i);
      assert.match(finalStage, /^COPY --from=build\b.*\s\/app$/m);
      assert.doesNotMatch(finalStage, /^RUN\s+npm\s/m);
    },
    'runs the SDK container entry on /app as user 65532': () => {
      assert.match(finalStage, /^WORKDIR \/app$/m);
      assert.match(finalStage, /^USER 65532:65532$/m);
      assert.match(finalStage, /^CMD \[.*"\/app\/node_modules\/\.bin\/nmaas-app", "\/app"\]$/m);
      assert.match(finalStage, /^EXPOSE 9464$/m);
    },
    'packs nmaas.yaml, package.json and dist/ of this app': () => {
      const name = (
        JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as { name: string }
      ).name.replace('@nmaas/example-', '');
      assert.ok(dockerfile.includes(`npx tsc -b examples/${name}`), 'builds the app with tsc -b');
      assert.ok(
        dockerfile.includes(
          `cp -r examples/${name}/dist examples/${name}/nmaas.yaml examples/${name}/package.json /out/app/`,
        ),
        'copies dist, nmaas.yaml and package.json',
      );
    },
    'its build steps, run without Docker, give an /app that the SDK container entry serves': async () => {
      const manifest = readFileSync(path.join(appDir, 'nmaas.yaml'), 'utf8');
      const prefix = /^name: (\S+)$/m.exec(manifest)![1]!.replace(/-/g, '_');
      const layout = buildImageLayout(appDir, repoRoot);
      try {
        for (const file of ['nmaas.yaml', 'package.json', 'dist/index.js', 'node_modules/.bin/nmaas-app'])
          assert.ok(existsSync(path.join(layout.appRoot, file)), `${file} is in /app`);
        for (const dev of ['typescript', 'vitest', '@types/node'])
          assert.ok(!existsSync(path.join(layout.appRoot, 'node_modules', dev)), `${dev} is not in the image`);
        // Half a period away, so no run starts: this checks that the packed app loads and serves.
        const every = parseDuration(/^ {2}every: (\S+)$/m.exec(manifest)![1]!)!;
        const phase = Math.floor(Date.now() / 1000 + every / 2) % every;
        const entry = await startContainerEntry(layout.appRoot, { NMAAS_PHASE_SECONDS: String(phase) });
        try {
          const metrics = await (await fetch(`http://127.0.0.1:${entry.port}/metrics`)).text();
          assert.match(metrics, /^nmaas_app_info\{/m);
          assert.ok(metrics.includes(`# TYPE ${prefix}_`), `the app's own metrics (${prefix}_*) are declared`);
        } finally {
          assert.equal(await entry.stop(), 0, entry.output());
        }
      } finally {
        layout.dispose();
      }
    },
  };
}

/** The app passes `nmaas manifest check` and its synthesised chart passes the validator with no error (built CLI). */
export function submissionChecks(appDirUrl: URL): Record<string, Check> {
  const { appDir, cli } = appPaths(appDirUrl);
  return {
    'nmaas.yaml is valid and the synthesised chart passes the validator with no error': () => {
      assert.ok(existsSync(cli), 'build the CLI first: npx tsc -b cli (npm test does)');
      const check = spawnSync(process.execPath, [cli, 'manifest', 'check', appDir], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const run = spawnSync(process.execPath, [cli, 'validate', appDir, '--format', 'json'], {
        encoding: 'utf8',
        timeout: 180_000,
      });
      assert.ok(run.status === 0 || run.status === 1, run.stderr);
      const report = JSON.parse(run.stdout) as { findings: { severity: string; ruleId: string; message: string }[] };
      assert.deepEqual(
        report.findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId}: ${f.message}`),
        [],
      );
    },
  };
}
