import * as path from 'path';
import { applyHostDeclaration, applyLeaseDeclaration, DOTTED_QUAD, HOST_DECLARATION_NAME, HOST_NAME, parseOption } from './declarations';
import { BodyEnd, readRecordBody, readStatement, skipBlock, Statement } from './statement';
import { describeToken, IscSyntaxError, Lexer, Tok } from './tokenizer';
import { ParsedConfig, ParsedHost, ParsedLease, ParsedOption, ParsedRecord, ParsedSubnet } from './types';

/**
 * dhcpd.conf parser (reference §7.8.1): a tolerant grammar that picks out subnets (network, netmask,
 * own options, range outside pools) and hosts, wherever they are nested (group, shared-network,
 * subnet, pool), inlines `include` files, and skips every other declaration (`word … ;`) and block
 * (`word … { … }`). Only errors that cannot be skipped throw an IscSyntaxError with file and line:
 * unbalanced braces, an unterminated string, a statement cut off by the end of the file, or an
 * include that cannot be read.
 *
 * The parser is pure: includes are read through the injected `readFile`, with relative names
 * resolved against the main config file's directory (also for includes inside included files).
 */

export interface ConfParseOptions {
  /** Path of the main config file; names it in errors and anchors relative includes. */
  path?: string;
}

/** An `include "file";` waiting to be inlined. */
interface IncludeEntry {
  kind: 'include';
  target: string;
  file: string;
  line: number;
}

type Entry = { kind: 'subnet'; subnet: ParsedSubnet } | { kind: 'record'; record: ParsedRecord } | IncludeEntry;

/** Block kinds with their own contents; anything else is an ignored block. */
enum Scope { Top, SharedNetwork, Group, Subnet, Pool }

/** Which nested blocks each scope recognises (the baseline's grammar). */
const NESTED: Record<Scope, ReadonlySet<string>> = {
  [Scope.Top]: new Set(['host', 'lease', 'group', 'subnet', 'shared-network']),
  [Scope.SharedNetwork]: new Set(['host', 'group', 'subnet', 'pool']),
  [Scope.Group]: new Set(['host', 'group', 'subnet', 'shared-network']),
  [Scope.Subnet]: new Set(['host', 'group', 'pool']),
  [Scope.Pool]: new Set(['host']),
};

class ConfTextParser {
  private readonly lexer: Lexer;
  private readonly st = new Statement();
  readonly entries: Entry[] = [];

  constructor(text: string, private readonly file: string) {
    this.lexer = new Lexer(text);
  }

  parse(): Entry[] {
    this.body(Scope.Top, undefined, 0);
    return this.entries;
  }

  private fail(line: number, detail: string): never {
    throw new IscSyntaxError(this.file, line, detail);
  }

  /** Reads one header, turning the unrecoverable cases into errors. */
  private read(): Statement {
    if (!readStatement(this.lexer, this.st)) this.fail(this.lexer.line, 'unterminated string');
    return this.st;
  }

  /**
   * Parses statements up to the `}` closing this block (or the end of the file at top level).
   * `subnet` receives `range` statements written directly in a subnet.
   */
  private body(scope: Scope, subnet: ParsedSubnet | undefined, openLine: number): void {
    for (;;) {
      const st = this.read();
      const line = st.line;
      if (st.terminator === Tok.Eof) {
        if (st.n > 0) this.fail(line, `expected ';' after '${st}' before the end of the file`);
        if (scope !== Scope.Top) this.fail(openLine, "block is not closed: missing '}' before the end of the file");
        return;
      }
      if (st.terminator === Tok.LBrace) {
        this.block(scope, line);
        continue;
      }
      if (st.n > 0) this.declaration(scope, subnet);
      if (st.terminator === Tok.RBrace) {
        if (scope === Scope.Top) this.fail(line, "unexpected '}' with no block open");
        return;
      }
    }
  }

  private declaration(scope: Scope, subnet: ParsedSubnet | undefined): void {
    const st = this.st;
    const head = st.word(0);
    if (head === 'include' && (scope === Scope.Top || scope === Scope.SharedNetwork || scope === Scope.Group)) {
      if (st.n === 2 && st.types[1] === Tok.String) {
        this.entries.push({ kind: 'include', target: st.value(1).slice(1, -1), file: this.file, line: st.line });
      }
      return;
    }
    if (head === 'range' && (scope === Scope.Subnet || scope === Scope.Pool)) {
      const range = parseRange(st);
      if (range && scope === Scope.Subnet && subnet) subnet.range = range;
      return;
    }
    if (subnet && scope === Scope.Subnet) {
      const option = parseOption(st);
      if (option) subnet.options.push(option);
    }
    // Options of other scopes are not inherited by anything the proxy reports (reference §7.8.1).
  }

  private block(scope: Scope, line: number): void {
    const st = this.st;
    const head = st.word(0);
    const kind = head !== undefined && NESTED[scope].has(head) ? head : undefined;
    switch (kind) {
      case 'subnet': {
        const network = st.word(1);
        const netmask = st.word(3);
        if (st.n === 4 && st.isWord(2, 'netmask') && network && netmask && DOTTED_QUAD.test(network) && DOTTED_QUAD.test(netmask)) {
          const subnet: ParsedSubnet = { network, netmask, options: [], line, file: this.file };
          this.body(Scope.Subnet, subnet, line);
          this.entries.push({ kind: 'subnet', subnet });
          return;
        }
        break;
      }
      case 'shared-network':
        if (st.n === 2 && (st.types[1] === Tok.String || HOST_NAME.test(st.word(1) ?? ''))) return this.body(Scope.SharedNetwork, undefined, line);
        break;
      case 'group':
        if (st.n <= 2) return this.body(Scope.Group, undefined, line);
        break;
      case 'pool':
        if (st.n === 1) return this.body(Scope.Pool, undefined, line);
        break;
      case 'host': {
        const name = st.word(1);
        if (st.n === 2 && name !== undefined && HOST_DECLARATION_NAME.test(name)) {
          this.entries.push({ kind: 'record', record: this.host(name, line) });
          return;
        }
        break;
      }
      case 'lease': {
        const ip = st.word(1);
        if (st.n === 2 && ip !== undefined && DOTTED_QUAD.test(ip)) {
          this.entries.push({ kind: 'record', record: this.lease(ip, line) });
          return;
        }
        break;
      }
    }
    if (!skipBlock(this.lexer)) this.fail(line, `block '${st}' is not closed: ${describeToken(this.lexer)} reached first`);
  }

  /** The body of a record block: its declarations, nested blocks skipped. */
  private recordBody(line: number, apply: (st: Statement) => void): void {
    if (readRecordBody(this.lexer, this.st, apply) === BodyEnd.Closed) return;
    if (this.lexer.type === Tok.UnterminatedString) this.fail(this.lexer.line, 'unterminated string');
    this.fail(line, "block is not closed: missing '}' before the end of the file");
  }

  private host(name: string, line: number): ParsedHost {
    const host: ParsedHost = { kind: 'host', name, line, attributes: {}, options: [] };
    this.recordBody(line, (st) => applyHostDeclaration(st, host.attributes, host.options));
    return host;
  }

  private lease(ip: string, line: number): ParsedLease {
    const lease: ParsedLease = { kind: 'lease', ip, line, attributes: {}, options: [] };
    this.recordBody(line, (st) => applyLeaseDeclaration(st, lease.attributes, lease.options));
    return lease;
  }
}

/** `range [dynamic-bootp] A [B];` → [A, B], or [A, A] for a single address. */
function parseRange(st: Statement): [string, string] | null {
  let i = 1;
  if (st.isWord(i, 'dynamic-bootp')) i++;
  const from = st.word(i);
  const to = st.n === i + 2 ? st.word(i + 1) : from;
  if (st.n > i + 2 || from === undefined || to === undefined || !DOTTED_QUAD.test(from) || !DOTTED_QUAD.test(to)) return null;
  return [from, to];
}

/** Parses one file's text into entries, includes not yet inlined. */
function parseEntries(text: string, file: string): Entry[] {
  return new ConfTextParser(text, file).parse();
}

const MAX_INCLUDE_DEPTH = 16;

function includePath(entry: IncludeEntry, baseDir: string): string {
  return path.resolve(baseDir, entry.target);
}

function describeReadError(entry: IncludeEntry, target: string, err: unknown): IscSyntaxError {
  const reason = (err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? String(err);
  return new IscSyntaxError(entry.file, entry.line, `cannot include '${target}': ${reason}`);
}

function collect(entries: Entry[], into: ParsedConfig): void {
  for (const e of entries) {
    if (e.kind === 'subnet') into.subnets.push(e.subnet);
    else if (e.kind === 'record') into.records.push(e.record);
  }
}

/** Parses dhcpd.conf text, reading includes synchronously through `readFile`. */
export function parseConfig(text: string, options: ConfParseOptions & { readFile?: (absolutePath: string) => string } = {}): ParsedConfig {
  const file = options.path ?? 'dhcpd.conf';
  const baseDir = path.dirname(path.resolve(file));
  const out: ParsedConfig = { subnets: [], records: [] };
  const walk = (content: string, name: string, depth: number): void => {
    const entries = parseEntries(content, name);
    let pending: Entry[] = [];
    for (const e of entries) {
      if (e.kind !== 'include') {
        pending.push(e);
        continue;
      }
      collect(pending, out);
      pending = [];
      const target = includePath(e, baseDir);
      if (depth >= MAX_INCLUDE_DEPTH) throw new IscSyntaxError(e.file, e.line, `includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
      if (!options.readFile) throw describeReadError(e, target, new Error('no file reader given'));
      let included: string;
      try {
        included = options.readFile(target);
      } catch (err) {
        throw describeReadError(e, target, err);
      }
      walk(included, target, depth + 1);
    }
    collect(pending, out);
  };
  walk(text, file, 0);
  return out;
}

/** Same as parseConfig, with an asynchronous reader (the proxy never blocks on file reads). */
export async function parseConfigAsync(
  text: string,
  options: ConfParseOptions & { readFile: (absolutePath: string) => Promise<string> },
): Promise<ParsedConfig> {
  const file = options.path ?? 'dhcpd.conf';
  const baseDir = path.dirname(path.resolve(file));
  // Read every include first (depth first, in order), then parse synchronously from the cache.
  const cache = new Map<string, string>();
  const prefetch = async (content: string, name: string, depth: number): Promise<void> => {
    for (const e of parseEntries(content, name)) {
      if (e.kind !== 'include') continue;
      const target = includePath(e, baseDir);
      if (depth >= MAX_INCLUDE_DEPTH) throw new IscSyntaxError(e.file, e.line, `includes nested more than ${MAX_INCLUDE_DEPTH} deep`);
      if (!cache.has(target)) {
        try {
          cache.set(target, await options.readFile(target));
        } catch (err) {
          throw describeReadError(e, target, err);
        }
      }
      await prefetch(cache.get(target) as string, target, depth + 1);
    }
  };
  await prefetch(text, file, 0);
  return parseConfig(text, {
    path: file,
    readFile: (p) => {
      const content = cache.get(p);
      if (content === undefined) throw new Error('not prefetched');
      return content;
    },
  });
}

export type { ParsedConfig, ParsedHost, ParsedLease, ParsedOption, ParsedRecord, ParsedSubnet };
