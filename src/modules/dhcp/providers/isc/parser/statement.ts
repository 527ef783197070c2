import { Lexer, Tok } from './tokenizer';

/**
 * One statement's header: the tokens before its terminator (`;` for a declaration, `{` for a block).
 * Tokens are kept as offsets into the text; a token's string is cut only when asked for, since a
 * large leases file holds millions of tokens and most are only compared with a keyword. The
 * buffers are reused from statement to statement.
 */
export class Statement {
  n = 0;
  readonly types: Tok[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Line of the first token. */
  line = 0;
  /** What ended the header: Semi, LBrace, RBrace (a `}` with no `;` before it) or Eof. */
  terminator: Tok = Tok.Eof;
  /** The text the offsets point into. */
  text = '';
  private readonly cut: (string | undefined)[] = [];

  /** Token i's text (raw, quotes kept for strings), as a string of its own. */
  value(i: number): string {
    let v = this.cut[i];
    if (v === undefined) v = this.cut[i] = detach(this.text.slice(this.starts[i], this.ends[i]));
    return v;
  }

  word(i: number): string | undefined {
    return i < this.n && this.types[i] === Tok.Word ? this.value(i) : undefined;
  }

  isWord(i: number, text: string): boolean {
    return i < this.n && this.types[i] === Tok.Word && this.ends[i] - this.starts[i] === text.length && this.text.startsWith(text, this.starts[i]);
  }

  /** Token i's length in characters. */
  length(i: number): number {
    return this.ends[i] - this.starts[i];
  }

  /** The header as text, for messages. */
  toString(): string {
    const words: string[] = [];
    for (let i = 0; i < this.n; i++) words.push(this.value(i));
    return words.join(' ');
  }

  /** Starts a new header read from `text`. */
  reset(text: string): void {
    this.n = 0;
    this.text = text;
  }

  push(type: Tok, start: number, end: number): void {
    const i = this.n++;
    this.types[i] = type;
    this.starts[i] = start;
    this.ends[i] = end;
    this.cut[i] = undefined;
  }
}

/**
 * A copy of a token's text that does not keep the whole chunk it was cut from alive. V8 makes
 * substrings of 13 characters or more (MACs, uids…) views into their parent string; records
 * holding such views would keep every chunk of a large leases file in memory. Appending then
 * slicing yields a string backed by a small flat copy instead.
 */
function detach(text: string): string {
  return text.length < 13 ? text : (text + ' ').slice(0, -1);
}

/** First words of the statements the parsers understand; comments inside these are just skipped. */
const KEYWORDS = new Set([
  'option', 'supersede', 'filename', 'next-server', 'vendor-option-space', 'range', 'hardware', 'fixed-address',
  'dynamic', 'deleted', 'include', 'host', 'subnet', 'shared-network', 'group', 'pool', 'lease', 'starts', 'ends',
  'tstp', 'tsfp', 'atsfp', 'cltt', 'binding', 'next', 'uid', 'client-hostname', 'set', 'server-duid',
]);

/**
 * Reads the next statement header. `option`/`supersede` statements may carry `{ … }` inside their
 * value (`option x code 150 = { ip-address };`), so braces do not end those.
 * Returns false on an unterminated string (the caller reports it or, when following a growing
 * file, waits for more text).
 */
export function readStatement(lexer: Lexer, st: Statement): boolean {
  st.reset(lexer.text);
  let braceValue = false;
  let depth = 0;
  for (;;) {
    const t = lexer.next();
    if (t === Tok.UnterminatedString) return false;
    if (st.n === 0) st.line = lexer.line;
    else if (lexer.afterComment && !KEYWORDS.has(st.value(0))) {
      // The baseline's grammar ends an unrecognised declaration at a comment (its fixture
      // dhcp.conf starts with the bare lines `1` and `2` followed by a comment).
      lexer.unread();
      st.terminator = Tok.Semi;
      return true;
    }
    if (t === Tok.Eof || t === Tok.Semi) {
      st.terminator = t;
      return true;
    }
    if (t === Tok.LBrace || t === Tok.RBrace) {
      if (braceValue) {
        if (t === Tok.LBrace) depth++;
        else if (depth > 0) depth--;
        else {
          st.terminator = t;
          return true;
        }
      } else {
        st.terminator = t;
        return true;
      }
    }
    st.push(t, lexer.start, lexer.end);
    if (st.n === 1 && t === Tok.Word) braceValue = st.isWord(0, 'option') || st.isWord(0, 'supersede');
  }
}

/**
 * Skips the body of a block whose `{` was just read, up to its matching `}`.
 * Returns false when the text ends first (or a string is unterminated).
 */
export function skipBlock(lexer: Lexer): boolean {
  let depth = 1;
  for (;;) {
    const t = lexer.next();
    if (t === Tok.LBrace) depth++;
    else if (t === Tok.RBrace) {
      if (--depth === 0) return true;
    } else if (t === Tok.Eof || t === Tok.UnterminatedString) return false;
  }
}

/** How reading a block body ended. */
export enum BodyEnd {
  Closed,
  /** The text ended (or a string was left open) before the closing `}`. */
  Truncated,
}

/**
 * Reads the declarations of a host or lease block up to its closing `}`, handing each to `apply`;
 * blocks nested inside (e.g. `on commit { … }`) are skipped.
 */
export function readRecordBody(lexer: Lexer, st: Statement, apply: (st: Statement) => void): BodyEnd {
  for (;;) {
    if (!readStatement(lexer, st)) return BodyEnd.Truncated;
    if (st.terminator === Tok.Eof) return BodyEnd.Truncated;
    if (st.terminator === Tok.LBrace) {
      if (!skipBlock(lexer)) return BodyEnd.Truncated;
      continue;
    }
    if (st.n > 0) apply(st);
    if (st.terminator === Tok.RBrace) return BodyEnd.Closed;
  }
}
