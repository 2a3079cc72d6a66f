/**
 * Throughput-based adaptive bitrate choice: the estimate is the harmonic mean of the last few
 * segment throughputs (robust to one fast outlier, as in FESTIVE and dash.js' throughput rule);
 * the player takes the highest rendition whose declared bandwidth fits under
 * `safety × estimate`, starting from the lowest before any sample exists.
 */
import type { Rendition } from '../manifest/types.js';

export class ThroughputAbr {
  private readonly samples: number[] = [];

  constructor(
    private readonly safety = 0.8,
    private readonly window = 3,
  ) {}

  /** Records one segment download, in bits per second. */
  addSample(bitsPerSecond: number): void {
    if (!Number.isFinite(bitsPerSecond) || bitsPerSecond <= 0) return;
    this.samples.push(bitsPerSecond);
    if (this.samples.length > this.window) this.samples.shift();
  }

  /** Harmonic mean of the recent samples (bits/s), or null before the first. */
  estimate(): number | null {
    if (this.samples.length === 0) return null;
    return this.samples.length / this.samples.reduce((sum, s) => sum + 1 / s, 0);
  }

  /** Index into `renditions` (sorted by bandwidth, lowest first). */
  choose(renditions: Rendition[]): number {
    const estimate = this.estimate();
    if (estimate === null) return 0;
    let chosen = 0;
    renditions.forEach((r, i) => {
      if (r.bandwidth <= this.safety * estimate) chosen = i;
    });
    return chosen;
  }
}
