import type { IncomingMessage } from 'http';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import { isParamsFailure, sendParamsFailure } from './params-refusal';
import { parseParams } from './rack-params';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Rack reads a body as a form when its type says so, or when a POST names no type at all. */
function isFormBody(req: IncomingMessage): boolean {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return type === FORM_TYPE || (type === '' && req.method === 'POST');
}

function queryOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** Express 5 recomputes `req.query` in a getter on every access; an own property pins a value. */
export function setQuery(req: Request, query: object): void {
  Object.defineProperty(req, 'query', { value: query, writable: true, configurable: true, enumerable: true });
}

/** `req.query` and a form `req.body`, parsed as Rack parses them (query first, as Rack merges). */
export function requestParams(): RequestHandler[] {
  const parse = (req: Request, res: Response, next: NextFunction): void => {
    try {
      setQuery(req, parseParams(queryOf(req.originalUrl ?? req.url), 'query'));
      if (Buffer.isBuffer(req.body)) {
        const text = req.body.toString('latin1');
        // Rack drops one trailing NUL byte from a form body (old Safari appended one).
        req.body = parseParams(text.endsWith('\0') ? text.slice(0, -1) : text, 'form');
      }
    } catch (err) {
      if (!isParamsFailure(err)) throw err;
      sendParamsFailure(req, res, err);
      return;
    }
    next();
  };
  return [express.raw({ type: isFormBody, limit: '16mb' }), parse];
}
