import { Router } from 'express';
import { HTML_TYPE, JSON_TYPE, sendBody } from '../../core/errors';
import { route } from '../../core/http';
import { loadApiSpec } from '../../core/openapi';
import { renderApiDoc } from './apidoc-html';

/** The page may load nothing: no script, no remote style or image. */
const PAGE_HEADERS = { 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'" };

/**
 * `GET /apidoc` (the API reference page) and `GET /apidoc/openapi.json` (the description it is
 * rendered from). Mounted behind the same authorization as /v2/features. Both are built on the
 * first request and kept: the description only changes with a new build.
 */
export function apidocRoutes(loadSpec: () => Record<string, any> = loadApiSpec): Router {
  const router = Router({ strict: true, caseSensitive: true });
  let cached: { html: string; json: string } | undefined;
  const documents = () => {
    if (!cached) {
      const spec = loadSpec();
      cached = { html: renderApiDoc(spec, { jsonHref: '/apidoc/openapi.json' }), json: JSON.stringify(spec, null, 2) };
    }
    return cached;
  };
  router.get('/', route((req, res) => {
    sendBody(req, res, 200, HTML_TYPE, documents().html, PAGE_HEADERS);
  }));
  router.get('/openapi.json', route((req, res) => {
    sendBody(req, res, 200, JSON_TYPE, documents().json);
  }));
  return router;
}
