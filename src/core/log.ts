import * as fs from 'fs';
import * as winston from 'winston';
import Transport from 'winston-transport';
import { LogBuffer, LogEntry, LogLevelName } from './log-buffer';
import { currentRequestId } from './request-context';

/** Proxy log levels, most severe first (winston's convention). */
const LEVELS = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;
type WinstonLevel = keyof typeof LEVELS;

const TO_NAME: Record<WinstonLevel, LogLevelName> = {
  fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG',
};

export interface LoggingSettings {
  log_file: string;
  log_level: string;
  log_buffer: number;
  log_buffer_errors: number;
}

function levelFromSetting(value: string): WinstonLevel {
  const v = String(value || 'INFO').toLowerCase();
  if (v === 'warning') return 'warn';
  return (v in LEVELS ? v : 'info') as WinstonLevel;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `%d %.8X{request} [%.1l] %m`: local ISO time, request id, level initial, message. */
function formatLine(level: WinstonLevel, message: string, requestId?: string): string {
  const d = new Date();
  const ts = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
    `${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return `${ts} ${(requestId ?? '').padEnd(8)} [${TO_NAME[level][0]}] ${message}\n`;
}

/**
 * Writes formatted lines to a file (reopened on SIGUSR1 for log rotation) or to stdout. The lines
 * of one event-loop turn are one synchronous append at the end of that turn: several processes
 * share the file without interleaving partial lines, and a line is on disk right after the
 * request it describes has finished.
 */
class LineTransport extends Transport {
  private fd: number | null = null;
  private pending = '';
  private readonly flushSoon = () => this.flush();

  constructor(private readonly target: string) {
    super();
    this.open();
  }

  private open(): void {
    if (this.target === 'STDOUT') return;
    try {
      this.fd = fs.openSync(this.target, 'a');
    } catch (err) {
      this.fd = null;
      process.stdout.write(`Cannot open log file ${this.target} (${(err as Error).message}), logging to STDOUT\n`);
    }
  }

  /** Lines of one turn of the event loop go out in one write, at the end of that turn. */
  private append(text: string): void {
    if (this.pending === '') setImmediate(this.flushSoon);
    this.pending += text;
  }

  flush(): void {
    const text = this.pending;
    if (text === '') return;
    this.pending = '';
    if (this.fd === null) {
      process.stdout.write(text);
      return;
    }
    try {
      fs.writeSync(this.fd, text);
    } catch {
      process.stdout.write(text);
    }
  }

  reopen(): void {
    this.flush();
    if (this.target === 'STDOUT') return;
    const old = this.fd;
    this.open();
    if (old !== null) fs.closeSync(old);
  }

  override close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  override log(info: winston.Logform.TransformableInfo, next: () => void): void {
    const line = formatLine(info.level as WinstonLevel, String(info.message), info.request_id as string | undefined);
    this.append(info.backtrace ? `${line}${info.backtrace}\n` : line);
    next();
  }
}

/** Feeds the /logs ring with every line that passes the configured level. */
/** Lone surrogates cannot be encoded as UTF-8: they become `?`, as invalid bytes do in the baseline. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(message: string): string {
  return /[\uD800-\uDFFF]/.test(message) ? message.replace(LONE_SURROGATE, '?') : message;
}

class BufferTransport extends Transport {
  constructor(private readonly buffer: () => LogBuffer) {
    super();
  }

  override log(info: winston.Logform.TransformableInfo, next: () => void): void {
    const entry: { timestamp: number; level: LogLevelName; message: string; backtrace?: string; request_id?: string } = {
      timestamp: Date.now() / 1000,
      level: TO_NAME[info.level as WinstonLevel] ?? 'UNKNOWN',
      message: wellFormed(String(info.message)),
    };
    if (info.backtrace) entry.backtrace = String(info.backtrace);
    if (info.request_id) entry.request_id = String(info.request_id);
    if (sink) sink(entry);
    else this.buffer().push(entry);
    next();
  }
}

let buffer = new LogBuffer(2000, 1000);
let sink: ((entry: LogEntry) => void) | undefined;

/** Sends ring entries elsewhere instead of the local ring (worker processes feed the primary's). */
export function setLogSink(fn: ((entry: LogEntry) => void) | undefined): void {
  sink = fn;
}
let lineTransport: LineTransport | undefined;

const winstonLogger = winston.createLogger({
  levels: LEVELS,
  level: 'info',
  transports: [new BufferTransport(() => buffer)],
});

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
  fatal(msg: string, err?: unknown): void;
}

function backtraceOf(err: unknown): string | undefined {
  if (err instanceof Error) return `${err.message}: ${(err.stack ?? '').split('\n').slice(1).map((l) => l.trim()).join('\n')}`;
  return undefined;
}

const noop = () => undefined;

/**
 * Hands an entry straight to the logger's transports. Going through winston's object-mode stream
 * pipeline cost a third of the small-file throughput (two lines per request); the level check,
 * the transports and their formatting are winston's all the same.
 */
function emit(level: WinstonLevel, message: string, err?: unknown): void {
  if (LEVELS[level] > LEVELS[winstonLogger.level as WinstonLevel]) return;
  const info: winston.Logform.TransformableInfo = { level, message };
  const requestId = currentRequestId();
  if (requestId) info.request_id = requestId;
  if (err) info.backtrace = backtraceOf(err);
  for (const t of winstonLogger.transports) t.log?.(info, noop);
}

/** The proxy-wide logger. Every line carries the current request id, if any. */
export const log: Logger = {
  debug: (msg) => emit('debug', msg),
  info: (msg) => emit('info', msg),
  warn: (msg) => emit('warn', msg),
  error: (msg, err) => emit('error', msg, err),
  fatal: (msg, err) => emit('fatal', msg, err),
};

export function logBuffer(): LogBuffer {
  return buffer;
}

/** Applies the global logging settings: destination, level and ring sizes. */
export function configureLogging(s: LoggingSettings): void {
  buffer = new LogBuffer(s.log_buffer, s.log_buffer_errors);
  winstonLogger.level = levelFromSetting(s.log_level);
  if (lineTransport) {
    winstonLogger.remove(lineTransport);
    lineTransport.close();
  }
  const target = String(s.log_file);
  const upper = target.toUpperCase();
  // SYSLOG and JOURNAL have no native transport here; stdout is what systemd's journal captures.
  lineTransport = new LineTransport(['STDOUT', 'SYSLOG', 'JOURNAL', 'JOURNALD'].includes(upper) ? 'STDOUT' : target);
  winstonLogger.add(lineTransport);
}

/** Makes the file transport reopen its file (log rotation, SIGUSR1). */
export function reopenLogs(): void {
  lineTransport?.reopen();
}

// A process that exits (process.exit, fatal start-up error) still writes what it logged.
process.on('exit', () => lineTransport?.flush());

export function closeLogs(): void {
  lineTransport?.close();
}
