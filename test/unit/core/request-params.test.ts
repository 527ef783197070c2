import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeBootTree } from '../../support/boot-tree';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';

/*
 * Query strings and form bodies reach the handlers as the baseline's Rack parses them, and what
 * Rack refuses is answered as Sinatra answers it. The request-level checks of the OpenAPI
 * description never answer: their texts ("… must be string") are not the baseline's.
 */
let tp: TestProxy;
let tftproot: string;
let tree: ReturnType<typeof makeBootTree>;

beforeAll(async () => {
  tree = makeBootTree();
  tftproot = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-params-'));
  tp = await startTestProxy({ http_port: 'auto' }, {
    logs: { enabled: true }, tftp: { enabled: true, tftproot }, httpboot: { enabled: true, root_dir: tree.root },
  });
});
afterAll(async () => {
  await tp.stop();
  tree.cleanup();
  fs.rmSync(tftproot, { recursive: true, force: true });
});

const logsOf = async (query: string) => {
  const res = await rawRequest(tp.http!, `/logs?${query}`);
  expect(res.status).toBe(200);
  return JSON.parse(res.body.toString()).logs as unknown[];
};
const grubCfg = () => fs.readFileSync(path.join(tftproot, 'grub2/grub.cfg'), 'utf8');
const form = (p: string, body: string, headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' }) =>
  rawRequest(tp.http!, p, { method: 'POST', body, headers });

describe('a repeated plain key keeps its last value, as Rack does', () => {
  test('GET /logs?from_timestamp=…&from_timestamp=… filters by the last one', async () => {
    expect((await logsOf('from_timestamp=0&from_timestamp=9999999999'))).toEqual([]);
    expect((await logsOf('from_timestamp=9999999999&from_timestamp=0')).length).toBeGreaterThan(0);
  });

  test('POST /tftp/pxegrub2/create_default?menu=a&menu=b writes b', async () => {
    const res = await rawRequest(tp.http!, '/tftp/pxegrub2/create_default?menu=a&menu=b', { method: 'POST', body: '' });
    expect([res.status, res.body.toString()]).toEqual([200, '']);
    expect(grubCfg()).toBe('b');
  });

  test('the same in a form body; `;` separates query pairs but not form pairs', async () => {
    expect((await form('/tftp/pxegrub2/create_default', 'menu=a&menu=b;c')).status).toBe(200);
    expect(grubCfg()).toBe('b;c');
    expect((await rawRequest(tp.http!, '/tftp/pxegrub2/create_default?menu=a;b', { method: 'POST', body: '' })).status).toBe(200);
    expect(grubCfg()).toBe('a');
  });

  test('a POST without Content-Type is read as a form (Rack form_data?); one trailing NUL is dropped', async () => {
    expect((await form('/tftp/pxegrub2/create_default', 'menu=plain%20form\0', {})).status).toBe(200);
    expect(grubCfg()).toBe('plain form');
  });
});

describe('values the OpenAPI description does not describe go to the handler', () => {
  test.each([
    'from_timestamp[]=9999999999', 'from_timestamp[x]=9999999999', 'from_timestamp', 'from_timestamp=9999999999,:/?',
  ])('GET /logs?%s answers as the baseline (no to_f on a list or nil: everything)', async (query) => {
    const res = await rawRequest(tp.http!, `/logs?${query}`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    if (query.includes(',')) expect(body.logs).toEqual([]);
    else expect(body.logs.length).toBeGreaterThan(0);
  });

  test('no answer carries a validator text', async () => {
    for (const p of ['/logs?from_timestamp[]=1', '/tftp/pxegrub2/create_default?menu[x]=a', '/tftp/pxegrub2/create_default?menu']) {
      const res = await rawRequest(tp.http!, p, { method: p.startsWith('/tftp') ? 'POST' : 'GET', body: '' });
      expect(res.body.toString()).not.toMatch(/Invalid request|must be|\/query\/|\/body\//);
    }
  });
});

describe('parameters Rack refuses: Sinatra\'s 400, before authorization', () => {
  test.each([
    ['/v2/features?a=1&a[]=2', 'Invalid query parameters: expected Array (got String) for param `a&amp;#x27;'],
    ['/logs?a[b]=1&a[]=2', 'Invalid query parameters: expected Array (got Rack::QueryParser::Params) for param `a&amp;#x27;'],
    ['/features?x=%zz', 'Invalid query parameters: invalid %-encoding (%zz)'],
    ['/nowhere?x=%2', 'Invalid query parameters: invalid %-encoding (%2)'],
    ['/httpboot/grub2/grub.cfg?x=%zz', 'Invalid query parameters: invalid %-encoding (%zz)'],
  ])('%s -> 400 %s', async (p, text) => {
    const res = await rawRequest(tp.http!, p);
    expect([res.status, res.body.toString()]).toEqual([400, text]);
    expect(res.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  test('a form body is refused the same way', async () => {
    const res = await form('/tftp/pxegrub2/create_default', 'menu=%zz');
    expect([res.status, res.body.toString()]).toEqual([400, 'Invalid query parameters: invalid %-encoding (%zz)']);
  });

  test('even for a client trusted_hosts would refuse (Sinatra parses before its filters)', async () => {
    const locked = await startTestProxy({ http_port: 'auto', trusted_hosts: [] }, { logs: { enabled: true } });
    try {
      expect((await rawRequest(locked.http!, '/logs?x=%zz')).status).toBe(400);
      expect((await rawRequest(locked.http!, '/logs?x=1')).status).toBe(403);
    } finally {
      await locked.stop();
    }
  });

  test('nesting past Rack\'s limit is a 500 with a plain text, never a stack trace', async () => {
    const res = await rawRequest(tp.http!, `/features?a${'[b]'.repeat(100)}=1`);
    expect([res.status, res.body.toString()]).toEqual([500, 'parameters nested deeper than 100 levels']);
  });
});
