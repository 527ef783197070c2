import { logBuffer, log } from '../../../src/core/log';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';

let tp: TestProxy;
let base: string;

beforeAll(async () => {
  tp = await startTestProxy({ http_port: 'auto' }, {
    httpboot: { enabled: true, root_dir: '/tmp' },
    logs: { enabled: 'http' },
  });
  base = tp.http!;
});
afterAll(() => tp.stop());

const get = (p: string, headers: Record<string, string> = {}) => rawRequest(base, p, { headers });

describe('root module (reference §3)', () => {
  test('/features lists running modules sorted', async () => {
    const res = await get('/features');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body.toString())).toEqual([...JSON.parse(res.body.toString())].sort());
    expect(JSON.parse(res.body.toString())).toEqual(expect.arrayContaining(['httpboot', 'logs']));
    expect(JSON.parse(res.body.toString())).not.toContain('foreman_proxy');
  });

  test('/version reports the version and each running module', async () => {
    const body = JSON.parse((await get('/version')).body.toString());
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.modules).toMatchObject({ httpboot: body.version.replace(/-develop$/, ''), logs: expect.any(String) });
    expect(body.modules.foreman_proxy).toBeUndefined();
  });

  test('/v2/features has every module with the exact entry shape; https_port null without HTTPS (F6)', async () => {
    const body = JSON.parse((await get('/v2/features')).body.toString());
    expect(Object.keys(body.httpboot)).toEqual(['http_enabled', 'https_enabled', 'settings', 'state', 'capabilities']);
    expect(body.httpboot).toEqual({ http_enabled: true, https_enabled: true, settings: { http_port: Number(new URL(base).port), https_port: null }, state: 'running', capabilities: [] });
    expect(body.logs).toEqual({ http_enabled: true, https_enabled: false, settings: {}, state: 'running', capabilities: [] });
    expect(body.bmc).toEqual({ http_enabled: false, https_enabled: false, settings: {}, state: 'disabled', capabilities: ['redfish', 'shell', 'ssh'] });
    expect(body.foreman_proxy).toBeUndefined();
  });

  test('HEAD on GET routes, query ignored', async () => {
    const head = await rawRequest(base, '/features', { method: 'HEAD' });
    expect([head.status, head.body.length]).toEqual([200, 0]);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await get('/features?x=1')).status).toBe(200);
  });
});

describe('common HTTP conventions (reference §1.7)', () => {
  test.each(['/', '/nonexistent', '/v2/features/', '/features/', '/Features'])('%s is the generic 404', async (p) => {
    const res = await get(p);
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('Requested url was not found');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['x-cascade']).toBe('pass');
  });

  test.each(['POST', 'DELETE', 'PUT'])('%s /features is 404 (no 405)', async (method) => {
    const res = await rawRequest(base, '/features', { method, body: '' });
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('Requested url was not found');
  });

  test('Server header and canonical header case on every response', async () => {
    for (const p of ['/features', '/nonexistent', '/httpboot/']) {
      const res = await get(p);
      expect(res.headers.server).toMatch(/^foreman-proxy\/\d+\.\d+\.\d+/);
      expect(res.rawHeaderNames).toEqual(expect.arrayContaining(['Server', 'Content-Length', 'Content-Type', 'X-Content-Type-Options']));
      expect(res.rawHeaderNames).not.toContain('X-Powered-By');
    }
  });
});

describe('logs module (reference §4)', () => {
  test('/logs and /logs/ give the ring with info, request ids and timestamps ascending', async () => {
    log.error('an error for the ring');
    const res = await get('/logs/', { 'X-Request-Id': 'abcdef0123456789' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.info).toEqual({ size: 2000, tail_size: 1000, level: null, level_tail: 3, failed_modules: {} });
    const stamps = body.logs.map((e: { timestamp: number }) => e.timestamp);
    expect(stamps).toEqual([...stamps].sort((a: number, b: number) => a - b));
    expect(body.logs).toEqual(expect.arrayContaining([
      { timestamp: expect.any(Number), level: 'ERROR', message: 'an error for the ring' },
      { timestamp: expect.any(Number), level: 'INFO', message: 'Started GET /logs/ ', request_id: 'abcdef01' },
    ]));
    expect(Object.keys(body.logs[0])).toEqual(['timestamp', 'level', 'message']);
    const plain = JSON.parse((await get('/logs')).body.toString());
    expect(plain.info.size).toBe(2000);
  });

  test('from_timestamp filters; unparseable means everything; /logs/errors is 404', async () => {
    const future = JSON.parse((await get('/logs?from_timestamp=9999999999')).body.toString());
    expect(future.logs).toEqual([]);
    const all = JSON.parse((await get('/logs?from_timestamp=abc')).body.toString());
    expect(all.logs.length).toBeGreaterThan(3);
    expect((await get('/logs/errors')).status).toBe(404);
  });

  test('failed modules appear in info.failed_modules', async () => {
    const other = await startTestProxy({ http_port: 'auto' }, { httpboot: { enabled: true, root_dir: '' } });
    try {
      const body = JSON.parse((await rawRequest(other.http!, '/logs')).body.toString());
      expect(body.info.failed_modules.httpboot).toBe("Disabling all modules in the group ['httpboot'] due to a failure in one of them: Parameter 'root_dir' is expected to have a non-empty value");
      const v2 = JSON.parse((await rawRequest(other.http!, '/v2/features')).body.toString());
      expect(v2.httpboot).toEqual({ http_enabled: false, https_enabled: false, settings: { http_port: expect.any(Number), https_port: null }, state: 'failed', capabilities: [] });
      expect((await rawRequest(other.http!, '/httpboot/x')).status).toBe(404);
    } finally {
      await other.stop();
    }
    expect(logBuffer().size).toBe(2000);
  });
});
