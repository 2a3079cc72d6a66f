/**
 * The re-plan on the webhook's HTTPS port:
 *   GET  /replan  the plan for the cluster as it is now, as JSON, changing nothing (one at a time);
 *   POST /replan  plan and carry the plan out now (the leader only), for a caller holding the token.
 * The POST is authenticated by a bearer token compared with the content of `tokenFile` (read at
 * each request, so a rotated Secret takes effect without a restart); without a token file the POST
 * is off (403). A follower's preview lacks the recent refusals, which only the leader sees.
 */
import { readFile } from 'node:fs/promises';
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { ReplanLoop } from './replan-loop.js';

export interface ReplanRoutesOptions {
  /** File holding the token a POST must present; undefined: on-demand re-plans are off. */
  tokenFile?: string;
  canDecide(): boolean;
}

export class ReplanRoutes {
  private previewing = false;

  constructor(
    private readonly loop: ReplanLoop,
    private readonly options: ReplanRoutesOptions,
  ) {}

  async preview(res: http.ServerResponse): Promise<void> {
    if (this.previewing || this.loop.busy) return send(res, 409, { message: 'a re-plan is running; ask again later' });
    this.previewing = true;
    try {
      send(res, 200, await this.loop.preview());
    } catch (error) {
      send(res, 500, { message: `re-plan failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      this.previewing = false;
    }
  }

  async trigger(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.resume();
    const tokenFile = this.options.tokenFile;
    if (tokenFile === undefined)
      return send(res, 403, {
        message: 'on-demand re-plans are off: start the webhook with --replan-token-file',
      });
    let expected: string;
    try {
      expected = (await readFile(tokenFile, 'utf8')).trim();
    } catch (error) {
      // The chart mounts an optional Secret: until an admin creates it, there is no file.
      if ((error as { code?: string }).code === 'ENOENT')
        return send(res, 403, {
          message: `on-demand re-plans are off: ${tokenFile} does not exist (create the token)`,
        });
      return send(res, 500, { message: `cannot read the re-plan token file ${tokenFile}: ${String(error)}` });
    }
    const given = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1]?.trim() ?? '';
    if (expected === '' || !sameSecret(given, expected))
      return send(res, 401, {
        message: 'a POST to /replan needs "Authorization: Bearer <token>" with the re-plan token',
      });
    if (!this.options.canDecide())
      return send(res, 409, { message: 'this replica is not the leader; the leader carries re-plans out' });
    const run = await this.loop.run();
    if (run === null) return send(res, 409, { message: 'a re-plan is already running' });
    send(res, run.result === 'error' ? 500 : 200, run);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
