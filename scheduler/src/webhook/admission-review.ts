/**
 * The AdmissionReview wire format (admission.k8s.io/v1, and v1beta1 which has the same fields):
 * strict reading of what the API server sends, and the response in the version received with the
 * request uid echoed. Anything that is not a usable review is a `BadReview` (HTTP 400): without a
 * uid there is nothing to answer.
 */
import type { Pod } from '../kube/types.js';
import type { JsonPatchOp } from './patch.js';

export const REVIEW_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export const MAX_WARNING_LENGTH = 119;

export class BadReview extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadReview';
  }
}

export interface ReviewRequest {
  apiVersion: string;
  uid: string;
  operation: string;
  /** Pod CREATE or UPDATE without subresource: the requests the scheduler has an opinion on. */
  isPod: boolean;
  namespace: string;
  dryRun: boolean;
  object: unknown;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseReview(body: string): ReviewRequest {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch {
    throw new BadReview('the body is not JSON; expected an AdmissionReview (admission.k8s.io/v1)');
  }
  if (!isObj(review)) throw new BadReview('the body is not a JSON object; expected an AdmissionReview');
  if (review.kind !== 'AdmissionReview')
    throw new BadReview(`kind is ${JSON.stringify(review.kind)}, expected "AdmissionReview"`);
  const apiVersion = review.apiVersion;
  if (typeof apiVersion !== 'string' || !(REVIEW_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw new BadReview(`apiVersion ${JSON.stringify(apiVersion)} is not supported; send admission.k8s.io/v1`);
  }
  const request = review.request;
  if (!isObj(request)) throw new BadReview('request is missing or not an object');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid.length === 0 || uid.length > 128)
    throw new BadReview('request.uid must be a non-empty string (at most 128 characters)');
  const operation = typeof request.operation === 'string' ? request.operation : '';
  const kind = isObj(request.kind) ? request.kind : {};
  const resource = isObj(request.resource) ? request.resource : {};
  const isPod =
    kind.kind === 'Pod' &&
    (kind.group === '' || kind.group === undefined) &&
    (resource.resource === undefined || resource.resource === 'pods') &&
    (request.subResource === undefined || request.subResource === '');
  const namespace = typeof request.namespace === 'string' ? request.namespace : '';
  return { apiVersion, uid, operation, isPod, namespace, dryRun: request.dryRun === true, object: request.object };
}

/** The pod in a request, or a reason why it is not one. */
export function podOf(object: unknown): Pod | string {
  if (!isObj(object)) return 'request.object is not an object';
  if (!isObj(object.metadata)) return 'request.object.metadata is missing';
  const meta = object.metadata;
  for (const field of ['labels', 'annotations'] as const) {
    const map = meta[field];
    if (map === undefined) continue;
    if (!isObj(map) || !Object.values(map).every((v) => typeof v === 'string'))
      return `metadata.${field} must map strings to strings`;
  }
  if (object.spec !== undefined && !isObj(object.spec)) return 'request.object.spec is not an object';
  const spec = object.spec as Record<string, unknown> | undefined;
  if (spec?.containers !== undefined && !Array.isArray(spec.containers)) return 'spec.containers is not a list';
  return object as Pod;
}

export interface Outcome {
  allowed: boolean;
  code?: number;
  message?: string;
  patch?: JsonPatchOp[];
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export const allow = (extra: Partial<Outcome> = {}): Outcome => ({ allowed: true, ...extra });
export const refuse = (code: number, message: string, warning?: string): Outcome => ({
  allowed: false,
  code,
  message,
  warnings: [warning ?? message],
});

/** One warning line for a person: first line only, at most 119 characters. */
export function shortWarning(text: string): string {
  // The first non-blank line, found without splitting the text into an array of lines.
  let first = '';
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end).trim();
    if (line !== '') {
      first = line;
      break;
    }
    start = end + 1;
  }
  return first.length <= MAX_WARNING_LENGTH ? first : `${first.slice(0, MAX_WARNING_LENGTH - 1)}…`;
}

export function reviewResponse(apiVersion: string, uid: string, outcome: Outcome): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: outcome.allowed };
  if (!outcome.allowed) {
    response.status = {
      code: outcome.code ?? 403,
      message: outcome.message ?? 'refused',
      reason: reasonOf(outcome.code ?? 403),
    };
  }
  if (outcome.allowed && outcome.patch !== undefined && outcome.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(outcome.patch)).toString('base64');
  }
  const warnings = (outcome.warnings ?? []).map(shortWarning).filter((w) => w !== '');
  if (warnings.length > 0) response.warnings = warnings.slice(0, 4);
  if (outcome.auditAnnotations !== undefined) response.auditAnnotations = outcome.auditAnnotations;
  return { apiVersion, kind: 'AdmissionReview', response };
}

/** The start of a response in each supported version, up to the uid's value. */
const responsePrefix = (apiVersion: string) =>
  `{"apiVersion":${JSON.stringify(apiVersion)},"kind":"AdmissionReview","response":{"uid":`;
const RESPONSE_PREFIX = new Map<string, string>(REVIEW_VERSIONS.map((v) => [v, responsePrefix(v)]));

/**
 * `JSON.stringify(reviewResponse(apiVersion, uid, outcome))`, written directly: the response has a
 * fixed shape, so its constant parts are pre-serialised and only the uid, the messages, the patch
 * and the annotations are escaped, without building the intermediate objects on every answer.
 */
export function reviewResponseJson(apiVersion: string, uid: string, outcome: Outcome): string {
  let json = (RESPONSE_PREFIX.get(apiVersion) ?? responsePrefix(apiVersion)) + JSON.stringify(uid);
  if (outcome.allowed) {
    json += ',"allowed":true';
    if (outcome.patch !== undefined && outcome.patch.length > 0)
      json += `,"patchType":"JSONPatch","patch":"${Buffer.from(JSON.stringify(outcome.patch)).toString('base64')}"`;
  } else {
    const code = outcome.code ?? 403;
    json += `,"allowed":false,"status":{"code":${JSON.stringify(code)},"message":${JSON.stringify(outcome.message ?? 'refused')},"reason":"${reasonOf(code)}"}`;
  }
  const warnings = outcome.warnings;
  if (warnings !== undefined) {
    let written = 0;
    for (let i = 0; i < warnings.length && written < 4; i++) {
      const w = shortWarning(warnings[i]!);
      if (w === '') continue;
      json += (written === 0 ? ',"warnings":[' : ',') + JSON.stringify(w);
      written += 1;
    }
    if (written > 0) json += ']';
  }
  if (outcome.auditAnnotations !== undefined) json += `,"auditAnnotations":${JSON.stringify(outcome.auditAnnotations)}`;
  return `${json}}}`;
}

function reasonOf(code: number): string {
  return code === 400
    ? 'BadRequest'
    : code === 403
      ? 'Forbidden'
      : code === 503
        ? 'ServiceUnavailable'
        : code === 422
          ? 'Invalid'
          : 'Forbidden';
}
