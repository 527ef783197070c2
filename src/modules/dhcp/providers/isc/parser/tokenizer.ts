/**
 * Lexer for the ISC dhcpd configuration language, shared by the dhcpd.conf and dhcpd.leases
 * parsers. It is a pull lexer that allocates nothing per token (the parsers read `type`, `text`,
 * `start`, `end` and `line` after each `next()`), because a leases file can hold millions of tokens.
 *
 * Token kinds: words (any run of characters that are not blanks or one of `{ } ; , = " #`),
 * quoted strings (kept raw: quotes and backslash escapes exactly as written), and the punctuation
 * `{ } ; , =`. `#` starts a comment up to the end of the line, outside strings.
 */

export enum Tok {
  Eof = 0,
  Word = 1,
  String = 2,
  LBrace = 3,
  RBrace = 4,
  Semi = 5,
  Comma = 6,
  Equals = 7,
  /** A string whose closing quote is missing before the end of the text. */
  UnterminatedString = 8,
}

const CH_TAB = 9;
const CH_LF = 10;
const CH_CR = 13;
const CH_SPACE = 32;
const CH_QUOTE = 34;
const CH_HASH = 35;
const CH_COMMA = 44;
const CH_SEMI = 59;
const CH_EQUALS = 61;
const CH_BACKSLASH = 92;
const CH_LBRACE = 123;
const CH_RBRACE = 125;

/** Characters that end a word (besides blanks). */
function isDelimiter(c: number): boolean {
  return c === CH_LBRACE || c === CH_RBRACE || c === CH_SEMI || c === CH_COMMA || c === CH_EQUALS || c === CH_QUOTE || c === CH_HASH;
}

function isBlank(c: number): boolean {
  return c === CH_SPACE || c === CH_LF || c === CH_TAB || c === CH_CR || c === 11 || c === 12;
}

export class Lexer {
  type: Tok = Tok.Eof;
  /** Start and end offsets of the current token in the text. */
  start = 0;
  end = 0;
  /** 1-based line of the current token's first character. */
  line = 1;

  /** Whether a comment was skipped just before the current token. */
  afterComment = false;

  private pos = 0;
  private curLine: number;

  constructor(readonly text: string, firstLine = 1) {
    this.curLine = firstLine;
  }

  /** The current token's text (raw, with quotes for strings). */
  get value(): string {
    return this.text.slice(this.start, this.end);
  }

  /** Offset just after the current token: where the next scan starts. */
  get offset(): number {
    return this.pos;
  }

  /** Line the lexer is on after the current token (for resuming a later chunk). */
  get currentLine(): number {
    return this.curLine;
  }

  next(): Tok {
    const s = this.text;
    const n = s.length;
    let p = this.pos;
    this.afterComment = false;
    // Skip blanks and comments.
    for (;;) {
      if (p >= n) break;
      const c = s.charCodeAt(p);
      if (c === CH_LF) {
        this.curLine++;
        p++;
      } else if (isBlank(c)) {
        p++;
      } else if (c === CH_HASH) {
        this.afterComment = true;
        while (p < n && s.charCodeAt(p) !== CH_LF) p++;
      } else {
        break;
      }
    }
    this.start = p;
    this.line = this.curLine;
    if (p >= n) {
      this.pos = this.end = p;
      return (this.type = Tok.Eof);
    }
    const c = s.charCodeAt(p);
    let type: Tok;
    switch (c) {
      case CH_LBRACE: type = Tok.LBrace; p++; break;
      case CH_RBRACE: type = Tok.RBrace; p++; break;
      case CH_SEMI: type = Tok.Semi; p++; break;
      case CH_COMMA: type = Tok.Comma; p++; break;
      case CH_EQUALS: type = Tok.Equals; p++; break;
      case CH_QUOTE: {
        p++;
        type = Tok.UnterminatedString;
        while (p < n) {
          const d = s.charCodeAt(p);
          if (d === CH_BACKSLASH) {
            if (p + 1 < n && s.charCodeAt(p + 1) === CH_LF) this.curLine++;
            p += 2;
            continue;
          }
          if (d === CH_LF) this.curLine++;
          p++;
          if (d === CH_QUOTE) {
            type = Tok.String;
            break;
          }
        }
        if (p > n) p = n;
        break;
      }
      default:
        type = Tok.Word;
        p++;
        while (p < n) {
          const d = s.charCodeAt(p);
          if (isBlank(d) || isDelimiter(d)) break;
          p++;
        }
    }
    this.pos = this.end = p;
    return (this.type = type);
  }

  /** Steps back before the current token, so that the next call returns it again. */
  unread(): void {
    this.pos = this.start;
    this.curLine = this.line;
  }
}

/** Describes a token for an error message. */
export function describeToken(lexer: Lexer): string {
  switch (lexer.type) {
    case Tok.Eof: return 'end of file';
    case Tok.UnterminatedString: return 'an unterminated string';
    default: return `'${lexer.value}'`;
  }
}

/** An error in the text being parsed, carrying the file name and line. */
export class IscSyntaxError extends Error {
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'IscSyntaxError';
  }
}
