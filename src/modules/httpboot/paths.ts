import * as path from 'path';

/** Why a request path cannot be served, with the baseline's status and text. */
export class PathRejected extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Percent-decodes a raw URL path strictly: malformed escapes, NUL bytes and invalid UTF-8 are
 * refused with 400 "Invalid path" (F2: the baseline answered 500 with a backtrace).
 */
export function decodeRequestPath(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new PathRejected(400, 'Invalid path');
  }
  if (decoded.includes('\0') || decoded.includes('\uFFFD')) throw new PathRejected(400, 'Invalid path');
  return decoded;
}

/**
 * Lexical normalisation: `//` and `.` collapse, `x/..` cancels. A `..` that would climb above the
 * served root is refused (400, as the baseline's web server refuses such a URI).
 */
export function normaliseRelative(decoded: string): string[] {
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) throw new PathRejected(400, 'Invalid path');
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return out;
}

/** True when `candidate` lies strictly inside `root` (both absolute, normalised). */
export function strictlyInside(root: string, candidate: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix) && candidate.length > prefix.length;
}
