import { Statement } from './statement';
import { Tok } from './tokenizer';
import { FAR_FUTURE, HostAttributes, LeaseAttributes, ParsedOption } from './types';

/**
 * Interpretation of single declarations (`…;`) shared by the dhcpd.conf and dhcpd.leases parsers.
 * Each function returns false when the statement is not of its kind or not well formed; the
 * caller then treats it as an ignored declaration, as the baseline's tolerant grammar does.
 */

const OPTION_NAME = /^[\w.-]+$/;
const DIGITS = /^\d+$/;
/** 6 (EUI-48), 8 (EUI-64) or 20 (InfiniBand) groups of one or two hex digits. */
const HARDWARE_ADDRESS = /^(?:[0-9a-f]{1,2}:){5}(?:(?:[0-9a-f]{1,2}:){2}|(?:[0-9a-f]{1,2}:){14})?[0-9a-f]{1,2}$/i;
/** What the grammar accepts as a fixed-address (a dotted quad or a DNS name), as the baseline. */
export const HOST_NAME = /^[a-zA-Z0-9.-]+$/;
/**
 * The NAME of `host NAME {`: the baseline's characters plus `_`. dhcpd writes a host created over
 * OMAPI with its name unquoted, `_` included (`host under_score.example.com {`), and reads it back
 * itself; the baseline's grammar skipped such a block, so the host the proxy had just created
 * vanished from its view at the next full reload while dhcpd kept serving it.
 */
export const HOST_DECLARATION_NAME = /^[a-zA-Z0-9_.-]+$/;
/** The grammar's loose IPv4 shape; real validation happens when records are built. */
export const DOTTED_QUAD = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * Splits value tokens [from, to) into comma-separated groups. Tokens written without blanks between
 * them (`a=b`) are joined back, because `=` is a token of its own for the lexer.
 * Returns null for an empty value or an empty group (`a,,b`), which the grammar rejects.
 */
function valueGroups(st: Statement, from: number, to: number): string[][] | null {
  const groups: string[][] = [];
  let group: string[] = [];
  let prevEnd = -1;
  let prevJoinable = false;
  for (let i = from; i < to; i++) {
    const t = st.types[i];
    if (t === Tok.Comma) {
      if (group.length === 0) return null;
      groups.push(group);
      group = [];
      prevJoinable = false;
      continue;
    }
    if (t === Tok.LBrace || t === Tok.RBrace) return null;
    const joinable = t !== Tok.String;
    if (joinable && prevJoinable && st.starts[i] === prevEnd) {
      group[group.length - 1] += st.value(i);
    } else {
      group.push(st.value(i));
    }
    prevEnd = st.ends[i];
    prevJoinable = joinable;
  }
  if (group.length === 0) return null;
  groups.push(group);
  return groups;
}

/**
 * `option NAME [code N] [=] [{] values [}];` and `supersede …` (same shape), plus the bare forms
 * `filename values;` and `next-server values;`.
 */
export function parseOption(st: Statement): ParsedOption | null {
  const head = st.word(0);
  if (head === 'filename' || head === 'next-server') {
    const values = valueGroups(st, 1, st.n);
    return values ? { name: head, values, supersede: false } : null;
  }
  if (head !== 'option' && head !== 'supersede') return null;
  const name = st.word(1);
  if (name === undefined || !OPTION_NAME.test(name)) return null;
  let i = 2;
  if (st.isWord(i, 'code') && DIGITS.test(st.word(i + 1) ?? '')) i += 2;
  if (i < st.n && st.types[i] === Tok.Equals) i++;
  let end = st.n;
  if (i < end && st.types[i] === Tok.LBrace) i++;
  if (end > i && st.types[end - 1] === Tok.RBrace) end--;
  const values = valueGroups(st, i, end);
  return values ? { name, values, supersede: head === 'supersede' } : null;
}

/** `vendor-option-space NAME;` Returns the name, or null when it is not this statement. */
export function parseVendorOptionSpace(st: Statement): string | null {
  if (st.n !== 2 || !st.isWord(0, 'vendor-option-space')) return null;
  return st.types[1] === Tok.Word || st.types[1] === Tok.String ? st.value(1) : null;
}

/**
 * One shared copy of the few words every lease repeats (binding states), so that 100 000 leases
 * do not hold 100 000 copies of "active". Known words are matched in the text, without cutting a
 * string first. Bounded: odd values are returned as they are.
 */
const SHARED_WORDS: string[] = [];
function sharedWord(st: Statement, i: number): string {
  for (const known of SHARED_WORDS) if (st.isWord(i, known)) return known;
  const word = st.value(i);
  if (SHARED_WORDS.length < 64) SHARED_WORDS.push(word);
  return word;
}

/** `hardware ethernet|token-ring MAC;` */
function parseHardware(st: Statement, into: { hardware_type?: string; hardware_address?: string }): boolean {
  if (st.n !== 3 || !st.isWord(0, 'hardware')) return false;
  const type = st.isWord(1, 'ethernet') ? 'ethernet' : st.isWord(1, 'token-ring') ? 'token-ring' : undefined;
  const address = st.word(2);
  if (type === undefined || address === undefined || !HARDWARE_ADDRESS.test(address)) return false;
  into.hardware_type = type;
  into.hardware_address = address;
  return true;
}

const HOST_KEYWORDS = ['hardware', 'fixed-address', 'dynamic', 'deleted'] as const;

/** Applies one declaration of a host block. Options go to `options`; false if ignored. */
export function applyHostDeclaration(st: Statement, attrs: HostAttributes, options: ParsedOption[]): boolean {
  switch (keywordOf(st, HOST_KEYWORDS)) {
    case 'hardware':
      return parseHardware(st, attrs);
    case 'fixed-address': {
      const address = st.word(1);
      if (st.n !== 2 || address === undefined || !HOST_NAME.test(address)) return false;
      attrs.fixed_address = address;
      return true;
    }
    case 'dynamic':
      if (st.n !== 1) return false;
      attrs.dynamic = true;
      return true;
    case 'deleted':
      if (st.n !== 1) return false;
      attrs.deleted = true;
      return true;
    default:
      return applyOptionDeclaration(st, attrs, options);
  }
}

/** Option forms and `vendor-option-space`, valid in hosts and leases. */
function applyOptionDeclaration(st: Statement, attrs: { vendor_option_space?: string }, options: ParsedOption[]): boolean {
  const space = parseVendorOptionSpace(st);
  if (space !== null) {
    // Only the Solaris space was ever reported; others are accepted and dropped.
    if (space === 'SUNW') attrs.vendor_option_space = 'SUNW';
    return true;
  }
  const option = parseOption(st);
  if (!option) return false;
  options.push(option);
  return true;
}

const TIME_KEYS = ['starts', 'ends', 'tstp', 'tsfp', 'atsfp', 'cltt'] as const;

/** Whether word i matches `^\w+$` (a binding state), read in place. */
function isIdentifier(st: Statement, i: number): boolean {
  if (i >= st.n || st.types[i] !== Tok.Word) return false;
  for (let p = st.starts[i]; p < st.ends[i]; p++) {
    const c = st.text.charCodeAt(p);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return false;
  }
  return true;
}

/**
 * Reads `sep`-separated decimal fields (e.g. `2024/01/31`) of word i into `out`; false unless
 * there are exactly `out.length` fields of 1 to `maxDigits` digits. Hand-written and read in
 * place: leases files hold hundreds of thousands of timestamps.
 */
function readFields(st: Statement, i: number, sep: number, maxDigits: number, out: number[]): boolean {
  const text = st.text;
  const end = st.ends[i];
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let p = st.starts[i]; p <= end; p++) {
    const c = p < end ? text.charCodeAt(p) : sep;
    if (c === sep) {
      if (digits === 0 || field >= out.length) return false;
      out[field++] = value;
      value = digits = 0;
    } else if (c >= 48 && c <= 57 && digits < maxDigits) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return false;
    }
  }
  return field === out.length;
}

const dateFields = [0, 0, 0];
const timeFields = [0, 0, 0];

/**
 * A lease time in milliseconds since the epoch: `<weekday> yyyy/mm/dd hh:mm:ss` (UTC),
 * `epoch <seconds>` or `never`. Returns null when the value is malformed.
 */
export function parseLeaseTime(st: Statement, from: number): number | null {
  const count = st.n - from;
  if (count === 1 && st.isWord(from, 'never')) return FAR_FUTURE;
  if (count === 2 && st.isWord(from, 'epoch')) {
    const secs = st.word(from + 1);
    return secs !== undefined && DIGITS.test(secs) ? Number(secs) * 1000 : null;
  }
  if (count !== 3 || st.types[from] !== Tok.Word || st.types[from + 1] !== Tok.Word || st.types[from + 2] !== Tok.Word) return null;
  const weekday = st.text.charCodeAt(st.starts[from]);
  if (st.length(from) !== 1 || weekday < 48 || weekday > 57) return null;
  if (!readFields(st, from + 1, 47 /* / */, 4, dateFields) || !readFields(st, from + 2, 58 /* : */, 2, timeFields)) return null;
  const [year, month, day] = dateFields;
  const [hour, minute, second] = timeFields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Which of `words` the statement starts with, matched in place (no string is cut for it). */
function keywordOf<W extends string>(st: Statement, words: readonly W[]): W | undefined {
  for (const word of words) if (st.isWord(0, word)) return word;
  return undefined;
}

const LEASE_KEYWORDS = ['binding', 'next', 'hardware', 'uid', 'client-hostname', 'set'] as const;

/** Applies one declaration of a lease block; false if ignored. */
export function applyLeaseDeclaration(st: Statement, attrs: LeaseAttributes, options: ParsedOption[]): boolean {
  const timeKey = keywordOf(st, TIME_KEYS);
  if (timeKey !== undefined) {
    const time = parseLeaseTime(st, 1);
    if (time === null) return false;
    attrs[timeKey] = time;
    return true;
  }
  switch (keywordOf(st, LEASE_KEYWORDS)) {
    case 'binding':
      if (st.n !== 3 || !st.isWord(1, 'state') || !isIdentifier(st, 2)) return false;
      attrs.binding_state = sharedWord(st, 2);
      return true;
    case 'next':
      if (st.n !== 4 || !st.isWord(1, 'binding') || !st.isWord(2, 'state') || !isIdentifier(st, 3)) return false;
      attrs.next_binding_state = sharedWord(st, 3);
      return true;
    case 'hardware':
      return parseHardware(st, attrs);
    case 'uid':
      if (st.n !== 2 || st.types[1] !== Tok.String) return false;
      attrs.uid = st.value(1);
      return true;
    case 'client-hostname':
      if (st.n !== 2 || !(st.types[1] === Tok.String || HOST_NAME.test(st.word(1) ?? ''))) return false;
      attrs.client_hostname = st.value(1);
      return true;
    case 'set':
      return false; // `set name = "value";` is recorded by dhcpd for its own use
    default:
      return applyOptionDeclaration(st, attrs, options);
  }
}
