/**
 * GET /plan: the live plan, read-only, on the webhook's HTTPS port (so `kubectl port-forward`
 * reaches it behind the same TLS). SVG by default (the plan picture), JSON with `?format=json` or
 * `Accept: application/json`. `?node=NAME` (repeatable, or comma-separated) picks nodes and
 * `?limit=N` bounds how many; a cut answer says so (a note in the picture, `note` in the JSON).
 */
import type http from 'node:http';
import { renderTimeline } from '../picture/svg.js';
import { MAX_PLAN_NODES, UnknownPlanNode, type LivePlan, type PlanQuery } from './live-plan.js';

/** Node names one request may list: far above a useful filter, far below a costly one. */
const MAX_NODE_NAMES = 1000;

export class BadPlanRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the request asks for; a BadPlanRequest (400) names the parameter and what it accepts. */
export function planRequest(
  target: string | undefined,
  accept: string | undefined,
): { query: PlanQuery; format: 'svg' | 'json' } {
  const params = new URL(target ?? '/plan', 'https://webhook').searchParams;
  const format = params.get('format');
  if (format !== null && format !== 'svg' && format !== 'json')
    throw new BadPlanRequest(400, `format must be svg or json, not ${JSON.stringify(format.slice(0, 40))}`);
  const query: PlanQuery = {};
  const names = params
    .getAll('node')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (names.length > MAX_NODE_NAMES)
    throw new BadPlanRequest(400, `at most ${MAX_NODE_NAMES} node names per request, got ${names.length}`);
  if (params.has('node')) query.nodes = names;
  const limit = params.get('limit');
  if (limit !== null) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > MAX_PLAN_NODES)
      throw new BadPlanRequest(
        400,
        `limit must be a whole number from 1 to ${MAX_PLAN_NODES}, not ${limit.slice(0, 40)}`,
      );
    query.limit = n;
  }
  const wantsJson = format === 'json' || (format === null && prefersJson(accept));
  return { query, format: wantsJson ? 'json' : 'svg' };
}

/** JSON when the client accepts it and does not accept SVG as well (a browser accepts `*\/*`, and gets SVG). */
function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.includes('image/svg+xml');
}

export function renderPlanSvg(plan: LivePlan): string {
  const view = plan.leader ? '' : " (a follower's view, rebuilt from the API server)";
  return renderTimeline(plan.nodes, plan, plan.placed, {
    title: `NMaaS live plan: ${plan.placed.length} runs on ${plan.shown} of ${plan.of} nodes${view}`,
    maxNodes: plan.nodes.length,
    ...(plan.note !== undefined ? { note: plan.note } : {}),
  });
}

export function servePlan(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  planOf: (query: PlanQuery) => LivePlan,
): void {
  let body: string;
  let type: string;
  let status = 200;
  try {
    const { query, format } = planRequest(req.url, req.headers.accept);
    const plan = planOf(query);
    if (format === 'json') {
      body = JSON.stringify(plan);
      type = 'application/json';
    } else {
      body = renderPlanSvg(plan);
      type = 'image/svg+xml; charset=utf-8';
    }
  } catch (error) {
    if (!(error instanceof BadPlanRequest) && !(error instanceof UnknownPlanNode)) throw error;
    status = error instanceof BadPlanRequest ? error.status : 404;
    body = JSON.stringify({ message: error.message });
    type = 'application/json';
  }
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The picture has no script and loads nothing; say so to a browser that opens it.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(body);
}
