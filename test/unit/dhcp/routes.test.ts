/**
 * DHCP routes beyond the captured exchanges (dhcp_api_test and reference §7.2): trailing slashes,
 * HEAD, content types, method override, error mappings, the fixes F3/F5/F11/F12, concurrency.
 */
import request from 'supertest';
import { DhcpError } from '../../../src/modules/dhcp/provider';
import { dhcpTestApp, DhcpTestApp, textBody } from '../../support/dhcp-app';
import { FakeDhcpProvider, lease, reservation, subnet } from '../../support/fake-dhcp-provider';

const net = subnet('192.168.122.0', '255.255.255.0', { routers: ['192.168.122.250'] });
const MAC20 = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:ff';
let app: DhcpTestApp;

beforeEach(async () => {
  // Indexed lookups here; routes-reference.test.ts covers the list-only provider.
  app = await dhcpTestApp(new FakeDhcpProvider({
    indexed: true,
    subnets: [net, subnet('192.168.123.0', '255.255.255.192')],
    reservations: [
      reservation(net, 'ten.example.com', '192.168.122.10', '10:10:10:10:10:10', { hardware_type: 'ethernet' }),
      reservation(net, 'bond-01', '192.168.122.43', '44:1e:a1:73:36:10', { hostname: 'bond.example.com' }),
      reservation(net, 'bond-02', '192.168.122.43', '44:1e:a1:73:36:11', { hostname: 'bond.example.com' }),
    ],
    leases: [
      lease(net, '192.168.122.2', '00:aa:bb:cc:dd:ee', { starts: Date.parse('2014-07-12T10:08:29Z') }),
      lease(net, '192.168.122.3', MAC20),
    ],
  }));
});
afterEach(() => app.stop());

const get = (path: string, accept = '*/*') => request(app.listener).get(path).set('Accept', accept).buffer(true).parse(textBody);
const form = (method: 'post' | 'delete', path: string, body?: string) => {
  const r = request(app.listener)[method](path).set('Accept', 'application/json').buffer(true).parse(textBody);
  return body === undefined ? r : r.type('form').send(body);
};
const summary = (res: request.Response) => [res.status, res.headers['content-type'], res.body];

describe('paths', () => {
  test('/dhcp and /dhcp/ both list subnets', async () => {
    const a = await get('/dhcp');
    const b = await get('/dhcp/');
    expect(a.status).toBe(200);
    expect(b.body).toBe(a.body);
    expect(JSON.parse(a.body)[0]).toEqual({ network: '192.168.122.0', netmask: '255.255.255.0', options: { routers: ['192.168.122.250'] } });
  });

  test.each(['/dhcp/192.168.122.0/', '/dhcp/192.168.122.0/mac/10:10:10:10:10:10/', '/dhcp/192.168.122.0/ip/192.168.122.10/',
    '/dhcp/192.168.122.0/unused_ip/', '/dhcp/192.168.122.0/other', '/DHCP', '/dhcpx'])('%s is the generic 404', async (p) => {
    const res = await get(p);
    expect(summary(res)).toEqual([404, 'application/json', 'Requested url was not found']);
  });

  test('wrong methods are the generic 404', async () => {
    expect((await request(app.listener).put('/dhcp/192.168.122.0').buffer(true).parse(textBody)).status).toBe(404);
    expect((await request(app.listener).delete('/dhcp/192.168.122.0').buffer(true).parse(textBody)).status).toBe(404);
    expect((await form('post', '/dhcp/192.168.122.0/ip/192.168.122.10', 'a=b')).status).toBe(404);
  });

  test('HEAD answers GET routes with headers only', async () => {
    const res = await request(app.listener).head('/dhcp/192.168.122.0/mac/10:10:10:10:10:10');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect(res.text ?? '').toBe('');
  });
});

describe('content types', () => {
  test('errors are plain text: JSON type when Accept admits it, text/html otherwise', async () => {
    expect(summary(await get('/dhcp/999.1.1.1', 'application/json'))).toEqual([400, 'application/json', 'Invalid IP Address 999.1.1.1']);
    expect(summary(await get('/dhcp/999.1.1.1', 'text/html'))).toEqual([400, 'text/html;charset=utf-8', 'Invalid IP Address 999.1.1.1']);
  });

  test('POST success: 200, empty body, application/json; DELETE success: 200, empty, text/html', async () => {
    const post = await form('post', '/dhcp/192.168.122.0', 'hostname=n.example.com&ip=192.168.122.77&mac=aa:bb:cc:dd:ee:01');
    expect([...summary(post), post.headers['content-length']]).toEqual([200, 'application/json', '', '0']);
    const del = await form('delete', '/dhcp/192.168.122.0/mac/aa:bb:cc:dd:ee:01');
    expect([...summary(del), del.headers['content-length'], del.headers['x-frame-options']]).toEqual([200, 'text/html;charset=utf-8', '', '0', 'SAMEORIGIN']);
    expect(app.provider.calls.map((c) => c.op)).toEqual(['add', 'delete']);
  });
});

describe('records', () => {
  test('a created record is visible at once (F4 provider) with the JSON key order of §7.3', async () => {
    await form('post', '/dhcp/192.168.122.0', 'hostname=n.example.com&ip=192.168.122.77&mac=AA:BB:CC:DD:EE:01&nextServer=192.168.122.1&filename=pxelinux.0&related_macs');
    const res = await get('/dhcp/192.168.122.0/mac/aa:bb:cc:dd:ee:01');
    expect(res.body).toBe('{"name":"n.example.com","ip":"192.168.122.77","mac":"aa:bb:cc:dd:ee:01","subnet":"192.168.122.0/255.255.255.0","type":"reservation","deleteable":true,"hostname":"n.example.com","nextServer":"192.168.122.1","filename":"pxelinux.0"}');
  });

  test('/ip returns an array (bonded hosts), /mac an object; 20-byte MACs work', async () => {
    expect(JSON.parse((await get('/dhcp/192.168.122.0/ip/192.168.122.43')).body).map((r: any) => r.name)).toEqual(['bond-01', 'bond-02']);
    const lease20 = JSON.parse((await get(`/dhcp/192.168.122.0/mac/${MAC20.toUpperCase()}`)).body);
    expect(lease20).toMatchObject({ name: 'lease-80000208fe800000000000000002aabbccddeeff', mac: MAC20, type: 'lease', ends: null });
  });

  test('an inner address as <net> finds the subnet but lists nothing (baseline)', async () => {
    expect(summary(await get('/dhcp/192.168.122.77'))).toEqual([200, 'application/json', '{"reservations":[],"leases":[]}']);
  });

  test('lease times render as "YYYY-MM-DD HH:MM:SS UTC"', async () => {
    expect(JSON.parse((await get('/dhcp/192.168.122.0/ip/192.168.122.2')).body)[0].starts).toBe('2014-07-12 10:08:29 UTC');
  });
});

describe('POST /dhcp/<net>', () => {
  const ten = 'hostname=ten.example.com&ip=192.168.122.10&network=192.168.122.0';

  test('re-POST of an existing host: 200 no-op without hardware_type (F3) and with an upper-case MAC (F12)', async () => {
    expect(summary(await form('post', '/dhcp/192.168.122.0', `${ten}&mac=10:10:10:10:10:10`))).toEqual([200, 'application/json', '']);
    expect(summary(await form('post', '/dhcp/192.168.122.0', `${ten}&mac=10:10:10:10:10:10&hardware_type=ethernet`))).toEqual([200, 'application/json', '']);
    const bond = 'hostname=bond.example.com&name=bond-01&ip=192.168.122.43&mac=44:1E:A1:73:36:10&related_macs';
    expect(summary(await form('post', '/dhcp/192.168.122.0', bond))).toEqual([200, 'application/json', '']);
    expect(summary(await form('post', '/dhcp/192.168.122.0', `${ten}&mac=10:10:10:10:10:1a`))).toEqual([409, 'application/json', 'Record 192.168.122.0/192.168.122.10 already exists']);
    expect(app.provider.calls).toEqual([]);
  });

  test('the same MAC on another IP, upper-cased, still collides (F12)', async () => {
    expect(summary(await form('post', '/dhcp/192.168.122.0', 'hostname=x&ip=192.168.122.99&mac=44:1E:A1:73:36:10')))
      .toEqual([409, 'application/json', 'Record 192.168.122.0/192.168.122.99 already exists']);
  });

  test('related_macs exempt bond siblings; the URL network wins over the form field', async () => {
    const body = 'hostname=bond.example.com&name=bond-03&ip=192.168.122.43&mac=44:1e:a1:73:36:12&network=10.0.0.0'
      + '&related_macs[]=44:1e:a1:73:36:10&related_macs[]=44:1e:a1:73:36:11';
    expect((await form('post', '/dhcp/192.168.122.0', body)).status).toBe(200);
    expect(app.provider.calls[0].record.subnet.network).toBe('192.168.122.0');
  });

  test('SPARC vendor options and ZTP maps pass through as options; unsupported vendor options are a 400', async () => {
    const body = 'hostname=sun.example.com&ip=192.168.122.24&mac=aa:bb:cc:dd:ee:24&%3CSPARC-Enterprise-T5120%3Eroot_path_name=%2FSolaris'
      + '&ztp_vendor=huawei&ztp_firmware[core]=fw.cc&ztp_firmware[web]=web.7z';
    expect((await form('post', '/dhcp/192.168.122.0', body)).status).toBe(200);
    expect(app.provider.calls[0].record.options).toMatchObject({
      '<SPARC-Enterprise-T5120>root_path_name': '/Solaris', ztp_vendor: 'huawei', ztp_firmware: { core: 'fw.cc', web: 'web.7z' },
    });
    app.provider.supportsVendorOptions = false;
    expect(summary(await form('post', '/dhcp/192.168.122.0', body.replace('24&', '25&').replace('ee:24', 'ee:25'))))
      .toEqual([400, 'application/json', 'DHCP implementation does not support Vendor Options']);
  });

  test('provider errors: their status when set (409 hardware conflict), else 400', async () => {
    const body = 'hostname=n&ip=192.168.122.77&mac=aa:bb:cc:dd:ee:01';
    app.provider.failNext = new DhcpError('server', 'Hardware address conflict.', 409);
    expect(summary(await form('post', '/dhcp/192.168.122.0', body))).toEqual([409, 'application/json', 'Hardware address conflict.']);
    app.provider.failNext = new DhcpError('invalid', 'Value for filename cannot be sent safely');
    expect(summary(await form('post', '/dhcp/192.168.122.0', body))).toEqual([400, 'application/json', 'Value for filename cannot be sent safely']);
    app.provider.failNext = new Error('boom');
    expect(summary(await form('post', '/dhcp/192.168.122.0', body))).toEqual([400, 'application/json', 'boom']);
  });

  test('an invalid URL network is reported before anything else', async () => {
    expect(summary(await form('post', '/dhcp/192.168.122.300', 'mac=bad'))).toEqual([400, 'application/json', 'Invalid IP Address 192.168.122.300']);
  });

  test('query parameters count too, form values win', async () => {
    const res = await request(app.listener).post('/dhcp/192.168.122.0?hostname=q.example.com&ip=192.168.122.5&mac=aa:bb:cc:dd:ee:05')
      .type('form').send('ip=192.168.122.6');
    expect(res.status).toBe(200);
    expect(app.provider.calls[0].record).toMatchObject({ name: 'q.example.com', ip: '192.168.122.6' });
  });
});

describe('DELETE', () => {
  test('by IP removes every reservation with it (F11), then the IP has no records', async () => {
    expect((await form('delete', '/dhcp/192.168.122.0/ip/192.168.122.43')).status).toBe(200);
    expect(app.provider.calls.map((c) => c.record.name)).toEqual(['bond-01', 'bond-02']);
    expect(summary(await get('/dhcp/192.168.122.0/ip/192.168.122.43'))).toEqual([404, 'application/json', 'No DHCP records for IP 192.168.122.0/192.168.122.43 found']);
  });

  test('by MAC: validated as given, looked up lower-cased', async () => {
    expect(summary(await form('delete', '/dhcp/192.168.122.0/mac/ZZ:10'))).toEqual([400, 'application/json', 'Invalid MAC ZZ:10']);
    expect((await form('delete', '/dhcp/192.168.122.0/mac/44:1E:A1:73:36:10')).status).toBe(200);
    expect(app.provider.calls.map((c) => c.record.name)).toEqual(['bond-01']);
  });

  test('a lease is static; unknown subnet and unknown record are 200', async () => {
    expect(summary(await form('delete', '/dhcp/192.168.122.0/mac/00:aa:bb:cc:dd:ee'))).toEqual([400, 'application/json', '192.168.122.2 / 00:aa:bb:cc:dd:ee is static - unable to delete']);
    expect((await form('delete', '/dhcp/10.0.0.0/ip/10.0.0.1')).status).toBe(200);
    expect((await form('delete', '/dhcp/192.168.122.0/ip/192.168.122.99')).status).toBe(200);
    expect(summary(await form('delete', '/dhcp/192.168.122.0/ip/bad'))).toEqual([400, 'application/json', 'Invalid IP Address bad']);
  });
});

describe('method override (only in the DHCP app)', () => {
  test('_method=DELETE in a form POST deletes; so does X-HTTP-Method-Override', async () => {
    expect(summary(await form('post', '/dhcp/192.168.122.0/ip/192.168.122.10', '_method=DELETE'))).toEqual([200, 'text/html;charset=utf-8', '']);
    const res = await request(app.listener).post('/dhcp/192.168.122.0/mac/44:1e:a1:73:36:10').set('X-HTTP-Method-Override', 'delete').type('form').send('');
    expect(res.status).toBe(200);
    expect(app.provider.calls.map((c) => c.record.name)).toEqual(['ten.example.com', 'bond-01']);
  });

  test('_method=PUT has no route: the generic 404; _method=GET reads', async () => {
    expect(summary(await form('post', '/dhcp/192.168.122.0/mac/10:10:10:10:10:10', '_method=PUT'))).toEqual([404, 'application/json', 'Requested url was not found']);
    const read = await form('post', '/dhcp/192.168.122.0/mac/10:10:10:10:10:10', '_method=get');
    expect(JSON.parse(read.body).name).toBe('ten.example.com');
    expect((await form('post', '/dhcp', '_method=GET')).status).toBe(200);
  });
});

describe('GET /dhcp/<net>/unused_ip', () => {
  test.each([
    ['?from=192.168.122.110&to=192.168.122.100', 400, "192.168.122.110 can't be lower IP address than 192.168.122.100 - change the order?"],
    ['?from=192.168.123.1&to=192.168.122.5', 400, 'Range does not belong to provided subnet'],
    ['?from=192.168.122.300&to=192.168.122.5', 400, 'Invalid IP Address 192.168.122.300'],
    ['?from=192.168.122.1&to=392.168.122.5', 400, 'Invalid IP Address 392.168.122.5'],
    ['?mac=zz', 400, 'Invalid MAC zz'],
    ['?mac=', 400, 'Invalid MAC '],
    ['?from=bad&to=bad&mac=bad', 400, 'Invalid IP Address bad'],
  ])('%s -> %i %s', async (q, status, text) => {
    expect(summary(await get(`/dhcp/192.168.122.0/unused_ip${q}`))).toEqual([status, 'application/json', text]);
  });

  test('boundary addresses are accepted (integration_test); a lone bound is not validated', async () => {
    expect((await get('/dhcp/192.168.122.0/unused_ip?from=192.168.122.0&to=192.168.122.255')).status).toBe(200);
    expect((await get('/dhcp/192.168.122.0/unused_ip?from=garbage')).status).toBe(200);
  });

  test("the MAC's address is reused in any case (F5), as Foreman sends it (raw colons, bare '?')", async () => {
    expect((await get('/dhcp/192.168.122.0/unused_ip?mac=10:10:10:10:10:10')).body).toBe('{"ip":"192.168.122.10"}');
    expect((await get('/dhcp/192.168.122.0/unused_ip?mac=44:1E:A1:73:36:10')).body)
      .toBe('{"ip":"192.168.122.43"}');
    expect((await get('/dhcp/192.168.122.0/unused_ip?')).status).toBe(200);
  });

  test('a /31 has no host range: 400 "Zero or negative number of indices" (baseline arithmetic)', async () => {
    const a = await dhcpTestApp(new FakeDhcpProvider({ subnets: [subnet('10.9.9.0', '255.255.255.254')] }));
    try {
      const res = await request(a.listener).get('/dhcp/10.9.9.0/unused_ip').buffer(true).parse(textBody);
      expect([res.status, res.body]).toEqual([400, 'Zero or negative number of indices']);
    } finally {
      await a.stop();
    }
  });

  test('501 when the provider does not implement it; other provider errors 400', async () => {
    app.provider.unusedIp = async () => { throw new DhcpError('not_implemented', 'unused_ip is not supported'); };
    expect(summary(await get('/dhcp/192.168.122.0/unused_ip'))).toEqual([501, 'application/json', 'unused_ip is not supported']);
    app.provider.unusedIp = async () => { throw new Error('lost'); };
    expect(summary(await get('/dhcp/192.168.122.0/unused_ip'))).toEqual([400, 'application/json', 'lost']);
  });

  test('concurrent requests never get the same address; then {"ip":null}', async () => {
    const path = '/dhcp/192.168.122.0/unused_ip?from=192.168.122.100&to=192.168.122.129';
    const answers = await Promise.all(Array.from({ length: 32 }, () => get(path)));
    const ips = answers.map((r) => JSON.parse(r.body).ip);
    const given = ips.filter((ip) => ip !== null);
    expect(given).toHaveLength(30);
    expect(new Set(given).size).toBe(30);
    expect(ips.filter((ip) => ip === null)).toHaveLength(2);
  });
});

test('/v2/features shows use_provider and the module state', async () => {
  expect(app.registry.v2Features().dhcp).toEqual({
    http_enabled: true, https_enabled: true, settings: { use_provider: 'dhcp_fake' }, state: 'running', capabilities: [],
  });
});

test('a ping_free_ip that is not a boolean fails the module with the baseline text', async () => {
  await expect(dhcpTestApp(new FakeDhcpProvider(), { ping_free_ip: 'yes' })).rejects.toThrow('dhcp module did not start: failed');
});
