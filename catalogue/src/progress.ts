/**
 * Build progress: a redrawn bar when stdout is a terminal, one plain line per chart otherwise
 * (logs and CI), nothing in JSON mode (the result document is the output).
 */
import type { ProgressEvent } from './build.js';

export type ProgressMode = 'bar' | 'lines' | 'silent';

export function progressMode(format: string, stream: NodeJS.WriteStream = process.stdout): ProgressMode {
  if (format === 'json') return 'silent';
  return stream.isTTY ? 'bar' : 'lines';
}

export function progressReporter(
  mode: ProgressMode,
  stream: NodeJS.WritableStream = process.stdout,
): { onProgress: (e: ProgressEvent) => void; end(): void } {
  let barShown = false;
  const width = 30;
  const drawBar = (done: number, total: number, label: string) => {
    const filled = total === 0 ? width : Math.round((done / total) * width);
    stream.write(
      `\r\u001b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label.slice(0, 60)}`,
    );
    barShown = true;
  };
  return {
    onProgress(e) {
      if (mode === 'silent') return;
      if (mode === 'bar') {
        if (e.type === 'start') drawBar(0, e.total, 'reading inputs');
        else if (e.type === 'step') drawBar(e.done, e.total, e.what);
        else if (e.type === 'wait-lock')
          drawBar(0, 1, `waiting for the repository lock (held by pid ${e.holderPid ?? '?'})`);
        return;
      }
      if (e.type === 'step') stream.write(`[${e.done}/${e.total}] ${e.what}\n`);
      else if (e.type === 'wait-lock')
        stream.write(`waiting for the repository lock held by pid ${e.holderPid ?? '?'}\n`);
    },
    end() {
      if (barShown) stream.write('\r\u001b[2K');
    },
  };
}
