import express, { NextFunction, Request, Response } from 'express';
import { authorization } from './auth';
import { HttpError, sendError, sendNotFound } from './errors';
import { log } from './log';
import type { Mount } from './module';
import { openapiValidator } from './openapi';
import { parseParams } from './rack-params';
import { requestParams } from './request-params';
import type { ModuleRegistry } from './registry';
import { requestPipeline, RequestListener, Scheme } from './pipeline';
import type { GlobalSettings } from './settings';

export type { RequestListener, Scheme } from './pipeline';

/** Request parameters the baseline's way: query string, then form body values on top. */
export function params(req: Request): Record<string, any> {
  const body = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? req.body : {};
  return { ...(req.query as Record<string, unknown>), ...body };
}

/** Wraps an async route handler so a rejection reaches the error handler. */
export function route(fn: (req: Request, res: Response) => Promise<void> | void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch(next);
  };
}

function exposedMounts(registry: ModuleRegistry, scheme: Scheme): Mount[] {
  return registry
    .running()
    .filter((m) => m.exposure[scheme])
    .flatMap((m) => m.started?.mounts ?? []);
}

function buildExpressApp(mounts: Mount[], global: GlobalSettings): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  // Parameters as the baseline's Rack parses them (a repeated plain key keeps its last value),
  // and refused as it refuses them: Sinatra parses before its filters, so before authorization.
  app.set('query parser', (query: string) => parseParams(query, 'query'));
  app.use(requestParams());
  // The baseline authorizes before it matches routes: an untrusted client gets 403 even for a
  // path that does not exist. So: filters by mount first, then the OpenAPI check, then routes.
  const auth = authorization(global);
  for (const m of mounts) if (m.protected && m.router) app.use(m.path, auth);
  app.use(openapiValidator());
  // Longer mount paths first, so `/v2` is not shadowed by the root's `/`.
  const ordered = [...mounts].sort((a, b) => b.path.length - a.path.length);
  for (const m of ordered) if (m.router) app.use(m.path, m.router);
  app.use((req: Request, res: Response) => sendNotFound(req, res));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      log.error(err.message);
      sendError(req, res, err.status, err.message);
      return;
    }
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    if (e && (e.type === 'entity.parse.failed' || e.type === 'entity.too.large' || e.status === 400 || e.statusCode === 400)) {
      sendError(req, res, e.status ?? 400, e.message ?? 'Bad request');
      return;
    }
    log.error(`Unhandled error on ${req.method} ${req.originalUrl}: ${e?.message ?? String(err)}`, err);
    sendError(req, res, 500, e?.message ?? 'Internal error');
  });
  return app;
}

/** The listener for one scheme: the modules exposed on it, raw mounts first, then express. */
export function buildRequestListener(registry: ModuleRegistry, scheme: Scheme, global: GlobalSettings): RequestListener {
  const mounts = exposedMounts(registry, scheme);
  const app = buildExpressApp(mounts, global);
  return requestPipeline(mounts.filter((m) => m.raw), (req, res) => app(req as Request, res as Response));
}
