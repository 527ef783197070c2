import * as fs from 'fs';
import * as path from 'path';
import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import request from 'supertest';
import { loadApiSpec, OPENAPI_DIR, openapiValidator } from '../../../src/core/openapi';
import { requestParams } from '../../../src/core/request-params';
import { textBody } from '../../support/dhcp-app';

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

describe('the validator inside the proxy (src/core/openapi.ts)', () => {
  /** The proxy's parameter parsing and validator in front of echo handlers for two described routes. */
  function appWith(validator: express.RequestHandler[]): express.Express {
    const app = express();
    app.use(requestParams());
    app.use(validator);
    app.get('/logs', (req, res) => { res.json({ query: req.query }); });
    app.post('/dhcp/:network', (req, res) => { res.json({ body: req.body }); });
    app.use((err: { status?: number; message: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).send(`validator: ${err.message}`);
    });
    return app;
  }
  const bare = () => OpenApiValidator.middleware({
    apiSpec: loadApiSpec() as never, validateRequests: { allowUnknownQueryParameters: true }, validateResponses: false,
  }) as unknown as express.RequestHandler[];

  type Client = ReturnType<typeof request>;
  const refused: Array<[string, (a: Client) => request.Test, unknown]> = [
    ['a list where a string is described', (a) => a.get('/logs?from_timestamp[]=1'), { query: { from_timestamp: ['1'] } }],
    ['a map where a string is described', (a) => a.get('/logs?from_timestamp[x]=1'), { query: { from_timestamp: { x: '1' } } }],
    ['a list in a described form field', (a) => a.post('/dhcp/192.0.2.0').type('form').send('mac[]=a&name'), { body: { mac: ['a'], name: null } }],
  ];

  test.each(refused)('the bare validator refuses %s with its own text', async (_what, send) => {
    const res = await send(request(appWith(bare())));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^validator: /);
  });

  test.each(refused)('the proxy passes %s on to the handler, untouched by the validator', async (_what, send, seen) => {
    const res = await send(request(appWith(openapiValidator())));
    expect([res.status, res.body]).toEqual([200, seen]);
  });

  test('the validator rewrites values in place (nil to \'\'); the handler still gets Rack\'s nil', async () => {
    const send = (app: express.Express) => request(app).get('/logs?from_timestamp');
    expect((await send(appWith(bare()))).body).toEqual({ query: { from_timestamp: '' } });
    expect((await send(appWith(openapiValidator()))).body).toEqual({ query: { from_timestamp: null } });
  });

  test.each([
    ['an undescribed route', (a: Client) => a.get('/nowhere')],
    ['an undescribed method', (a: Client) => a.put('/logs')],
  ])('%s is the baseline\'s generic 404', async (_what, send) => {
    const res = await send(request(appWith(openapiValidator()))).buffer(true).parse(textBody);
    expect([res.status, res.body, res.headers['x-cascade']]).toEqual([404, 'Requested url was not found', 'pass']);
  });
});

describe('one validator for every app', () => {
  // Each validator instance compiles the OpenAPI meta-schema first (about 160 ms at start-up);
  // the HTTP and HTTPS apps of the primary and of the workers' private socket share one.
  test('openapiValidator() hands out the same handlers, and two apps using them both route as described', async () => {
    expect(openapiValidator()).toBe(openapiValidator());
    const appFor = () => {
      const app = express();
      app.use(requestParams());
      app.use(openapiValidator());
      app.get('/features', (_req, res) => { res.json(['ok']); });
      return app;
    };
    const [a, b] = [appFor(), appFor()];
    for (const app of [a, b, a]) {
      expect((await request(app).get('/features')).body).toEqual(['ok']);
      expect((await request(app).get('/nowhere').buffer(true).parse(textBody)).status).toBe(404);
    }
  });
});
