/**
 * What `npm start` runs (`nmaas catalogue start`): build every example app under examples/ into
 * the git-ignored .catalogue/ folder and serve it, printing the URL and the `helm repo add` line.
 * .catalogue/ is a local preview, not a published repository: if an example changed without a
 * version bump, the preview is rebuilt from scratch instead of refusing (a real repository refuses).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '@nmaas/sdk/kit';
import { buildRepository, BuildRefusedError, type BuildResult } from './build.js';
import { serveCatalogue, type RunningServer } from './serve/server.js';
import { addCharts, CHARTS_NAMESPACE, OCI_DIR } from './oci-content.js';
import { buildExampleImages, type ExampleImages } from './start-images.js';

export interface StartOptions {
  /** The monorepo root (default: the nearest folder above cwd that has examples/). */
  rootDir?: string;
  host?: string;
  port?: number;
  /** More app or chart folders to publish beside examples/* (e.g. the scheduler's own chart). */
  include?: string[];
  /** The reviewers' policy file the validator applies. */
  policy?: string;
  /** The URL the catalogue is served at (default: $PUBLIC_URL): Chart.yaml icons point there; without it they are relative. */
  publicUrl?: string;
  /** Build and serve the example apps' images (default true). */
  images?: boolean;
  /** Base layer cache for the image builds (default ~/.cache/nmaas/image). */
  imageCacheDir?: string;
  log?: (line: string) => void;
}

/**
 * The address to listen on: the option, else the HOST environment variable, else loopback only.
 * A Rancher cluster fetches index.yaml and the charts itself, so it needs an address it can
 * reach: HOST=0.0.0.0 (all IPv4 addresses) or :: (all addresses).
 */
export function listenHost(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  const host = option ?? env.HOST;
  return host === undefined || host.trim() === '' ? '127.0.0.1' : host.trim();
}

/** Whether `host` listens on every address (then the printed URL needs this machine's own address). */
export function listensEverywhere(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function findRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'examples')) && existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no examples/ folder above ${start}; run npm start from the NMaaS repository`);
    dir = parent;
  }
}

/** The example folders that are apps or charts. */
export async function exampleInputs(rootDir: string): Promise<string[]> {
  const examples = path.join(rootDir, 'examples');
  const names = (await readdir(examples).catch(() => [] as string[])).sort();
  const out: string[] = [];
  for (const name of names) {
    const dir = path.join(examples, name);
    const isApp = (await stat(path.join(dir, 'nmaas.yaml')).catch(() => null))?.isFile();
    const isChart = (await stat(path.join(dir, 'Chart.yaml')).catch(() => null))?.isFile();
    if (isApp || isChart) out.push(dir);
  }
  return out;
}

export async function startCatalogue(
  options: StartOptions = {},
): Promise<{ server: RunningServer; build: BuildResult | null; images?: ExampleImages }> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const rootDir = options.rootDir ?? findRoot(process.cwd());
  const repoDir = path.join(rootDir, '.catalogue');
  const included = (options.include ?? []).map((dir) => path.resolve(dir));
  // Named before the images are built (seconds of work), not after.
  for (const dir of included)
    if (!existsSync(path.join(dir, 'Chart.yaml')) && !existsSync(path.join(dir, 'nmaas.yaml')))
      throw new UsageError(`--include ${dir} is not a chart or app folder (no Chart.yaml or nmaas.yaml)`);
  const inputs = [...(await exampleInputs(rootDir)), ...included];
  let build: BuildResult | null = null;
  let images: ExampleImages | undefined;
  if (inputs.length === 0) {
    log(`no example apps in ${path.join(rootDir, 'examples')} yet; serving ${repoDir} as it is`);
  } else {
    await mkdir(repoDir, { recursive: true });
    if (options.images !== false) {
      log(`building the app images into ${path.join(repoDir, OCI_DIR)}`);
      images = await buildExampleImages(inputs, repoDir, log, options.imageCacheDir);
    }
    log(`building ${inputs.length} chart${inputs.length === 1 ? '' : 's'} into ${repoDir}`);
    const run = () =>
      buildRepository({
        repoDir,
        inputs,
        allowWarnings: true,
        // Without built images the charts would point at images this server does not have.
        experimentalImages: images?.unavailable !== undefined,
        markAllExperimental: images?.unavailable !== undefined,
        policy: options.policy,
        publicUrl: options.publicUrl ?? (process.env.PUBLIC_URL || undefined),
        onProgress: (e) => {
          if (e.type === 'step') log(`  [${e.done}/${e.total}] ${e.what}`);
        },
      });
    try {
      build = await run();
    } catch (error) {
      if (!(error instanceof BuildRefusedError) || !error.message.startsWith('refused to change published charts'))
        throw error;
      log('an example changed without a version bump; rebuilding the local preview .catalogue/ from scratch');
      await rm(repoDir, { recursive: true, force: true });
      await mkdir(repoDir, { recursive: true });
      if (images) images = await buildExampleImages(inputs, repoDir, log, options.imageCacheDir);
      build = await run();
    }
    for (const c of build.charts) {
      for (const f of c.findings.filter((x) => x.severity !== 'info'))
        log(`  ${c.name}: ${f.severity} ${f.ruleId}: ${f.message}`);
    }
    await addCharts(
      repoDir,
      build.charts.map((c) => ({ file: c.file, metadata: { apiVersion: 'v2', name: c.name, version: c.version } })),
    );
  }
  const port = options.port ?? Number(process.env.PORT ?? 8080);
  const host = listenHost(options.host);
  let server: RunningServer;
  try {
    await mkdir(repoDir, { recursive: true });
    server = await serveCatalogue({ repoDir, host, port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    log(`port ${port} is in use; picking a free port`);
    server = await serveCatalogue({ repoDir, host, port: 0 });
  }
  log(`NMaaS catalogue: ${server.url}`);
  log(`  helm repo add nmaas ${server.url}`);
  log(`  browse the apps: ${server.url}`);
  if (listensEverywhere(host)) {
    log(
      `  listening on every address: in Rancher add http://<this machine's address>:${new URL(server.url).port}/ (Apps → Repositories)`,
    );
  } else if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
    log('  only this machine can reach it; HOST=0.0.0.0 npm start serves a Rancher cluster');
  }
  const registry = server.url.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const firstImage = images?.images[0];
  if (firstImage)
    log(
      `  images (OCI, read-only): skopeo inspect --tls-verify=false docker://${registry}/${firstImage.repository}:${firstImage.tag}`,
    );
  const firstChart = build?.charts[0];
  if (firstChart)
    log(
      `  charts (OCI): helm pull oci://${registry}/${CHARTS_NAMESPACE}/${firstChart.name} --version ${firstChart.version} --plain-http`,
    );
  log('  (Ctrl-C stops the server)');
  return { server, build, images };
}
