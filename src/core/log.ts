import * as winston from 'winston';
import Transport from 'winston-transport';
import { FileDestination, LogDestination, StdoutDestination } from './log-destinations';
import { LogBuffer, LogLevelName } from './log-buffer';
import { compilePattern, DEFAULT_FILE_PATTERN, DEFAULT_SYSTEM_PATTERN, Layout, LevelName } from './log-pattern';
import { RollingPolicy, RollingSettings } from './log-rolling';
import { JOURNAL_STREAM_SOCKET, JournalDestination, SyslogDestination, SyslogOptions } from './log-system';
import { currentMdcValue } from './request-context';

/** Proxy log levels, most severe first (winston's convention). */
const LEVELS = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;
type WinstonLevel = keyof typeof LEVELS;

const TO_NAME: Record<WinstonLevel, LevelName> = {
  fatal: 'FATAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG',
};

export interface LoggingSettings extends RollingSettings {
  log_file: string;
  log_level: string;
  log_buffer: number;
  log_buffer_errors: number;
  file_logging_pattern?: unknown;
  system_logging_pattern?: unknown;
}

/** One log line as it is handed to the transports, and as a worker process sends it to the primary. */
export interface LogEvent {
  /** Milliseconds since the epoch. */
  time: number;
  level: WinstonLevel;
  message: string;
  backtrace?: string;
  /** The request's diagnostic context, for the keys the patterns print (and `request`, for /logs). */
  mdc?: Record<string, string | undefined>;
}

function levelFromSetting(value: string): WinstonLevel {
  const v = String(value || 'INFO').toLowerCase();
  if (v === 'warning') return 'warn';
  return (v in LEVELS ? v : 'info') as WinstonLevel;
}

/** Lone surrogates cannot be encoded as UTF-8: they become `?`, as invalid bytes do in the baseline. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function wellFormed(message: string): string {
  return /[\uD800-\uDFFF]/.test(message) ? message.replace(LONE_SURROGATE, '?') : message;
}

type Info = winston.Logform.TransformableInfo & LogEvent;

/** Feeds the /logs ring with every line that passes the configured level. */
class BufferTransport extends Transport {
  constructor(private readonly buffer: () => LogBuffer) {
    super();
  }

  override log(info: Info, next: () => void): void {
    const entry: { timestamp: number; level: LogLevelName; message: string; backtrace?: string; request_id?: string } = {
      timestamp: info.time / 1000,
      level: TO_NAME[info.level] ?? 'UNKNOWN',
      message: wellFormed(String(info.message)),
    };
    if (info.backtrace) entry.backtrace = String(info.backtrace);
    const request = info.mdc?.request;
    if (request) entry.request_id = request.slice(0, 8);
    this.buffer().push(entry);
    next();
  }
}

/** Formats each line with the configured pattern and hands it to the destination. */
class LineTransport extends Transport {
  constructor(readonly layout: Layout, readonly destination: LogDestination) {
    super();
  }

  override log(info: Info, next: () => void): void {
    const level = TO_NAME[info.level];
    const line = `${this.layout({ time: info.time, level, message: String(info.message), mdc: info.mdc })}\n`;
    this.destination.write(level, info.backtrace ? `${line}${info.backtrace}\n` : line);
    next();
  }
}

let buffer = new LogBuffer(2000, 1000);
let lineTransport: LineTransport | undefined;
/** In a worker process: where its lines go instead (the primary, which writes them and keeps the ring). */
let forward: ((event: LogEvent) => void) | undefined;
/** The diagnostic-context keys some pattern prints, besides `request` (always: /logs shows it). */
let mdcKeys: readonly string[] = ['request'];

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

function mdcNow(): Record<string, string | undefined> | undefined {
  let mdc: Record<string, string | undefined> | undefined;
  for (const key of mdcKeys) {
    const value = currentMdcValue(key);
    if (value !== undefined) (mdc ??= {})[key] = value;
  }
  return mdc;
}

/**
 * Hands a line straight to the logger's transports. Going through winston's object-mode stream
 * pipeline cost a third of the small-file throughput (two lines per request); the level check,
 * the transports and their formatting are winston's all the same.
 */
function deliver(info: Info): void {
  for (const t of winstonLogger.transports) t.log?.(info, noop);
}

function emit(level: WinstonLevel, message: string, err?: unknown): void {
  if (LEVELS[level] > LEVELS[winstonLogger.level as WinstonLevel]) return;
  const event: LogEvent = { time: Date.now(), level, message };
  const mdc = mdcNow();
  if (mdc) event.mdc = mdc;
  if (err) event.backtrace = backtraceOf(err);
  if (forward) forward(event);
  else deliver(event as Info);
}

/** The proxy-wide logger. Every line carries the current request's context, if any. */
export const log: Logger = {
  debug: (msg) => emit('debug', msg),
  info: (msg) => emit('info', msg),
  warn: (msg) => emit('warn', msg),
  error: (msg, err) => emit('error', msg, err),
  fatal: (msg, err) => emit('fatal', msg, err),
};

/** In the primary: lines a worker process logged (already filtered by the same level). */
export function logForwarded(events: LogEvent[]): void {
  for (const e of events) deliver({ ...e } as Info);
}

export function logBuffer(): LogBuffer {
  return buffer;
}

/** Test seams: where SYSLOG and JOURNAL connect (defaults: `logger` to /dev/log, journald's stream socket). */
export interface LoggingOptions {
  /** Worker processes: send every line here instead of to a destination of their own. */
  forward?: (event: LogEvent) => void;
  syslog?: SyslogOptions;
  journalSocket?: string;
}

function patternSetting(value: unknown, fallback: string): string {
  return value === undefined || value === null ? fallback : String(value);
}

function replaceLineTransport(next: LineTransport | undefined): void {
  if (lineTransport) {
    winstonLogger.remove(lineTransport);
    lineTransport.destination.close();
  }
  lineTransport = next;
  if (next) winstonLogger.add(next);
}

function useDestination(layout: Layout, destination: LogDestination): void {
  replaceLineTransport(new LineTransport(layout, destination));
}

/** Where lines go when the configured destination cannot be used: STDOUT with the file pattern, as the baseline. */
function fallBackToStdout(fileLayout: Layout, warning: string): void {
  useDestination(fileLayout, new StdoutDestination());
  log.warn(warning);
}

/** Opens the destination `log_file` names; a failure falls back to STDOUT with the baseline's warning. */
function openDestination(s: LoggingSettings, fileLayout: Layout, systemLayout: Layout, opts: LoggingOptions): void {
  const target = String(s.log_file);
  const upper = target.toUpperCase();
  if (upper === 'STDOUT') return useDestination(fileLayout, new StdoutDestination());
  if (upper === 'SYSLOG' || upper === 'JOURNAL' || upper === 'JOURNALD') {
    const journal = upper !== 'SYSLOG';
    const warning = (why: string) => journal
      ? `Journald is not available on this platform. Falling back to STDOUT: ${why}`
      : `Syslog is not available. Falling back to STDOUT: ${why}`;
    const onFailure = (why: string) => fallBackToStdout(fileLayout, warning(why));
    try {
      return useDestination(systemLayout, journal
        ? new JournalDestination(opts.journalSocket ?? JOURNAL_STREAM_SOCKET, onFailure)
        : new SyslogDestination(opts.syslog ?? {}, onFailure));
    } catch (err) {
      return onFailure((err as Error).message);
    }
  }
  try {
    useDestination(fileLayout, new FileDestination(target, RollingPolicy.fromSettings(target, s)));
  } catch (err) {
    fallBackToStdout(fileLayout, `Log file ${target} cannot be opened. Falling back to STDOUT: ${(err as Error).message}`);
  }
}

/**
 * Applies the global logging settings: level, ring sizes, patterns and destination (a file,
 * rolled or not, STDOUT, syslog or the journal). Throws for a pattern the `logging` gem refuses.
 */
export function configureLogging(s: LoggingSettings, opts: LoggingOptions = {}): void {
  const fileLayout = compilePattern(patternSetting(s.file_logging_pattern, DEFAULT_FILE_PATTERN));
  const systemLayout = compilePattern(patternSetting(s.system_logging_pattern, DEFAULT_SYSTEM_PATTERN));
  buffer = new LogBuffer(s.log_buffer, s.log_buffer_errors);
  winstonLogger.level = levelFromSetting(s.log_level);
  mdcKeys = [...new Set(['request', ...fileLayout.mdcKeys, ...systemLayout.mdcKeys])];
  forward = opts.forward;
  if (forward) replaceLineTransport(undefined);
  else openDestination(s, fileLayout, systemLayout, opts);
}

/** Makes a file destination reopen its file (external log rotation, SIGUSR1). */
export function reopenLogs(): void {
  lineTransport?.destination.reopen();
}

// A process that exits (process.exit, fatal start-up error) still writes what it logged.
process.on('exit', () => lineTransport?.destination.flush());

export function closeLogs(): void {
  lineTransport?.destination.close();
}
