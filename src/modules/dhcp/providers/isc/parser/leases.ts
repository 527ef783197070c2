import { applyHostDeclaration, applyLeaseDeclaration, DOTTED_QUAD, HOST_DECLARATION_NAME } from './declarations';
import { BodyEnd, readRecordBody, readStatement, skipBlock, Statement } from './statement';
import { IscSyntaxError, Lexer, Tok } from './tokenizer';
import { ParsedHost, ParsedLease, ParsedRecord } from './types';

/**
 * dhcpd.leases parser (reference §7.8.3). dhcpd appends to this file as a log: `lease IP { … }`
 * blocks, `host NAME { … }` blocks for OMAPI-created and deleted hosts, and a few top-level
 * declarations (`server-duid`, `authoring-byte-order`, failover `state` blocks) that are skipped.
 * Records come back in file order, since the order decides which entry wins.
 *
 * Parsing is incremental: text that ends inside a statement (dhcpd was still writing) is not
 * consumed, and `LeasesStreamParser` keeps it until more text arrives.
 */

export interface LeasesParseResult {
  records: ParsedRecord[];
  /** Length of the text that was fully parsed; the rest is an unfinished statement. */
  consumed: number;
  /** Line number at which the unconsumed rest starts. */
  nextLine: number;
  /** Damage that was skipped (e.g. a stray `}`); parsing continued after it. */
  errors: IscSyntaxError[];
}

export interface LeasesParseOptions {
  /** File name used in error messages. */
  file?: string;
  /** Line number of the text's first line (when it continues an earlier chunk). */
  firstLine?: number;
}

/** Parses as many complete top-level statements of `text` as possible. */
export function parseLeases(text: string, options: LeasesParseOptions = {}): LeasesParseResult {
  const file = options.file ?? 'dhcpd.leases';
  const lexer = new Lexer(text, options.firstLine ?? 1);
  const st = new Statement();
  const records: ParsedRecord[] = [];
  const errors: IscSyntaxError[] = [];
  for (;;) {
    const consumed = lexer.offset;
    const nextLine = lexer.currentLine;
    const truncated = (): LeasesParseResult => ({ records, consumed, nextLine, errors });
    if (!readStatement(lexer, st)) return truncated();
    const line = st.line;
    // At the end, blanks and comments after the last statement stay unconsumed too: a comment
    // cut off by the end of a chunk must not be read as a word once the next chunk arrives.
    if (st.terminator === Tok.Eof) return truncated();
    if (st.terminator === Tok.RBrace) {
      errors.push(new IscSyntaxError(file, lexer.line, "unexpected '}' with no block open; skipped"));
      continue;
    }
    if (st.terminator === Tok.Semi) continue; // top-level declarations carry nothing the proxy reports
    const head = st.word(0);
    const name = st.word(1);
    if (head === 'lease' && st.n === 2 && name !== undefined && DOTTED_QUAD.test(name)) {
      const lease: ParsedLease = { kind: 'lease', ip: name, line, attributes: {}, options: [] };
      if (readRecordBody(lexer, st, (s) => applyLeaseDeclaration(s, lease.attributes, lease.options)) !== BodyEnd.Closed) return truncated();
      records.push(lease);
    } else if (head === 'host' && st.n === 2 && name !== undefined && HOST_DECLARATION_NAME.test(name)) {
      const host: ParsedHost = { kind: 'host', name, line, attributes: {}, options: [] };
      if (readRecordBody(lexer, st, (s) => applyHostDeclaration(s, host.attributes, host.options)) !== BodyEnd.Closed) return truncated();
      records.push(host);
    } else if (!skipBlock(lexer)) {
      return truncated();
    }
  }
}

/** Longest unfinished statement kept while waiting for more text; beyond it the text is damaged. */
const MAX_PENDING = 1024 * 1024;

/**
 * Feeds a leases file to the parser chunk by chunk (as read at start-up, or as dhcpd appends),
 * keeping an unfinished trailing statement for the next chunk.
 */
export class LeasesStreamParser {
  private pending = '';
  private line = 1;
  readonly errors: IscSyntaxError[] = [];

  constructor(private readonly file = 'dhcpd.leases') {}

  /** Text received but not yet parsed (an unfinished statement, or blanks and comments). */
  get pendingText(): string {
    return this.pending;
  }

  /** Line number at which the pending text starts. */
  get pendingLine(): number {
    return this.line;
  }

  /** Parses `chunk` after the pending text; returns the records completed by it, in order. */
  push(chunk: string): ParsedRecord[] {
    let text = this.pending.length ? this.pending + chunk : chunk;
    flatten(text);
    let records: ParsedRecord[] = [];
    for (;;) {
      const result = parseLeases(text, { file: this.file, firstLine: this.line });
      this.errors.push(...result.errors);
      records = records.length ? records.concat(result.records) : result.records;
      this.pending = result.consumed === text.length ? '' : text.slice(result.consumed);
      this.line = result.nextLine;
      if (this.pending.length <= MAX_PENDING) return records;
      this.resync();
      text = this.pending;
    }
  }

  /** Drops a statement that never ends (e.g. an unterminated string) up to the next record. */
  private resync(): void {
    const match = /\n(?=(?:lease|host)\s)/.exec(this.pending.slice(1));
    const cut = match ? match.index + 2 : this.pending.length;
    this.errors.push(new IscSyntaxError(this.file, this.line, `statement longer than ${MAX_PENDING} characters or not terminated; skipped`));
    this.line += countLines(this.pending, cut);
    this.pending = this.pending.slice(cut);
  }

  /** Whether the pending text holds more than blanks and comments. */
  hasUnfinishedStatement(): boolean {
    if (!this.pending) return false;
    const lexer = new Lexer(this.pending);
    return lexer.next() !== Tok.Eof;
  }

  /** Takes and clears the errors collected so far. */
  takeErrors(): IscSyntaxError[] {
    return this.errors.splice(0, this.errors.length);
  }

  reset(): void {
    this.pending = '';
    this.line = 1;
    this.errors.length = 0;
  }
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Makes V8 store a concatenated string as one flat buffer; the lexer's charCodeAt calls on a
 * string still made of two pieces are much slower. Converting to a number flattens it.
 */
function flatten(text: string): void {
  void Number(text);
}
