/**
 * Structured logs: one JSON object per line on stdout, which is what container log collectors
 * (and `kubectl logs | jq`) read best. Fields given by the app never overwrite the envelope.
 */
import type { LogFields, Logger } from './measurement.js';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(line);
};

export class JsonLogger implements Logger {
  constructor(
    private readonly sink: LogSink,
    private readonly base: LogFields = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** A logger that adds `fields` to every line (e.g. the run number). */
  child(fields: LogFields): JsonLogger {
    return new JsonLogger(this.sink, { ...this.base, ...fields }, this.now);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    const envelope = { time: new Date(this.now()).toISOString(), level, msg: String(message) };
    // Envelope first for readers, and its values (and the base fields) win over app-given fields.
    const record = Object.assign({}, envelope, fields, this.base, envelope);
    let line: string;
    try {
      line = JSON.stringify(record, errorReplacer);
    } catch (error) {
      // A circular or BigInt field must not lose the message itself.
      line = JSON.stringify({
        ...this.base,
        time: record.time,
        level,
        msg: String(message),
        logError: (error as Error).message,
      });
    }
    this.sink(`${line}\n`);
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Collects log lines in memory (tests, `nmaas run --once`). */
export function memorySink(): { sink: LogSink; lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  return {
    sink: (l) => lines.push(l),
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
