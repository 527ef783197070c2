/**
 * dhcp_libvirt through the real DHCP module and core (routes, add_record rules, error mapping)
 * over a scripted libvirt (test/support/libvirt-fake.ts). The same scenarios run against a real
 * libvirtd in test/integration/dhcp/libvirt-provider.test.ts.
 */
import request from 'supertest';
import { buildRequestListener, RequestListener } from '../../../src/core/http';
import { log } from '../../../src/core/log';
import type { RuntimeInfo } from '../../../src/core/module';
import { ModuleRegistry } from '../../../src/core/registry';
import { globalSettingsFrom } from '../../../src/core/settings';
import { createDhcpModule } from '../../../src/modules/dhcp';
import { LibvirtDhcpProvider } from '../../../src/modules/dhcp/providers/libvirt/provider';
import { textBody } from '../../support/dhcp-app';
import { FakeLibvirt } from '../../support/libvirt-fake';

const NET = '10.98.0.0';
const NOW = Date.parse('2026-03-01T10:00:00Z');

let libvirt: FakeLibvirt;
let clock: number;
let listener: RequestListener;
let registry: ModuleRegistry;

async function startApp(cacheMs = 1000): Promise<void> {
  const global = globalSettingsFrom({ http_port: 8000, log_file: '/dev/null' }, '/tmp');
  const runtime: RuntimeInfo = { global, httpsConfigured: false };
  const provider = new LibvirtDhcpProvider({ client: libvirt, network: 'lvlab', cacheMs, clock: () => clock });
  registry = new ModuleRegistry([createDhcpModule()],
    [{ name: 'dhcp_libvirt_test', module: 'dhcp', defaultSettings: {}, start: () => ({ instance: provider }) }], runtime);
  await registry.initialize((name) => (name === 'dhcp' ? { enabled: true, use_provider: 'dhcp_libvirt_test', ping_free_ip: false } : undefined));
  if (registry.modules[0].state !== 'running') throw new Error('dhcp did not start');
  listener = buildRequestListener(registry, 'http', global);
}

beforeEach(async () => {
  clock = NOW;
  libvirt = new FakeLibvirt(
    [{ mac: '52:54:00:aa:bb:cc', name: 'h1', ip: '10.98.0.50' }, { mac: '52:54:00:aa:bb:cd', ip: '10.98.0.51' }],
    [' 2026-03-01 11:00:00   52:54:00:98:00:0b   ipv4   10.98.0.146/24   pool-client   -',
      ' 2026-03-01 10:30:00   52:54:00:aa:bb:cc   ipv4   10.98.0.50/24    h1   01:52:54:00:aa:bb:cc',
      ' 2026-03-01 10:45:00   52:54:00:98:00:0c   ipv6   fd00:98::10/64   v6   00:04:aa'],
  );
  await startApp();
});
afterEach(async () => {
  await registry.stop();
  jest.restoreAllMocks();
});

const get = (path: string) => request(listener).get(path).set('Accept', 'application/json').buffer(true).parse(textBody);
const post = (body: string) => request(listener).post(`/dhcp/${NET}`).set('Accept', 'application/json').type('form').send(body)
  .buffer(true).parse(textBody);
const del = (path: string) => request(listener).delete(path).buffer(true).parse(textBody);
const json = (res: request.Response) => JSON.parse(res.body);
/** Lets the read cache expire, as between two requests more than a second apart. */
const later = () => { clock += 5000; };

describe('reading', () => {
  test('GET /dhcp: the network subnet, options always {}; leases are not read', async () => {
    const res = await get('/dhcp');
    expect(res.status).toBe(200);
    expect(json(res)).toEqual([{ network: NET, netmask: '255.255.255.0', options: {} }]);
    expect([libvirt.count('dumpxml'), libvirt.count('leases')]).toEqual([1, 0]);
  });

  test('GET /dhcp/<net>: reservations from <host>, IPv4 leases with UTC times and starts = now', async () => {
    const res = await get(`/dhcp/${NET}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(JSON.stringify({
      reservations: [
        { name: 'h1', ip: '10.98.0.50', mac: '52:54:00:aa:bb:cc', subnet: '10.98.0.0/255.255.255.0', type: 'reservation', deleteable: true, hostname: 'h1' },
        { name: null, ip: '10.98.0.51', mac: '52:54:00:aa:bb:cd', subnet: '10.98.0.0/255.255.255.0', type: 'reservation', deleteable: true, hostname: null },
      ],
      leases: [
        { name: 'lease-52540098000b', ip: '10.98.0.146', mac: '52:54:00:98:00:0b', subnet: '10.98.0.0/255.255.255.0',
          starts: '2026-03-01 10:00:00 UTC', ends: '2026-03-01 11:00:00 UTC', state: 'active', type: 'lease' },
        { name: 'lease-525400aabbcc', ip: '10.98.0.50', mac: '52:54:00:aa:bb:cc', subnet: '10.98.0.0/255.255.255.0',
          starts: '2026-03-01 10:00:00 UTC', ends: '2026-03-01 10:30:00 UTC', state: 'active', type: 'lease' },
      ],
    }));
    expect(json(await get('/dhcp/10.98.0.7'))).toEqual({ reservations: [], leases: [] });
    expect((await get('/dhcp/10.99.0.0')).body).toBe('Subnet 10.99.0.0 could not found');
  });

  test('lookups by MAC and IP: the reservation first, else the lease', async () => {
    expect(json(await get(`/dhcp/${NET}/mac/52:54:00:AA:BB:CC`)).type).toBe('reservation');
    expect(json(await get(`/dhcp/${NET}/mac/52:54:00:98:00:0b`))).toMatchObject({ type: 'lease', ip: '10.98.0.146' });
    expect(json(await get(`/dhcp/${NET}/ip/10.98.0.146`))).toMatchObject([{ type: 'lease', mac: '52:54:00:98:00:0b' }]);
    expect((await get(`/dhcp/${NET}/ip/10.98.0.99`)).status).toBe(404);
  });

  test('one read per request burst: lookups and concurrent requests share it; it expires after cacheMs', async () => {
    await Promise.all([get(`/dhcp/${NET}`), get(`/dhcp/${NET}/mac/52:54:00:98:00:0b`), get('/dhcp')]);
    expect([libvirt.count('dumpxml'), libvirt.count('leases')]).toEqual([1, 1]);
    libvirt.hosts.push({ mac: '52:54:00:aa:bb:ce', name: 'outside', ip: '10.98.0.52' }); // changed behind our back
    expect(json(await get(`/dhcp/${NET}`)).reservations).toHaveLength(2);
    later();
    expect(json(await get(`/dhcp/${NET}`)).reservations).toHaveLength(3);
    expect(libvirt.count('dumpxml')).toBe(2);
  });

  test('cacheMs 0 reads libvirt for every lookup, as the Ruby provider does per request', async () => {
    await registry.stop();
    await startApp(0);
    await get(`/dhcp/${NET}/mac/52:54:00:98:00:0b`);
    expect(libvirt.count('dumpxml')).toBeGreaterThanOrEqual(3);
  });
});

describe('errors while reading: the baseline texts (the reason appended, ruby-libvirt\'s for libvirt), 400', () => {
  test('libvirt does not know the network', async () => {
    libvirt.failDump = "Network not found: no network with matching name 'lvlab'";
    const spy = jest.spyOn(log, 'error');
    const res = await get('/dhcp');
    expect([res.status, res.body]).toEqual([400,
      "Unable to parse subnets XML: Call to virNetworkLookupByName failed: Network not found: no network with matching name 'lvlab'"]);
    expect(spy.mock.calls.map((c) => c[0]).join('\n')).toContain('no network with matching name');
  });

  test('libvirt cannot be reached', async () => {
    libvirt.failDump = "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory";
    libvirt.failDumpAt = 'connect';
    expect((await get('/dhcp')).body).toBe(
      "Unable to parse subnets XML: Call to virConnectOpen failed: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory");
  });

  test('two IPv4 subnets', async () => {
    libvirt.extraXml = "\n  <ip address='10.97.0.1' prefix='24'/>";
    expect((await get('/dhcp')).body).toBe('Unable to parse subnets XML: Only one subnet is supported (the network has 2 IPv4 <ip> elements)');
  });

  test('a host the proxy cannot represent (IP outside the subnet, as libvirt accepts) fails the listing, as the baseline', async () => {
    libvirt.hosts.push({ mac: '52:54:00:aa:bb:ee', ip: '10.99.0.55' });
    const res = await get(`/dhcp/${NET}`);
    expect([res.status, res.body]).toEqual([400, 'Unable to parse reservations XML: Invalid Subnet ']);
    expect((await del(`/dhcp/${NET}/mac/52:54:00:aa:bb:cc`)).status).toBe(400);
  });

  test.each([
    ['a host given by name only', { name: 'byname', ip: '10.98.0.60' }, 'Invalid MAC '],
    ['a MAC the baseline does not accept', { mac: '52-54-00-aa-bb-ef', ip: '10.98.0.61' }, 'Invalid MAC 52-54-00-aa-bb-ef'],
    ['an IPv6 address in the IPv4 section (its subnet is checked first)', { ip: 'fd00::5' }, 'Invalid Subnet '],
  ])('%s: the baseline\'s Record check and text', async (_, host, reason) => {
    libvirt.hosts.push(host);
    expect((await get(`/dhcp/${NET}`)).body).toBe(`Unable to parse reservations XML: ${reason}`);
  });

  test('leases cannot be read: ruby-libvirt\'s text alone (the baseline does not rescue it)', async () => {
    libvirt.failLeases = 'internal error: Unable to read leases file';
    const res = await get(`/dhcp/${NET}`);
    expect([res.status, res.body]).toEqual([400, 'Call to virNetworkGetDHCPLeases failed: internal error: Unable to read leases file']);
  });
});

describe('POST /dhcp/<net>', () => {
  test('creates the reservation with net-update add-last, and a GET right after sees it', async () => {
    await get(`/dhcp/${NET}`); // warm the cache: the write must invalidate it
    const res = await post('hostname=web.example.com&name=web.example.com&mac=52:54:00:01:02:03&ip=10.98.0.60&network=10.98.0.0');
    expect([res.status, res.body, res.headers['content-type']]).toEqual([200, '', 'application/json']);
    expect(libvirt.calls.filter((c) => c.op === 'update')).toEqual([
      { op: 'update', command: 'add-last', xml: '<host mac="52:54:00:01:02:03" ip="10.98.0.60" name="web.example.com"/>' },
    ]);
    expect(json(await get(`/dhcp/${NET}/mac/52:54:00:01:02:03`))).toEqual({
      name: 'web.example.com', ip: '10.98.0.60', mac: '52:54:00:01:02:03', subnet: '10.98.0.0/255.255.255.0',
      type: 'reservation', deleteable: true, hostname: 'web.example.com',
    });
  });

  test('re-POST of the same host is 200 with nothing sent; a colliding one is 409', async () => {
    expect((await post('hostname=h1&mac=52:54:00:aa:bb:cc&ip=10.98.0.50')).status).toBe(200);
    const collide = await post('hostname=other&mac=52:54:00:00:00:99&ip=10.98.0.50');
    expect([collide.status, collide.body]).toEqual([409, 'Record 10.98.0.0/10.98.0.50 already exists']);
    expect(libvirt.count('update')).toBe(0);
  });

  test('vendor options are refused', async () => {
    const res = await post('hostname=sun&mac=52:54:00:00:00:98&ip=10.98.0.61&<SPARC-Enterprise-T5120>root_path_name=/x');
    expect([res.status, res.body]).toEqual([400, 'DHCP implementation does not support Vendor Options']);
    expect(libvirt.count('update')).toBe(0);
  });

  test.each([
    `x' ip='10.98.0.72'/><host mac='52:54:00:98:01:13' name='injected`,
    `a"/><host mac="52:54:00:98:01:13" ip="10.98.0.73" name="injected`,
    'a,ignore', 'ignore',
  ])('host name %j is refused with 400 and never reaches libvirt', async (name) => {
    const before = libvirt.xml();
    const res = await post(`name=${encodeURIComponent(name)}&hostname=h.example.com&mac=52:54:00:98:01:12&ip=10.98.0.72`);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^Invalid host name "/);
    expect(libvirt.count('update')).toBe(0);
    expect(libvirt.xml()).toBe(before);
  });

  test('libvirt refusing the update is the bare "Error adding DHCP record" (400, as the baseline 3.11); the log has libvirt\'s reason', async () => {
    libvirt.failUpdate = "XML error: Cannot parse MAC address '80:00:02:08' in network 'lvlab'";
    const spy = jest.spyOn(log, 'error');
    const res = await post('hostname=ib&mac=52:54:00:01:02:04&ip=10.98.0.62');
    expect([res.status, res.body]).toEqual([400, 'Error adding DHCP record']);
    expect(spy.mock.calls.map((c) => c[0]).join('\n')).toContain('Cannot parse MAC address');
  });

  test('filename and nextServer are accepted, not applied, and a warning says so', async () => {
    const spy = jest.spyOn(log, 'warn');
    const res = await post('hostname=pxe&mac=52:54:00:01:02:05&ip=10.98.0.63&filename=http://10.98.0.1/httpboot/grubx64.efi&nextServer=10.98.0.1');
    expect(res.status).toBe(200);
    expect(libvirt.calls.find((c) => c.op === 'update')!.xml).toBe('<host mac="52:54:00:01:02:05" ip="10.98.0.63" name="pxe"/>');
    expect(spy.mock.calls.map((c) => c[0]).join('\n')).toMatch(/filename "http:\/\/10\.98\.0\.1\/httpboot\/grubx64\.efi" and nextServer "10\.98\.0\.1" for pxe .* not applied: a libvirt network has no per-host boot file/);
  });

  test('concurrent POSTs for one address: one is created, the other refused (409, or 400 from libvirt), none is lost', async () => {
    const [a, b] = await Promise.all([
      post('hostname=c1&mac=52:54:00:01:02:06&ip=10.98.0.64'),
      post('hostname=c2&mac=52:54:00:01:02:07&ip=10.98.0.64'),
    ]);
    const [ok, refused] = [a.status, b.status].sort();
    expect(ok).toBe(200);
    expect([400, 409]).toContain(refused);
    expect(libvirt.hosts.filter((h) => h.ip === '10.98.0.64')).toHaveLength(1);
  });
});

describe('DELETE', () => {
  test('by MAC: net-update delete with the stored element; by IP likewise', async () => {
    expect((await del(`/dhcp/${NET}/mac/52:54:00:aa:bb:cc`)).status).toBe(200);
    expect((await del(`/dhcp/${NET}/ip/10.98.0.51`)).status).toBe(200);
    expect(libvirt.calls.filter((c) => c.op === 'update').map((c) => [c.command, c.xml])).toEqual([
      ['delete', '<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50" name="h1"/>'],
      ['delete', '<host mac="52:54:00:aa:bb:cd" ip="10.98.0.51"/>'],
    ]);
    expect(libvirt.hosts).toEqual([]);
    expect((await get(`/dhcp/${NET}/mac/52:54:00:aa:bb:cc`)).body).toBe(JSON.stringify({
      name: 'lease-525400aabbcc', ip: '10.98.0.50', mac: '52:54:00:aa:bb:cc', subnet: '10.98.0.0/255.255.255.0',
      starts: '2026-03-01 10:00:00 UTC', ends: '2026-03-01 10:30:00 UTC', state: 'active', type: 'lease',
    }));
  });

  test('nothing there, or an unknown subnet: 200 and nothing sent', async () => {
    expect((await del(`/dhcp/${NET}/mac/52:54:00:00:00:01`)).status).toBe(200);
    expect((await del('/dhcp/10.99.0.0/ip/10.99.0.1')).status).toBe(200);
    expect(libvirt.count('update')).toBe(0);
  });

  test('a lease cannot be deleted; libvirt refusing is "Error removing DHCP record"', async () => {
    const lease = await del(`/dhcp/${NET}/mac/52:54:00:98:00:0b`);
    expect([lease.status, lease.body]).toEqual([400, '10.98.0.146 / 52:54:00:98:00:0b is static - unable to delete']);
    libvirt.failUpdate = "couldn't locate a matching dhcp host entry in network 'lvlab'";
    const res = await del(`/dhcp/${NET}/mac/52:54:00:aa:bb:cc`);
    expect([res.status, res.body]).toEqual([400, 'Error removing DHCP record']);
  });

  test('an entry made outside the proxy with an odd name is deleted by MAC and IP', async () => {
    libvirt.hosts.push({ mac: '52:54:00:aa:bb:ef', ip: '10.98.0.53', name: 'made by hand' });
    later();
    expect((await del(`/dhcp/${NET}/mac/52:54:00:aa:bb:ef`)).status).toBe(200);
    expect(libvirt.calls.find((c) => c.op === 'update')!.xml).toBe('<host mac="52:54:00:aa:bb:ef" ip="10.98.0.53"/>');
  });
});

test('unused_ip avoids reservations and leases', async () => {
  const res = await get(`/dhcp/${NET}/unused_ip?from=10.98.0.50&to=10.98.0.52`);
  expect(json(res)).toEqual({ ip: '10.98.0.52' });
  expect(json(await get(`/dhcp/${NET}/unused_ip?mac=52:54:00:98:00:0b`))).toEqual({ ip: '10.98.0.146' });
});
