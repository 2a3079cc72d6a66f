/**
 * `catalogue serve`: a static Helm repository server plus the browse page. Only GET and HEAD;
 * every response carries a strong ETag (sha256 of the body) and honours If-None-Match. A request
 * path never leaves the repository: each segment is decoded on its own, and `.`/`..`, encoded
 * separators, NUL and backslashes get 400; dot-files (the lock, temp files) get 404; the
 * resolved real path (symlinks followed) must stay inside the repository's real path, else 404.
 */
import { ociPull, OciNotFound } from './oci-pull.js';
import { OCI_DIR } from '../oci-content.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { UsageError } from '@nmaas/sdk/kit';
import { catalogueCache, parseServedIndex, readIndexText } from './apps.js';
import { hashOpenFile, openFile, type OpenFile } from './open-file.js';
import { pageHtml } from './page.js';
import { IndexError } from '../index-file.js';

const CONTENT_TYPES: Record<string, string> = {
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.tgz': 'application/gzip',
  '.prov': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.tpl': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface ServeOptions {
  repoDir: string;
  host?: string;
  port?: number;
  /** Called for every request (method, path, status), e.g. to log. */
  onRequest?: (method: string, url: string, status: number) => void;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Maps a request path to repository-relative segments, or throws 400/404. Exported for tests. */
export function requestSegments(rawPath: string): string[] {
  if (!rawPath.startsWith('/')) throw new HttpError(400, 'the request path must start with /');
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw new HttpError(400, 'the request path has a malformed %-escape');
    }
    if (seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) {
      throw new HttpError(400, 'the request path may not contain ., .., encoded separators or NUL');
    }
    if (seg === '' || seg.startsWith('.')) throw new HttpError(404, 'not found');
    segments.push(seg);
  }
  return segments;
}

interface Body {
  /** An answer made in memory (the page, JSON, icons)… */
  data?: Buffer;
  /** …or a file of the repository, streamed from its open handle. */
  file?: OpenFile;
  type: string;
  cache: string;
  extraHeaders?: Record<string, string>;
}

/** Per served file, the ETag of its current version: hashed once, however many requests ask at once. */
const etagCache = new Map<string, { key: string; etag: Promise<string> }>();

/** A strong ETag from the body's sha256 (base64url), whether hashed at once or read in chunks. */
const etagOfDigest = (sha256: string): string => `"${sha256.slice(0, 32)}"`;

function etagOf(data: Buffer): string {
  return etagOfDigest(createHash('sha256').update(data).digest('base64url'));
}

function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

async function repoFile(root: string, realRoot: string, segments: string[]): Promise<Body & { etag: string }> {
  const file = path.join(root, ...segments);
  const real = await realpath(file).catch(() => null);
  if (real === null || (real !== realRoot && !real.startsWith(realRoot + path.sep)))
    throw new HttpError(404, 'not found');
  const opened = await openFile(real);
  if (opened === null) throw new HttpError(404, 'not found');
  let cached = etagCache.get(real);
  if (cached?.key !== opened.version) {
    cached = { key: opened.version, etag: hashOpenFile(opened).then(etagOfDigest) };
    etagCache.set(real, cached);
  }
  let etag: string;
  try {
    etag = await cached.etag;
  } catch (error) {
    if (etagCache.get(real) === cached) etagCache.delete(real);
    await opened.handle.close();
    throw error;
  }
  const ext = path.extname(real).toLowerCase();
  const isIndex = segments.length === 1 && segments[0] === 'index.yaml';
  return {
    file: opened,
    etag,
    type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
    cache: isIndex ? 'no-cache' : 'public, max-age=300',
    // An SVG opened directly must not run script from a chart author.
    ...(ext === '.svg'
      ? { extraHeaders: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" } }
      : {}),
  };
}

export function createCatalogueServer(options: ServeOptions): Server {
  const root = path.resolve(options.repoDir);
  const catalogue = catalogueCache(root);
  let realRootPromise: Promise<string> | null = null;
  const realRoot = () => (realRootPromise ??= realpath(root));

  async function handle(req: IncomingMessage): Promise<Body & { etag?: string }> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'only GET and HEAD');
    const rawPath = (req.url ?? '/').split('?')[0]!;
    if (rawPath === '/' || rawPath === '/index.html') {
      const nonce = randomBytes(16).toString('base64');
      return {
        data: Buffer.from(pageHtml(nonce)),
        type: 'text/html; charset=utf-8',
        cache: 'no-cache',
        extraHeaders: {
          'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' https: data:; connect-src 'self'; base-uri 'none'; form-action 'none'`,
        },
      };
    }
    if (rawPath === '/api/apps') {
      const cat = await catalogue();
      return {
        data: Buffer.from(JSON.stringify({ generated: cat.generated, apps: cat.apps })),
        type: 'application/json',
        cache: 'no-cache',
      };
    }
    if (rawPath === '/v2' || rawPath.startsWith('/v2/')) {
      return ociPull(path.join(root, OCI_DIR), rawPath).catch((error: unknown) => {
        throw error instanceof OciNotFound ? new HttpError(404, error.message) : error;
      });
    }
    const segments = requestSegments(rawPath);
    if (segments[0] === 'api' && segments[1] === 'apps' && segments.length === 5 && segments[4] === 'icon') {
      const icon = (await catalogue()).icons.get(`${segments[2]}@${segments[3]}`);
      if (!icon) throw new HttpError(404, 'no such icon');
      return {
        data: icon.data,
        type: icon.type,
        cache: 'public, max-age=300',
        extraHeaders: { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox" },
      };
    }
    return repoFile(root, await realRoot(), segments);
  }

  return createServer((req, res: ServerResponse) => {
    const finish = (status: number) => options.onRequest?.(req.method ?? '', req.url ?? '', status);
    handle(req)
      .then(
        async (body) => {
          const etag = body.etag ?? etagOf(body.data ?? Buffer.alloc(0));
          const headers: Record<string, string | number> = {
            ETag: etag,
            'Cache-Control': body.cache,
            'X-Content-Type-Options': 'nosniff',
            ...body.extraHeaders,
          };
          if (notModified(req, etag)) {
            await body.file?.handle.close();
            res.writeHead(304, headers).end();
            finish(304);
            return;
          }
          const length = body.file ? body.file.size : (body.data?.length ?? 0);
          res.writeHead(200, { ...headers, 'Content-Type': body.type, 'Content-Length': length });
          if (req.method === 'HEAD' || !body.file) {
            await body.file?.handle.close();
            res.end(req.method === 'HEAD' ? undefined : body.data);
            finish(200);
            return;
          }
          // The stream closes the handle when it ends or fails (a client gone mid-body fails it).
          await pipeline(body.file.handle.createReadStream({ start: 0 }), res).catch(() => res.destroy());
          finish(200);
        },
        (error: unknown) => {
          // A damaged index.yaml (replaced while serving): the operator must restore it; clients get a short 503.
          const status =
            error instanceof HttpError
              ? error.status
              : error instanceof IndexError
                ? 503
                : (error as NodeJS.ErrnoException).code === 'ENOENT'
                  ? 404
                  : 500;
          const message =
            error instanceof HttpError
              ? error.message
              : status === 503
                ? 'the repository index (index.yaml) cannot be read; try again later'
                : status === 404
                  ? 'not found'
                  : 'internal error';
          const headers: Record<string, string | number> = {
            'Content-Type': 'text/plain; charset=utf-8',
            'X-Content-Type-Options': 'nosniff',
          };
          if (status === 405) headers.Allow = 'GET, HEAD';
          res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : `${message}\n`);
          // One line for the operator, never a stack: what was asked, the answer and why.
          if (status >= 500) process.stderr.write(`catalogue serve: ${logLine(req, status, error)}\n`);
          finish(status);
        },
      )
      .catch(() => res.destroy());
  });
}

/** `GET /api/apps: 503 <the error's first line>`, with control characters of the request path escaped. */
function logLine(req: IncomingMessage, status: number, error: unknown): string {
  const what = error instanceof Error ? error.message : String(error);
  const url = (req.url ?? '')
    .slice(0, 200)
    .replace(/[\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `${req.method ?? ''} ${url}: ${status} ${what.split('\n')[0]!.slice(0, 500)}`;
}

/**
 * Reads the repository's index.yaml once before listening: a server whose index cannot be parsed
 * would answer every Helm client and the browse page with errors, so it does not start.
 */
async function checkIndex(root: string): Promise<void> {
  const file = path.join(root, 'index.yaml');
  try {
    const text = await readIndexText(file).catch((error: unknown) => {
      if (error instanceof IndexError) throw error;
      throw new UsageError(`${file}: cannot be read (${(error as Error).message})`);
    });
    if (text === null) return; // an empty repository lists no apps
    parseServedIndex(text, file);
  } catch (error) {
    if (!(error instanceof IndexError)) throw error;
    const fix = error.message.includes('rebuild')
      ? ''
      : `; restore it from backup or rebuild the repository with \`nmaas catalogue build <dirs…> -o ${root}\``;
    throw new UsageError(`${error.message}${fix} (the server was not started)`);
  }
}

/** Starts the server; resolves once it listens. Port 0 picks a free port. */
export async function serveCatalogue(options: ServeOptions): Promise<RunningServer> {
  const root = path.resolve(options.repoDir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory())
    throw new UsageError(
      `${root} is not a folder; build a repository first with \`nmaas catalogue build <dirs…> -o <repo-dir>\``,
    );
  await checkIndex(root);
  const server = createCatalogueServer(options);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
