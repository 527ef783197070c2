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
      group[group.length - 1] += st.values[i];
    } else {
      group.push(st.values[i]);
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
  return st.types[1] === Tok.Word || st.types[1] === Tok.String ? st.values[1] : null;
}

/**
 * One shared copy of the few values every lease repeats (binding states), so that 100 000 leases
 * do not hold 100 000 copies of "active". Bounded: odd values are returned as they are.
 */
const SHARED_WORDS = new Map<string, string>();
function shared(word: string): string {
  const known = SHARED_WORDS.get(word);
  if (known !== undefined) return known;
  if (SHARED_WORDS.size < 64) SHARED_WORDS.set(word, word);
  return word;
}

/** `hardware ethernet|token-ring MAC;` */
function parseHardware(st: Statement, into: { hardware_type?: string; hardware_address?: string }): boolean {
  if (st.n !== 3 || !st.isWord(0, 'hardware')) return false;
  const type = st.word(1);
  const address = st.word(2);
  if ((type !== 'ethernet' && type !== 'token-ring') || address === undefined || !HARDWARE_ADDRESS.test(address)) return false;
  into.hardware_type = type === 'ethernet' ? 'ethernet' : 'token-ring';
  into.hardware_address = address;
  return true;
}

/** Applies one declaration of a host block. Options go to `options`; false if ignored. */
export function applyHostDeclaration(st: Statement, attrs: HostAttributes, options: ParsedOption[]): boolean {
  const head = st.word(0);
  switch (head) {
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

const TIME_KEYS = new Set(['starts', 'ends', 'tstp', 'tsfp', 'atsfp', 'cltt']);

/**
 * Reads `sep`-separated decimal fields (e.g. `2024/01/31`) into `out`; false unless there are
 * exactly `out.length` fields of 1 to `maxDigits` digits. Hand-written: leases files hold
 * hundreds of thousands of timestamps.
 */
function readFields(text: string, sep: number, maxDigits: number, out: number[]): boolean {
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : sep;
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
 * A lease time: `<weekday> yyyy/mm/dd hh:mm:ss` (UTC), `epoch <seconds>` or `never`.
 * Returns null when the value is malformed.
 */
export function parseLeaseTime(st: Statement, from: number): Date | null {
  const count = st.n - from;
  if (count === 1 && st.isWord(from, 'never')) return FAR_FUTURE;
  if (count === 2 && st.isWord(from, 'epoch')) {
    const secs = st.word(from + 1);
    return secs !== undefined && DIGITS.test(secs) ? new Date(Number(secs) * 1000) : null;
  }
  const weekday = st.word(from);
  const date = st.word(from + 1);
  const time = st.word(from + 2);
  if (count !== 3 || weekday === undefined || date === undefined || time === undefined) return null;
  if (weekday.length !== 1 || weekday.charCodeAt(0) < 48 || weekday.charCodeAt(0) > 57) return null;
  if (!readFields(date, 47 /* / */, 4, dateFields) || !readFields(time, 58 /* : */, 2, timeFields)) return null;
  const [year, month, day] = dateFields;
  const [hour, minute, second] = timeFields;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Applies one declaration of a lease block; false if ignored. */
export function applyLeaseDeclaration(st: Statement, attrs: LeaseAttributes, options: ParsedOption[]): boolean {
  const head = st.word(0);
  if (head === undefined) return false;
  if (TIME_KEYS.has(head)) {
    const time = parseLeaseTime(st, 1);
    if (!time) return false;
    attrs[head as 'starts'] = time;
    return true;
  }
  switch (head) {
    case 'binding':
      if (st.n !== 3 || !st.isWord(1, 'state') || !/^\w+$/.test(st.word(2) ?? '')) return false;
      attrs.binding_state = shared(st.values[2]);
      return true;
    case 'next':
      if (st.n !== 4 || !st.isWord(1, 'binding') || !st.isWord(2, 'state') || !/^\w+$/.test(st.word(3) ?? '')) return false;
      attrs.next_binding_state = shared(st.values[3]);
      return true;
    case 'hardware':
      return parseHardware(st, attrs);
    case 'uid':
      if (st.n !== 2 || st.types[1] !== Tok.String) return false;
      attrs.uid = st.values[1];
      return true;
    case 'client-hostname':
      if (st.n !== 2 || !(st.types[1] === Tok.String || HOST_NAME.test(st.word(1) ?? ''))) return false;
      attrs.client_hostname = st.values[1];
      return true;
    case 'set':
      return false; // `set name = "value";` is recorded by dhcpd for its own use
    default:
      return applyOptionDeclaration(st, attrs, options);
  }
}
