import * as fs from 'fs';
import type { LevelName } from './log-pattern';
import { RollingPolicy } from './log-rolling';

/** Where formatted log lines go: a file, standard output, syslog or the journal. */
export interface LogDestination {
  /** `text` is one log line as the layout made it (a backtrace follows on further lines), ending in "\n". */
  write(level: LevelName, text: string): void;
  /** Writes out what is still pending, at once. */
  flush(): void;
  /** SIGUSR1: reopen the file (after an external rotation). */
  reopen(): void;
  close(): void;
}

/**
 * Lines of one event-loop turn go out in one write at the end of that turn: one system call for
 * the two lines of a request, and a line is out right after the request it describes has finished.
 */
export abstract class BatchedDestination implements LogDestination {
  private pending = '';
  private readonly flushSoon = () => this.flush();

  /** How one line is framed for this destination (syslog and the journal prefix a priority). */
  protected encode(_level: LevelName, text: string): string {
    return text;
  }

  protected abstract send(text: string): void;

  write(level: LevelName, text: string): void {
    if (this.pending === '') setImmediate(this.flushSoon);
    this.pending += this.encode(level, text);
  }

  flush(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    this.send(text);
  }

  reopen(): void {
    this.flush();
  }

  close(): void {
    this.flush();
  }
}

export class StdoutDestination extends BatchedDestination {
  protected send(text: string): void {
    process.stdout.write(text);
  }
}

/**
 * An appended file, reopened on SIGUSR1, and rolled after a write when `rolling` says so. Only
 * the primary process writes it (workers send their lines there), so rolling needs no lock.
 */
export class FileDestination extends BatchedDestination {
  /** null once closed: a late line then goes to STDOUT, never to a reused descriptor. */
  private fd: number | null;
  private rollingFailure = '';

  /** Throws when the file cannot be opened: the caller falls back to STDOUT, as the baseline does. */
  constructor(readonly file: string, private readonly rolling: RollingPolicy | null = null) {
    super();
    this.fd = fs.openSync(file, 'a');
  }

  protected send(text: string): void {
    if (this.fd === null) {
      process.stdout.write(text);
      return;
    }
    try {
      fs.writeSync(this.fd, text);
    } catch {
      process.stdout.write(text);
      return;
    }
    if (this.rolling) this.rollIfRequired(this.rolling, this.fd);
  }

  private rollIfRequired(rolling: RollingPolicy, fd: number): void {
    try {
      if (!rolling.rollRequired(fd)) return;
      rolling.roll();
      this.replaceFd();
      this.rollingFailure = '';
    } catch (err) {
      // Keep writing to the file as it is; say why once, not on every line.
      const why = (err as Error).message;
      if (why !== this.rollingFailure) process.stdout.write(`Rolling log file ${this.file} failed: ${why}\n`);
      this.rollingFailure = why;
    }
  }

  private replaceFd(): void {
    const old = this.fd;
    this.fd = fs.openSync(this.file, 'a');
    if (old !== null) fs.closeSync(old);
  }

  override reopen(): void {
    this.flush();
    if (this.fd === null) return;
    try {
      this.replaceFd();
    } catch (err) {
      process.stdout.write(`Cannot reopen log file ${this.file} (${(err as Error).message}), writing to the file still open\n`);
    }
  }

  override close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
