/**
 * The narrow shape of request the quick path answers itself (quick-http.ts): `GET` or `HEAD`,
 * HTTP/1.1, an origin-form path without query or fragment, a Host header, no body, and only
 * headers that cannot change a file's answer. Anything else, or anything unusual about the
 * bytes, is `null`: node:http then reads the request, with its own rules and error answers.
 * Pure: works on the request bytes as a latin1 string.
 */

export interface QuickRequest {
  method: 'GET' | 'HEAD';
  /** The request target as sent (still percent-encoded). */
  path: string;
  /** Offset just after the blank line that ends the request. */
  end: number;
  /** False when the client sent `Connection: close`. */
  keepAlive: boolean;
  requestId?: string;
  sessionId?: string;
}

/** Longest request head taken; node:http reads longer ones (and answers 431 past its limit). */
export const MAX_QUICK_HEAD = 8 * 1024;
const MAX_HEADERS = 64;

/**
 * Headers a file answer does not depend on. Any other header (Range, If-Modified-Since,
 * Content-Length, Transfer-Encoding, Expect, Upgrade, Authorization…) sends the request to
 * node:http.
 */
const HARMLESS = new Set([
  'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'accept-charset', 'connection',
  'cache-control', 'pragma', 'x-request-id', 'x-session-id',
]);
/** Headers that must appear at most once to be taken here (node:http joins or rejects repeats), as bits. */
const SINGLE = new Map([['host', 1], ['connection', 2], ['x-request-id', 4], ['x-session-id', 8]]);

function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    || c === 33 || (c >= 35 && c <= 39) || c === 42 || c === 43 || c === 45 || c === 46 || c === 94 || c === 95 || c === 96 || c === 124 || c === 126;
}

/** Visible ASCII for a path, except `?` and `#` (a query or fragment goes to node:http). */
function isPathChar(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x3f && c !== 0x23;
}

/**
 * Reads one request starting at `from`. Returns null when the request is not one the quick path
 * takes, or is not complete yet (the caller hands the bytes to node:http either way).
 */
export function parseQuickRequest(text: string, from = 0): QuickRequest | null {
  const headEnd = text.indexOf('\r\n\r\n', from);
  if (headEnd < 0 || headEnd - from > MAX_QUICK_HEAD) return null;
  let method: 'GET' | 'HEAD';
  let p: number;
  if (text.startsWith('GET /', from)) {
    method = 'GET';
    p = from + 4;
  } else if (text.startsWith('HEAD /', from)) {
    method = 'HEAD';
    p = from + 5;
  } else {
    return null;
  }
  const pathStart = p;
  while (p < headEnd && isPathChar(text.charCodeAt(p))) p++;
  const path = text.slice(pathStart, p);
  if (!text.startsWith(' HTTP/1.1\r\n', p)) return null;
  p += 11;
  let seen = 0;
  const request: QuickRequest = { method, path, end: headEnd + 4, keepAlive: true };
  let count = 0;
  // Each header line: name ":" OWS value OWS CRLF; the last CRLF is the one before the blank line.
  while (p < headEnd + 2) {
    if (++count > MAX_HEADERS) return null;
    const nameStart = p;
    while (isTokenChar(text.charCodeAt(p))) p++;
    if (p === nameStart || text.charCodeAt(p) !== 58 /* : */) return null;
    const name = text.slice(nameStart, p).toLowerCase();
    p++;
    const lineEnd = text.indexOf('\r\n', p);
    let valueStart = p;
    let valueEnd = lineEnd;
    for (let i = p; i < lineEnd; i++) {
      const c = text.charCodeAt(i);
      if ((c < 0x20 && c !== 9) || c > 0x7e) return null;
    }
    while (valueStart < valueEnd && (text.charCodeAt(valueStart) === 32 || text.charCodeAt(valueStart) === 9)) valueStart++;
    while (valueEnd > valueStart && (text.charCodeAt(valueEnd - 1) === 32 || text.charCodeAt(valueEnd - 1) === 9)) valueEnd--;
    p = lineEnd + 2;
    if (!HARMLESS.has(name)) return null;
    const bit = SINGLE.get(name);
    if (bit !== undefined) {
      if (seen & bit) return null;
      seen |= bit;
    }
    const value = text.slice(valueStart, valueEnd);
    if (name === 'connection') {
      const v = value.toLowerCase();
      if (v === 'close') request.keepAlive = false;
      else if (v !== 'keep-alive') return null;
    } else if (name === 'x-request-id') {
      request.requestId = value;
    } else if (name === 'x-session-id') {
      request.sessionId = value;
    }
  }
  return seen & 1 ? request : null;
}
