/** The in-memory log ring behind GET /logs (reference §4). */

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' | 'UNKNOWN';

export interface LogEntry {
  timestamp: number;
  level: LogLevelName;
  message: string;
  backtrace?: string;
  request_id?: string;
}

const SEVERITY: Record<LogLevelName, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, FATAL: 4, UNKNOWN: 5 };
export const ERROR_SEVERITY = SEVERITY.ERROR;

export function severityOf(level: LogLevelName): number {
  return SEVERITY[level];
}

/** Fixed-capacity ring keeping the newest entries. */
class Ring<T> {
  private items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  /** Adds an item; returns the one pushed out when full. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.start + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }
}

/**
 * Main ring plus error tail: an entry pushed out of the full main ring is kept in the tail ring
 * when its level is ERROR or worse, so old errors outlive the chatter.
 */
export class LogBuffer {
  private main: Ring<LogEntry>;
  private tail: Ring<LogEntry>;
  readonly failedModules: Record<string, string> = {};

  constructor(readonly size: number, readonly tailSize: number) {
    this.main = new Ring(size);
    this.tail = new Ring(tailSize);
  }

  push(entry: LogEntry): void {
    const evicted = this.main.push(entry);
    if (evicted && severityOf(evicted.level) >= ERROR_SEVERITY) this.tail.push(evicted);
  }

  /** Entries with timestamp >= from (tail first, then main, each oldest first). */
  entries(from = 0): LogEntry[] {
    const all = [...this.tail.toArray(), ...this.main.toArray()];
    return from > 0 ? all.filter((e) => e.timestamp >= from) : all;
  }
}
