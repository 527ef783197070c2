import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import * as OpenApiValidator from 'express-openapi-validator';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendNotFound } from './errors';
import { setQuery } from './request-params';

export const OPENAPI_DIR = path.join(__dirname, '..', '..', 'openapi');

/**
 * The API description: `openapi/openapi.yaml` holds the document head, and every other
 * `openapi/*.yaml` contributes its `paths` and `components` (one file per module).
 */
export function loadApiSpec(dir = OPENAPI_DIR): Record<string, any> {
  const head = yaml.load(fs.readFileSync(path.join(dir, 'openapi.yaml'), 'utf8')) as Record<string, any>;
  const spec = { ...head, paths: { ...(head.paths ?? {}) }, components: { ...(head.components ?? {}) } };
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'openapi.yaml').sort()) {
    const part = yaml.load(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, any>;
    Object.assign(spec.paths, part.paths ?? {});
    for (const [kind, entries] of Object.entries(part.components ?? {})) {
      spec.components[kind] = { ...(spec.components[kind] ?? {}), ...(entries as object) };
    }
  }
  return spec;
}

let sharedValidator: RequestHandler[] | undefined;

interface ParsedParams { query: unknown; body: unknown }
const PARSED = Symbol('parameters as parsed for the handlers');
type WithParsed = Request & { [PARSED]?: ParsedParams };

/**
 * The validator coerces and rewrites parameters in place (nil to '', bracket keys re-parsed with
 * qs); it works on copies so the handlers get exactly what Rack would have given them.
 */
function lendCopies(req: WithParsed, _res: Response, next: NextFunction): void {
  req[PARSED] = { query: req.query, body: req.body };
  setQuery(req, structuredClone(req.query));
  req.body = structuredClone(req.body);
  next();
}

function restoreParsed(req: WithParsed): void {
  const parsed = req[PARSED];
  if (!parsed) return;
  setQuery(req, parsed.query as object);
  req.body = parsed.body;
  delete req[PARSED];
}

/**
 * Request checking against the OpenAPI description. Only its routing decision reaches a client: a
 * route or method that is not described is the baseline's generic 404. A described route whose
 * parameters do not fit the description (a list where a string is described, a reserved
 * character, a missing field) goes on to its handler, which answers as the baseline does: the
 * validator's own texts are never sent. File serving (httpboot) is served before express.
 */
export function openapiValidator(): RequestHandler[] {
  // One validator serves every app (HTTP, HTTPS, the workers' private socket): each instance
  // compiles the OpenAPI meta-schema first, about 160 ms of start-up apiece.
  return (sharedValidator ??= buildValidator());
}

function buildValidator(): RequestHandler[] {
  const handlers = OpenApiValidator.middleware({
    apiSpec: loadApiSpec() as any,
    validateRequests: { allowUnknownQueryParameters: true },
    validateResponses: false,
    ignorePaths: /^\/(httpboot|EFI)(\/|$)/,
    fileUploader: false,
  }) as unknown as RequestHandler[];
  const wrapped = handlers.map((h) => (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'HEAD') return next();
    return h(req, res, next);
  });
  const routeOnly = (err: any, req: Request, res: Response, next: NextFunction) => {
    if (!err || typeof err.status !== 'number' || !Array.isArray(err.errors)) return next(err);
    restoreParsed(req);
    if (err.status === 404 || err.status === 405) return sendNotFound(req, res);
    return next();
  };
  const passed = (req: Request, _res: Response, next: NextFunction) => {
    restoreParsed(req);
    next();
  };
  return [lendCopies as RequestHandler, ...wrapped, routeOnly as unknown as RequestHandler, passed];
}
