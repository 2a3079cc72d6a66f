/**
 * The player's buffer and playhead in real time. Media is appended as segments arrive; the
 * playhead advances with the wall clock while playing. When it reaches the end of buffered media
 * before the stream's end, playback stalls at the exact instant the buffer ran dry (computed, not
 * polled), and resumes once `resumeLevel` seconds are buffered again. Playback first starts when
 * `startLevel` seconds are buffered (CTA-2066's playbackStart).
 */
export interface Stall {
  /** Seconds since the session's request. */
  start: number;
  duration: number;
}

export class PlayerBuffer {
  private buffered = 0;
  private playhead = 0;
  private playing = false;
  private lastTick: number;
  private stallStartedAt: number | null = null;
  startedAt: number | null = null;
  readonly stalls: Stall[] = [];

  constructor(
    private readonly requestedAt: number,
    private readonly startLevel: number,
    private readonly resumeLevel: number,
  ) {
    this.lastTick = requestedAt;
  }

  /** Advances the playhead to `now` (ms clock), recording a stall if the buffer ran dry meanwhile. */
  advance(now: number): void {
    if (this.playing) {
      const elapsed = (now - this.lastTick) / 1000;
      const ahead = this.buffered - this.playhead;
      if (elapsed >= ahead) {
        this.playhead = this.buffered;
        this.playing = false;
        this.stallStartedAt = this.lastTick + ahead * 1000;
      } else {
        this.playhead += elapsed;
      }
    }
    this.lastTick = now;
  }

  /** Appends `seconds` of media that arrived at `now`, starting or resuming playback when enough is buffered. */
  append(now: number, seconds: number, streamComplete: boolean): void {
    this.advance(now);
    this.buffered += seconds;
    const level = this.buffered - this.playhead;
    if (this.playing) return;
    if (this.startedAt === null) {
      if (level >= this.startLevel || streamComplete) {
        this.startedAt = now;
        this.playing = true;
      }
    } else if (level >= this.resumeLevel || streamComplete) {
      this.stalls.push({
        start: (this.stallStartedAt! - this.requestedAt) / 1000,
        duration: (now - this.stallStartedAt!) / 1000,
      });
      this.stallStartedAt = null;
      this.playing = true;
    }
  }

  /** Media seconds buffered ahead of the playhead at `now`. */
  level(now: number): number {
    this.advance(now);
    return this.buffered - this.playhead;
  }

  /** Media seconds played so far. */
  played(now: number): number {
    this.advance(now);
    return this.playhead;
  }

  /** A stall still running at the end of the session, counted up to `now`. */
  closeOpenStall(now: number): void {
    this.advance(now);
    if (this.startedAt !== null && !this.playing && this.stallStartedAt !== null) {
      this.stalls.push({
        start: (this.stallStartedAt - this.requestedAt) / 1000,
        duration: (now - this.stallStartedAt) / 1000,
      });
      this.stallStartedAt = null;
    }
  }
}
