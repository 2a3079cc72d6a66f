/**
 * What a request costs a server process whatever else the machine runs: CPU time (user + system,
 * `process.cpuUsage`) and bytes allocated on the JavaScript heap. V8 keeps no running total of
 * allocations, so it is recovered from the heap: what the heap holds now minus what it held at the
 * start, plus everything each collection in between freed (`v8.GCProfiler` reports the heap before
 * and after every collection). Both are divided by the requests answered in the same window.
 */
import v8 from 'node:v8';

interface GcRecord {
  /** Microseconds the collection took (the main thread's pause). */
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}

export interface RequestCost {
  requests: number;
  cpuMicrosPerRequest: number | null;
  /** The part of it spent in the kernel (socket reads and writes). */
  systemCpuMicrosPerRequest: number | null;
  /** Main-thread time in garbage collection pauses per request. */
  gcPauseMicrosPerRequest: number | null;
  /** JavaScript heap bytes allocated per request (Buffers outside the heap not included). */
  heapBytesPerRequest: number | null;
  /** Garbage collections per thousand requests (young and old generation together). */
  gcPerThousandRequests: number | null;
}

export class CostMeter {
  private profiler = new v8.GCProfiler();
  private cpu = process.cpuUsage();
  private heapAtStart = v8.getHeapStatistics().used_heap_size;
  private requestsAtStart = 0;
  /** Heap bytes the collections of this window freed, and how many ran, up to the last read. */
  private freedEarlier = 0;
  private gcsEarlier = 0;
  private gcMicrosEarlier = 0;

  constructor(private readonly requestsSoFar: () => number) {
    this.reset();
  }

  /** Starts a new window. */
  reset(): void {
    this.profiler.stop();
    this.profiler = new v8.GCProfiler();
    this.profiler.start();
    this.cpu = process.cpuUsage();
    this.heapAtStart = v8.getHeapStatistics().used_heap_size;
    this.requestsAtStart = this.requestsSoFar();
    this.freedEarlier = 0;
    this.gcsEarlier = 0;
    this.gcMicrosEarlier = 0;
  }

  /** The cost since the last reset; the window goes on. */
  read(): RequestCost {
    const cpu = process.cpuUsage(this.cpu);
    const heapNow = v8.getHeapStatistics().used_heap_size;
    // stop() hands over the collections recorded so far; a new profiler carries the window on.
    const gcs = ((this.profiler.stop() as { statistics?: GcRecord[] } | undefined)?.statistics ?? []) as GcRecord[];
    this.profiler = new v8.GCProfiler();
    this.profiler.start();
    this.freedEarlier += gcs.reduce(
      (sum, g) => sum + g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize,
      0,
    );
    this.gcsEarlier += gcs.length;
    this.gcMicrosEarlier += gcs.reduce((sum, g) => sum + g.cost, 0);
    const requests = this.requestsSoFar() - this.requestsAtStart;
    const per = (x: number, scale = 1) => (requests === 0 ? null : Math.round((x * scale) / requests));
    return {
      requests,
      cpuMicrosPerRequest: per(cpu.user + cpu.system),
      systemCpuMicrosPerRequest: per(cpu.system),
      gcPauseMicrosPerRequest: per(this.gcMicrosEarlier),
      heapBytesPerRequest: per(heapNow - this.heapAtStart + this.freedEarlier),
      gcPerThousandRequests: requests === 0 ? null : Math.round((this.gcsEarlier * 1e4) / requests) / 10,
    };
  }
}
