/**
 * The replica's own time limits, derived from the webhook configuration's `timeoutSeconds`. The API
 * server gives up on an answer after that long and then applies the failurePolicy (`Fail`: the pod is
 * refused without a reason), so the replica must answer first, a refusal included. A new leader
 * settling in may wait to decide (`leaderWaitMs`, else a 503 the client retries); a decision may wait
 * for its turn (shed with a 503 past `answerWithinMs`), then search for moves (`repairWithinMs`), then
 * evict the pods it moves and answer in what is left: a tenth of the timeout at worst, when all three
 * waits are spent. A replica that is not the leader relays the review and waits for the leader's
 * answer almost as long as the API server waits for its own (`forwardWithinMs`), so a longer timeout
 * reaches the leader's search.
 */
export interface TimeLimits {
  /** Longest wait for a decision's turn in the queue before it is shed (503, retried by the client). */
  answerWithinMs: number;
  /** Longest search for moves (readapt, ejection chains) for one pod before it is refused. */
  repairWithinMs: number;
  /** Longest wait for the leader's answer to a relayed review: nine tenths of the timeout. */
  forwardWithinMs: number;
  /** Longest wait of a new leader for its first decision (it settles in first; see leader-election.ts). */
  leaderWaitMs: number;
}

/** The chart's default `timeoutSeconds`, and the API server's when a webhook leaves it out (v1). */
export const DEFAULT_TIMEOUT_SECONDS = 5;

/** The queue wait needs no more than this however long the timeout: decisions take milliseconds. */
const MAX_ANSWER_WITHIN_MS = 1_000;
/** Nor the wait for leadership: past it, the client's retry meets a leader that has settled. */
const MAX_LEADER_WAIT_MS = 3_000;

export function timeLimitsFor(timeoutSeconds: number): TimeLimits {
  const ms = timeoutSeconds * 1000;
  return {
    answerWithinMs: Math.min(MAX_ANSWER_WITHIN_MS, ms / 5),
    repairWithinMs: (ms * 2) / 5,
    forwardWithinMs: (ms * 9) / 10,
    leaderWaitMs: Math.min(MAX_LEADER_WAIT_MS, (ms * 3) / 10),
  };
}

export const DEFAULT_TIME_LIMITS: Readonly<TimeLimits> = Object.freeze(timeLimitsFor(DEFAULT_TIMEOUT_SECONDS));
