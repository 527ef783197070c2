import type { IncomingMessage, ServerResponse } from 'http';

/** An error whose message is the exact plain-text body the client receives. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export const NOT_FOUND_TEXT = 'Requested url was not found';

/** Whether an Accept header admits application/json (a missing header does). */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0].trim().toLowerCase();
    const q = /;\s*q=([0-9.]+)/.exec(part);
    if (q && Number(q[1]) === 0) return false;
    return type === 'application/json' || type === 'application/*' || type === '*/*';
  });
}

export const HTML_TYPE = 'text/html;charset=utf-8';
export const JSON_TYPE = 'application/json';

const NOSNIFF: [string, string] = ['X-Content-Type-Options', 'nosniff'];
const HTML_PROTECTION: [string, string][] = [NOSNIFF, ['X-XSS-Protection', '1; mode=block'], ['X-Frame-Options', 'SAMEORIGIN']];

/** Headers the baseline's Rack protection adds, in order: nosniff always, two more for text/html. */
export function protectionHeaders(contentType: string): [string, string][] {
  return contentType.startsWith('text/html') ? HTML_PROTECTION : [NOSNIFF];
}

export function setProtectionHeaders(res: ServerResponse, contentType: string): void {
  for (const [name, value] of protectionHeaders(contentType)) res.setHeader(name, value);
}

/** Sends a body with explicit, canonically cased headers. */
export function sendBody(req: IncomingMessage, res: ServerResponse, status: number, contentType: string,
  body: string | Buffer, extra: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = status;
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', String(buf.length));
  setProtectionHeaders(res, contentType);
  res.end(req.method === 'HEAD' ? undefined : buf);
}

/** A handled error: plain-text body, JSON content type when the client accepts JSON. */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  sendBody(req, res, status, acceptsJson(req.headers.accept) ? JSON_TYPE : HTML_TYPE, message);
}

/** The generic 404 for unknown routes and modules not exposed on this port. */
export function sendNotFound(req: IncomingMessage, res: ServerResponse): void {
  sendBody(req, res, 404, JSON_TYPE, NOT_FOUND_TEXT, { 'X-Cascade': 'pass' });
}
