/**
 * Test helpers (not exported from the package): building corpus submissions from the base chart.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';
import { Header } from 'tar';
import { parse } from 'yaml';
import type { ObjectsInput } from '../types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const BASE_CHART = path.join(FIXTURES, 'corpus', 'base', 'web-qos-full');
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** A rule's input holding one Deployment whose pod template is `template` (rendered at the defaults). */
export function deploymentInput(template: Record<string, unknown>, extra: Partial<ObjectsInput> = {}): ObjectsInput {
  return {
    objects: [
      {
        object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rel-app' }, spec: { template } },
        valueSets: ['defaults'],
      },
    ],
    valueSet: 'defaults',
    namespace: 'ns',
    allowedRegistries: ['ghcr.io'],
    ...extra,
  };
}

export interface CorpusCase {
  id: string;
  description: string;
  expect: string[];
  edits?: { file: string; replace: string; with: string }[];
  add?: Record<string, string>;
  remove?: string[];
  initContainer?: { image?: string; add?: string[]; allowPrivilegeEscalation?: boolean };
  dirName?: string;
  catalogue?: string[];
  bounds?: boolean;
  /** The severity the case's own rule (expect[0]) must report at: default the rule's own; `info` for a case that shows an accepted combination. */
  severity?: 'error' | 'warning' | 'info';
}

export async function loadCases(): Promise<CorpusCase[]> {
  const data = parse(await readFile(path.join(FIXTURES, 'corpus', 'cases.yaml'), 'utf8')) as { cases: CorpusCase[] };
  return data.cases;
}

const APP_DIGEST = 'sha256:4f6a0a5e8bd5d1d1a8d1f4b2c0c9e6a3b7d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8';

function initContainerYaml(spec: { image?: string; add?: string[]; allowPrivilegeEscalation?: boolean }): string {
  const image = spec.image ?? `ghcr.io/nmaas/web-qos:1.2.0@${APP_DIGEST}`;
  const add = spec.add && spec.add.length > 0 ? `\n                add: [${spec.add.join(', ')}]` : '';
  return [
    '      initContainers:',
    '        - name: helper',
    `          image: ${JSON.stringify(image)}`,
    '          resources: { limits: { cpu: 10m, memory: 16Mi, ephemeral-storage: 16Mi }, requests: { cpu: 10m, memory: 16Mi } }',
    '          securityContext:',
    `            allowPrivilegeEscalation: ${spec.allowPrivilegeEscalation === true}`,
    '            readOnlyRootFilesystem: true',
    '            runAsNonRoot: true',
    '            capabilities:',
    `                drop: [ALL]${add}`,
    '',
  ].join('\n');
}

export async function tempDir(prefix = 'nmaas-validator-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Builds the case's chart folder under `root`; returns its path. Throws when an edit misses. */
export async function buildCase(c: CorpusCase, root: string): Promise<string> {
  const dir = path.join(root, c.dirName ?? 'web-qos-full');
  await cp(BASE_CHART, dir, { recursive: true });
  const edits = [...(c.edits ?? [])];
  if (c.initContainer)
    edits.push({
      file: 'templates/deployment.yaml',
      replace: '      containers:\n',
      with: `${initContainerYaml(c.initContainer)}      containers:\n`,
    });
  for (const e of edits) {
    const file = path.join(dir, e.file);
    const text = await readFile(file, 'utf8');
    const count = text.split(e.replace).length - 1;
    if (count !== 1)
      throw new Error(`case ${c.id}: ${JSON.stringify(e.replace)} occurs ${count} times in ${e.file}, expected once`);
    await writeFile(
      file,
      text.replace(e.replace, () => e.with),
    );
  }
  for (const [rel, content] of Object.entries(c.add ?? {})) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  for (const rel of c.remove ?? []) await rm(path.join(dir, rel));
  return dir;
}

/** One entry of a hand-built tar: any typeflag, any path, and a header size that may lie. */
export type TarEntry = { path: string; type?: string; data?: Buffer; size?: number; linkpath?: string };

/** A tar stream from hand-built headers (node-tar's Header), so any typeflag and any path can be written. */
export function tarOf(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = e.data ?? Buffer.alloc(0);
    const h = new Header({
      path: e.path,
      type: (e.type ?? 'File') as never,
      size: e.size ?? (e.type === undefined || e.type === 'File' ? data.length : 0),
      mode: e.type === 'Directory' ? 0o755 : 0o644,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      ...(e.linkpath ? { linkpath: e.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block, data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Gzip at the fastest level: archive tests care about content, not ratio. */
export const gz = (b: Buffer): Buffer => gzipSync(b, { level: zc.Z_BEST_SPEED });
