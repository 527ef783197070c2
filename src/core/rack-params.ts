/**
 * Query strings and form bodies parsed the way the baseline's Rack 2.2 does
 * (`Rack::QueryParser#parse_nested_query`), so handlers see what the Ruby proxy's handlers see:
 * a repeated plain key keeps its last value, `k[]=` builds a list, `k[x]=` a map, and a key
 * without `=` is nil (null). The input is a byte string (one character per byte, as Node gives
 * the request line); percent-decoded bytes are read as UTF-8.
 */

export type ParamValue = string | null | ParamValue[] | ParamMap;
export interface ParamMap { [key: string]: ParamValue }

/** What Rack raises as InvalidParameterError or ParameterTypeError: Sinatra answers 400. */
export class InvalidParameters extends Error {}

/**
 * Rack's nesting limit (QueryLimitError): not rescued by Sinatra, so a 500. Rack 2.2's size and
 * count limits (4 MiB, 4096 pairs) are not reproduced: multi-megabyte TFTP configs are accepted.
 */
export class ParameterLimit extends Error {}

const PARAM_DEPTH_LIMIT = 100;

/** Query strings are split at `&` and `;`, form bodies at `&` only (Rack::Request#GET / #POST). */
const SEPARATORS = { query: /[&;] */, form: /& */ };
export type ParamSource = keyof typeof SEPARATORS;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function newMap(): ParamMap {
  // No prototype: a key such as `__proto__` is an ordinary parameter name.
  return Object.create(null) as ParamMap;
}

function isMap(v: ParamValue | undefined): v is ParamMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The Ruby class name Rack's ParameterTypeError message shows. */
function rubyClass(v: ParamValue): string {
  if (Array.isArray(v)) return 'Array';
  if (isMap(v)) return 'Rack::QueryParser::Params';
  return v === null ? 'NilClass' : 'String';
}

function typeError(expected: 'Array' | 'Hash', got: ParamValue, key: string): InvalidParameters {
  return new InvalidParameters(`expected ${expected} (got ${rubyClass(got)}) for param \`${key}'`);
}

/** URI.decode_www_form_component: `+` is a space, `%hh` a byte, any other `%` an error. */
function unescape(component: string): Buffer {
  if (/%(?![0-9A-Fa-f]{2})/.test(component)) {
    throw new InvalidParameters(`invalid %-encoding (${Buffer.from(component, 'latin1').toString('utf8')})`);
  }
  const bytes = component.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1');
}

/** A key must be valid UTF-8: Ruby's regex match on it raises otherwise. */
function decodeKey(bytes: Buffer): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw new InvalidParameters('invalid byte sequence in UTF-8');
  }
}

/** Whether `key` (a bracketed child path such as `a][b`) already has a value in `map`. */
function hasNestedKey(map: ParamMap, key: string): boolean {
  if (key.includes('[]')) return false;
  let current: ParamValue = map;
  for (const part of key.split(/[[\]]+/)) {
    if (part === '') continue;
    if (!isMap(current) || !Object.prototype.hasOwnProperty.call(current, part)) return false;
    current = current[part];
  }
  return true;
}

function listAt(params: ParamMap, k: string): ParamValue[] {
  params[k] ??= [];
  const list = params[k];
  if (!Array.isArray(list)) throw typeError('Array', list, k);
  return list;
}

const NAME = /^[[\]]*([^[\]]+)\]*/;

/** Rack's normalize_params: stores `value` under the (possibly bracketed) `name`. */
function normalize(params: ParamMap, name: string, value: string | null, depth: number): ParamMap | ParamValue[] | undefined {
  if (depth <= 0) throw new ParameterLimit(`parameters nested deeper than ${PARAM_DEPTH_LIMIT} levels`);
  const m = NAME.exec(name);
  if (!m) return name === '[]' && value !== null ? [value] : undefined;
  const k = m[1];
  const after = name.slice(m[0].length);
  let child: RegExpExecArray | null;
  if (after === '') {
    params[k] = value;
  } else if (after === '[') {
    params[name] = value;
  } else if (after === '[]') {
    listAt(params, k).push(value);
  } else if ((child = /^\[\]\[([^[\]]+)\]$/.exec(after) ?? /^\[\](.+)$/.exec(after))) {
    const list = listAt(params, k);
    const last = list[list.length - 1];
    if (isMap(last) && !hasNestedKey(last, child[1])) normalize(last, child[1], value, depth - 1);
    else list.push((normalize(newMap(), child[1], value, depth - 1) ?? null) as ParamValue);
  } else {
    params[k] ??= newMap();
    const map = params[k];
    if (!isMap(map)) throw typeError('Hash', map, k);
    params[k] = (normalize(map, after, value, depth - 1) ?? null) as ParamValue;
  }
  return params;
}

/**
 * Parses a query string or form body (byte string) into parameters, or throws
 * InvalidParameters (Rack's message) or ParameterLimit.
 */
export function parseParams(text: string, source: ParamSource): ParamMap {
  const params = newMap();
  if (text === '') return params;
  for (const pair of text.split(SEPARATORS[source])) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeKey(unescape(eq < 0 ? pair : pair.slice(0, eq)));
    const value = eq < 0 ? null : unescape(pair.slice(eq + 1)).toString('utf8');
    normalize(params, key, value, PARAM_DEPTH_LIMIT);
  }
  return params;
}
