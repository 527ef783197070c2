import * as os from 'os';
import { threadId } from 'worker_threads';

/**
 * The pattern layout of the Ruby `logging` gem, which the baseline's `file_logging_pattern` and
 * `system_logging_pattern` are written in: literal text and `%[-][width][.precision]<letter>`
 * directives, each formatted like `sprintf('%-5.8s', value)` (precision truncates, width pads).
 */

/** The baseline's defaults for `file_logging_pattern` and `system_logging_pattern`. */
export const DEFAULT_FILE_PATTERN = '%d %.8X{request} [%.1l] %m';
export const DEFAULT_SYSTEM_PATTERN = '%m';

export type LevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** What a directive can print about one log line. */
export interface PatternEvent {
  /** Milliseconds since the epoch. */
  time: number;
  level: LevelName;
  message: string;
  /** Mapped diagnostic context: the baseline sets `request`, `session` and `remote_ip` per request. */
  mdc?: Readonly<Record<string, string | undefined>>;
}

export interface Layout {
  (event: PatternEvent): string;
  /** The `%X{key}` keys the pattern prints: only these are collected for each line. */
  readonly mdcKeys: readonly string[];
}

/** The gem's own parser: text before a directive, the `%-W.P` part, the letter, an optional `{…}`, the rest. */
const DIRECTIVE = /^([^%]*)(?:(%-?\d*(?:\.\d+)?)([a-zA-Z%])(?:\{([^}]+)\})?)?([\s\S]*)$/;

/** The gem's root logger is the only logger here: `%c` prints its name. */
const LOGGER_NAME = 'root';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `%d`: the gem's default date pattern, ISO 8601 in local time to the second (`%Y-%m-%dT%H:%M:%S`). */
export function isoLocalSeconds(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `sprintf('%<flags>s', value)` for the `-`, width and precision flags the gem allows. */
function sprintfString(spec: string): (value: string) => string {
  const m = /^%(-?)(\d*)(?:\.(\d+))?$/.exec(spec)!;
  const [, left, width, precision] = m;
  if (!width && precision === undefined) return (v) => v;
  const w = width ? Number(width) : 0;
  const p = precision === undefined ? undefined : Number(precision);
  return (v) => {
    const cut = p === undefined ? v : v.slice(0, p);
    return left ? cut.padEnd(w) : cut.padStart(w);
  };
}

type Part = (e: PatternEvent) => string;

/** Values of the directives that need nothing but the event (F, L, M: the baseline does not trace callers). */
function simpleDirective(letter: string, createdAt: number): Part | undefined {
  switch (letter) {
    case 'd': {
      // Many lines share a second: format it once.
      let second = NaN;
      let text = '';
      return (e) => {
        const s = Math.floor(e.time / 1000);
        if (s !== second) { second = s; text = isoLocalSeconds(e.time); }
        return text;
      };
    }
    case 'l': return (e) => e.level;
    case 'm': return (e) => e.message;
    case 'p': return () => String(process.pid);
    case 'h': { const host = os.hostname(); return () => host; }
    case 'r': return (e) => String(Math.trunc(e.time - createdAt));
    case 't': return () => String(threadId);
    case 'T': case 'F': case 'L': case 'M': return () => '';
    default: return undefined;
  }
}

/**
 * Compiles a pattern into a function from a log line to its text. Throws, as the gem does, for
 * an unknown letter (`illegal format character - 'q'`) and for `%X` without a key.
 */
export function compilePattern(pattern: string): Layout {
  const createdAt = Date.now();
  const parts: Part[] = [];
  const mdcKeys: string[] = [];
  let rest = pattern;
  for (;;) {
    const [, text, spec, letter, arg, after] = DIRECTIVE.exec(rest)!;
    if (text) parts.push(() => text);
    if (letter === undefined) break;
    const fmt = sprintfString(spec);
    // Like the gem, the `{…}` of a directive that takes no argument is printed as it stands.
    const literalArg = arg === undefined ? '' : `{${arg}}`;
    if (letter === '%') {
      parts.push(() => '%');
    } else if (letter === 'X') {
      if (arg === undefined) throw new Error('MDC must have a key reference');
      mdcKeys.push(arg);
      parts.push((e) => fmt(e.mdc?.[arg] ?? ''));
    } else if (letter === 'x') {
      // No nested diagnostic context is kept here: the gem prints an empty stack as ''.
      parts.push(() => fmt(''));
    } else if (letter === 'c') {
      const slice = arg !== undefined && /^-?\d+$/.test(arg) ? Number(arg) : undefined;
      if (slice !== undefined && slice <= 0) throw new Error(`logger name slice must be an integer greater than zero: ${slice}`);
      const name = fmt(slice === undefined ? LOGGER_NAME : LOGGER_NAME.split('::').slice(-slice).join('::'));
      const suffix = slice === undefined ? literalArg : '';
      parts.push(() => name + suffix);
    } else {
      const value = simpleDirective(letter, createdAt);
      if (!value) throw new Error(`illegal format character - '${letter}'`);
      parts.push((e) => fmt(value(e)) + literalArg);
    }
    if (after === '') break;
    rest = after;
  }
  const format = (e: PatternEvent) => {
    let out = '';
    for (const p of parts) out += p(e);
    return out;
  };
  return Object.assign(format, { mdcKeys });
}
