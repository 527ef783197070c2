/**
 * Every DHCP exchange captured from the real smart-proxy (reference-responses.md §5), replayed
 * against this module over the same data: status, headers and body must match exactly, except
 * where a documented fix (F3) or randomness (unused_ip) says otherwise.
 */
import request from 'supertest';
import { SERVER_HEADER } from '../../../src/core/version';
import { DhcpError } from '../../../src/modules/dhcp/provider';
import { dhcpTestApp, DhcpTestApp, textBody } from '../../support/dhcp-app';
import { referenceDhcpProvider } from '../../support/dhcp-reference-fixture';
import { CapturedExchange, capturedExchanges } from '../../support/reference-responses';

const captures = capturedExchanges('5. DHCP');
let app: DhcpTestApp;

beforeEach(async () => {
  app = await dhcpTestApp(referenceDhcpProvider());
});
afterEach(() => app.stop());

function send(c: CapturedExchange) {
  const { method, path, headers, form, data } = c.request;
  let req = request(app.listener)[method.toLowerCase() as 'get' | 'post' | 'delete'](path).set('Accept', '*/*').buffer(true).parse(textBody);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  if (data.length) {
    const json = /json/i.test(headers['Content-Type'] ?? '');
    req = req.type(json ? 'application/json' : 'form')
      .send(json ? data.join('&') : form.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
  }
  return req;
}

/** Server-side failures of the captured run (no dhcpd listening) come from the provider. */
const PROVIDER_FAILURES = [
  'POST /dhcp/192.168.122.0 (new reservation -> OMAPI, no dhcpd listening)',
  'DELETE /dhcp/192.168.122.0/mac/10:10:10:10:10:10 (-> OMAPI)',
  'DELETE /dhcp/192.168.122.0/ip/192.168.122.10 (-> OMAPI)',
];
/** F3: an identical re-POST without the parser-only `hardware_type` is a 200 no-op here. */
const F3 = 'POST /dhcp/192.168.122.0 (same name/ip/mac, options differ)';
/** Random answers, checked for their properties below. */
const RANDOM = [
  'GET /dhcp/192.168.122.0/unused_ip',
  'GET /dhcp/192.168.123.0/unused_ip (subnet with a range)',
  'GET /dhcp/192.168.122.0/unused_ip?from=192.168.122.200&to=192.168.122.201',
];

const exact = captures.filter((c) => c.title !== F3 && !RANDOM.includes(c.title));

test('the capture file holds the DHCP exchanges', () => {
  expect(captures.length).toBeGreaterThanOrEqual(30);
  expect(exact.length).toBe(captures.length - 4);
});

test.each(exact.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
  if (PROVIDER_FAILURES.includes(c.title)) app.provider.failNext = new DhcpError('server', c.body);
  const res = await send(c);
  expect(`${res.status} ${res.body}`).toBe(`${c.status} ${c.body}`);
  for (const h of ['content-type', 'content-length', 'x-content-type-options', 'x-xss-protection', 'x-frame-options']) {
    expect([h, res.headers[h]]).toEqual([h, c.headers[h]]);
  }
  expect(res.headers.server).toBe(SERVER_HEADER);
  expect(res.body).toBe(c.body);
  // Validation failures, lookups and no-ops never reach the DHCP server.
  if (!PROVIDER_FAILURES.includes(c.title)) expect(app.provider.calls).toEqual([]);
});

test(`${F3}: 200 with an empty JSON body, nothing sent to the server (F3)`, async () => {
  const c = captures.find((x) => x.title === F3)!;
  const res = await send(c);
  expect([res.status, res.headers['content-type'], res.headers['content-length'], res.body]).toEqual([200, 'application/json', '0', '']);
  expect(app.provider.calls).toEqual([]);
});

describe('unused_ip captures (random answers)', () => {
  const recordIps = ['192.168.122.1', '192.168.122.10', '192.168.122.35', '192.168.122.44', '192.168.122.43', '192.168.122.45',
    '192.168.122.42', '192.168.122.80', '192.168.122.53', '192.168.122.2', '192.168.122.89', '192.168.122.7'];

  test('GET /dhcp/192.168.122.0/unused_ip: any free host address of the subnet', async () => {
    const res = await request(app.listener).get('/dhcp/192.168.122.0/unused_ip').set('Accept', '*/*');
    expect([res.status, res.headers['content-type']]).toEqual([200, 'application/json']);
    const { ip } = JSON.parse(res.text);
    expect(res.text).toBe(`{"ip":"${ip}"}`);
    const last = Number(ip.split('.')[3]);
    expect(ip.startsWith('192.168.122.')).toBe(true);
    expect(last >= 1 && last <= 254).toBe(true);
    expect(recordIps).not.toContain(ip);
  });

  test('GET /dhcp/192.168.123.0/unused_ip: the dhcpd range is not used, the /26 host range is', async () => {
    const res = await request(app.listener).get('/dhcp/192.168.123.0/unused_ip');
    const last = Number(JSON.parse(res.text).ip.split('.')[3]);
    expect(last >= 1 && last <= 62).toBe(true);
  });

  test('from=.200&to=.201: both, then null (recently offered)', async () => {
    const path = '/dhcp/192.168.122.0/unused_ip?from=192.168.122.200&to=192.168.122.201';
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await request(app.listener).get(path)).text);
    expect(got.slice(0, 2).sort()).toEqual(['{"ip":"192.168.122.200"}', '{"ip":"192.168.122.201"}']);
    expect(got[2]).toBe('{"ip":null}');
  });
});
