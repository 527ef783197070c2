import * as fs from 'fs';
import * as path from 'path';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import request from 'supertest';
import { loadApiSpec, OPENAPI_DIR } from '../../../src/core/openapi';

/*
 * One malformed module spec makes the validator answer 500 to every route of the proxy, so the
 * merged description is checked here, where a mistake shows up with its file.
 */
describe('the OpenAPI description', () => {
  test('every openapi/*.yaml merges into a valid OpenAPI 3 document', async () => {
    const spec = loadApiSpec();
    const app = express();
    app.use(OpenApiValidator.middleware({ apiSpec: spec as never, validateRequests: true, validateResponses: false }));
    app.get('/features', (_req, res) => { res.json([]); });
    app.use((err: { status?: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).send(err.message);
    });
    const res = await request(app).get('/features');
    expect([res.status, res.text]).toEqual([200, '[]']);
  });

  test('each module file holds only paths and components', () => {
    for (const file of fs.readdirSync(OPENAPI_DIR).filter((f) => f.endsWith('.yaml') && f !== 'openapi.yaml')) {
      const text = fs.readFileSync(path.join(OPENAPI_DIR, file), 'utf8');
      expect({ file, keys: Object.keys((require('js-yaml') as typeof import('js-yaml')).load(text) as object).filter((k) => !['paths', 'components'].includes(k)) })
        .toEqual({ file, keys: [] });
    }
  });
});
