import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import * as OpenApiValidator from 'express-openapi-validator';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendError, sendNotFound } from './errors';

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

let cachedSpec: Record<string, any> | undefined;

/**
 * Request validation against the OpenAPI description. Its own JSON error format never reaches a
 * client: a route or method that is not described is the baseline's generic 404, anything else
 * a plain-text 400. File serving (httpboot) is served before express and is not validated here.
 */
export function openapiValidator(): RequestHandler[] {
  cachedSpec ??= loadApiSpec();
  const handlers = OpenApiValidator.middleware({
    apiSpec: structuredClone(cachedSpec) as any,
    validateRequests: { allowUnknownQueryParameters: true },
    validateResponses: false,
    ignorePaths: /^\/(httpboot|EFI)(\/|$)/,
    fileUploader: false,
  }) as unknown as RequestHandler[];
  const wrapped = handlers.map((h) => (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'HEAD') return next();
    return h(req, res, next);
  });
  const mapErrors = (err: any, req: Request, res: Response, next: NextFunction) => {
    if (!err || typeof err.status !== 'number' || !Array.isArray(err.errors)) return next(err);
    if (err.status === 404 || err.status === 405) return sendNotFound(req, res);
    const detail = err.errors.map((e: any) => `${e.path ?? ''} ${e.message ?? ''}`.trim()).join('; ');
    return sendError(req, res, 400, `Invalid request: ${detail || err.message}`);
  };
  return [...wrapped, mapErrors as unknown as RequestHandler];
}
