/**
 * The native OMAPI client against a real dhcpd 4.4.3 started in its own network namespace.
 */
import * as fs from 'fs';
import * as net from 'net';
import { OmapiClient, OmapiError } from '../../../src/modules/dhcp/providers/isc/omapi/client';
import { DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { randomTestLan } from '../../support/netns';
import { omapiClientFor } from '../../support/omapi';

jest.setTimeout(60_000);

function subnetHost(network: string, last: number): string {
  return network.replace(/\d+$/, String(last));
}

async function expectOmapiError(p: Promise<unknown>, kind: OmapiError['kind']): Promise<OmapiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OmapiError);
    expect((e as OmapiError).kind).toBe(kind);
    return e as OmapiError;
  }
  throw new Error(`expected an OmapiError of kind ${kind}, but the call succeeded`);
}

describe('OmapiClient against dhcpd (HMAC-MD5 key)', () => {
  const lan = randomTestLan();
  const net0 = lan.network;
  let dhcpd: DhcpdInstance;
  let client: OmapiClient;

  beforeAll(async () => {
    dhcpd = await startDhcpd({
      subnet: lan.cidr,
      serverIp: lan.ip(1),
      subnetExtra: `range ${lan.ip(100)} ${lan.ip(150)};`,
      key: { algorithm: 'hmac-md5' },
      prefix: 'omapicli',
    });
    client = omapiClientFor(dhcpd, { timeoutMs: 5000 });
  });

  afterAll(async () => {
    await client?.close();
    await dhcpd?.stop();
  });

  it('creates a host, reads it back by MAC and by name, and dhcpd has written it', async () => {
    const ip = subnetHost(net0, 50);
    const statements = `filename = "http://${subnetHost(net0, 1)}:8000/httpboot/grubx64.efi"; option host-name = "host-a.example.com";`;
    const created = await client.createHost({
      name: 'host-a.example.com',
      ip,
      mac: '52:54:00:aa:00:01',
      hardwareType: 1,
      statements,
    });
    expect(created).toMatchObject({ name: 'host-a.example.com', ip, mac: '52:54:00:aa:00:01', hardwareType: 1 });
    expect(created.handle).toBeGreaterThan(0);

    const byMac = await client.lookupHost({ mac: '52:54:00:AA:00:01' });
    expect(byMac).toMatchObject({ name: 'host-a.example.com', ip, mac: '52:54:00:aa:00:01' });
    const byName = await client.lookupHost({ name: 'host-a.example.com' });
    expect(byName).toMatchObject({ ip, mac: '52:54:00:aa:00:01' });

    // Written before the reply: no wait needed.
    const leases = fs.readFileSync(dhcpd.leasesFile, 'utf8');
    expect(leases).toContain('host host-a.example.com {');
    expect(leases).toContain('hardware ethernet 52:54:00:aa:00:01;');
    expect(leases).toContain(`fixed-address ${ip};`);
    expect(leases).toMatch(/supersede server.filename =\s+"http:\/\/[\d.]+:8000\/httpboot\/grubx64.efi";/);
    expect(leases).toContain('supersede host-name = "host-a.example.com";');
  });

  it('a second create of the same host → exists; a new name with that MAC → conflict', async () => {
    const host = { name: 'host-b', ip: subnetHost(net0, 51), mac: '52:54:00:aa:00:02', hardwareType: 1 };
    await client.createHost(host);
    const again = await expectOmapiError(client.createHost(host), 'exists');
    expect(again.result).toBe(18);
    const clash = await expectOmapiError(client.createHost({ ...host, name: 'host-b-other' }), 'conflict');
    expect(clash.result).toBe(0x60007);
  });

  it('deletes by MAC; deleting again → not_found; lookup → null', async () => {
    const host = { name: 'host-c', ip: subnetHost(net0, 52), mac: '52:54:00:aa:00:03', hardwareType: 1 };
    await client.createHost(host);
    await client.deleteHostByMac(host.mac);
    expect(await client.lookupHost({ mac: host.mac })).toBeNull();
    await expectOmapiError(client.deleteHostByMac(host.mac), 'not_found');
    const leases = fs.readFileSync(dhcpd.leasesFile, 'utf8');
    expect(leases).toMatch(/host host-c {\s+dynamic;\s+deleted;\s+}/);
    // The name is free again.
    await client.createHost(host);
    await client.deleteHostByMac(host.mac);
  });

  it('accepts a 20-byte (InfiniBand-style) hardware address sent as type 1, like the baseline', async () => {
    const mac = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:aa:bb:cc';
    const h = await client.createHost({ name: 'ib-host', ip: subnetHost(net0, 53), mac, hardwareType: 1 });
    expect(h.mac).toBe(mac);
    expect(await client.lookupHost({ mac })).toMatchObject({ name: 'ib-host', mac });
    expect(fs.readFileSync(dhcpd.leasesFile, 'utf8')).toContain(`hardware ethernet ${mac};`);
    await client.deleteHostByMac(mac);
    expect(await client.lookupHost({ mac })).toBeNull();
  });

  it('hardware-type 32 (InfiniBand) is accepted; such a host is found only with its type', async () => {
    const mac = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:aa:bb:dd';
    await client.createHost({ name: 'ib32-host', ip: subnetHost(net0, 54), mac, hardwareType: 32 });
    expect(fs.readFileSync(dhcpd.leasesFile, 'utf8')).toContain(`hardware infiniband ${mac};`);
    expect(await client.lookupHost({ mac })).toBeNull();
    expect(await client.lookupHost({ mac, hardwareType: 32 })).toMatchObject({ name: 'ib32-host', hardwareType: 32 });
    await expectOmapiError(client.deleteHostByMac(mac), 'not_found');
    await client.deleteHostByMac(mac, 32);
    expect(await client.lookupHost({ mac, hardwareType: 32 })).toBeNull();
  });

  it('serialises 20 concurrent creates on one connection, all succeed', async () => {
    const hosts = Array.from({ length: 20 }, (_, i) => ({
      name: `bulk-${i}`,
      ip: subnetHost(net0, 160 + i),
      mac: `52:54:00:bb:00:${i.toString(16).padStart(2, '0')}`,
      hardwareType: 1,
      statements: `option host-name = "bulk-${i}";`,
    }));
    const results = await Promise.all(hosts.map((h) => client.createHost(h)));
    expect(results.map((r) => r.name)).toEqual(hosts.map((h) => h.name));
    await Promise.all(hosts.map((h) => client.deleteHostByMac(h.mac)));
    for (const h of hosts) expect(await client.lookupHost({ mac: h.mac })).toBeNull();
  });

  it('reconnects after dhcpd restarted (the old connection is dead)', async () => {
    await client.lookupHost({ mac: '52:54:00:aa:00:02' });
    await dhcpd.restart();
    const h = await client.lookupHost({ mac: '52:54:00:aa:00:02' });
    expect(h).toMatchObject({ name: 'host-b' });
  });

  it('wrong secret → auth, and the client stays usable with the right one', async () => {
    const bad = new OmapiClient({
      host: dhcpd.omapiHost,
      port: dhcpd.omapiPort,
      keyName: dhcpd.key!.name,
      keySecret: Buffer.from('definitely the wrong secret').toString('base64'),
      timeoutMs: 5000,
    });
    const e = await expectOmapiError(bad.lookupHost({ mac: '52:54:00:aa:00:02' }), 'auth');
    expect(e.result).toBe(0x6000b);
    await expectOmapiError(bad.createHost({ name: 'x', ip: subnetHost(net0, 90), mac: '52:54:00:aa:00:90', hardwareType: 1 }), 'auth');
    await bad.close();
    expect(await client.lookupHost({ mac: '52:54:00:aa:00:90' })).toBeNull();
  });

  it('unknown key name → auth; no key at all → auth; wrong algorithm → auth', async () => {
    const cases = [
      { keyName: 'no_such_key', keySecret: dhcpd.key!.secret },
      {},
      { keyName: dhcpd.key!.name, keySecret: dhcpd.key!.secret, keyAlgorithm: 'hmac-sha256' },
    ];
    for (const c of cases) {
      const other = new OmapiClient({ host: dhcpd.omapiHost, port: dhcpd.omapiPort, timeoutMs: 5000, ...c });
      await expectOmapiError(other.lookupHost({ mac: '52:54:00:aa:00:02' }), 'auth');
      await other.close();
    }
  });

  it('nothing listening → unreachable', async () => {
    const c = new OmapiClient({ host: dhcpd.omapiHost, port: 7999, timeoutMs: 3000 });
    await expectOmapiError(c.lookupHost({ mac: '52:54:00:aa:00:02' }), 'unreachable');
    await c.close();
  });

  it('a server that accepts TCP but never answers → timeout, within the limit', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const c = new OmapiClient({ host: '127.0.0.1', port, timeoutMs: 500, keyName: 'k', keySecret: 'AAAA' });
    const t0 = Date.now();
    await expectOmapiError(c.lookupHost({ mac: '52:54:00:aa:00:02' }), 'timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
    await c.close();
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => silent.close(r));
  });
});

describe.each(['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'])(
  'OmapiClient against dhcpd with an %s key',
  (algorithm) => {
    let dhcpd: DhcpdInstance;

    beforeAll(async () => {
      const lan = randomTestLan();
      dhcpd = await startDhcpd({ subnet: lan.cidr, serverIp: lan.ip(1), key: { algorithm }, prefix: 'omapialg' });
    });
    afterAll(async () => {
      await dhcpd?.stop();
    });

    it('creates, looks up and deletes a host', async () => {
      const c = omapiClientFor(dhcpd, { timeoutMs: 5000 });
      const ip = subnetHost(dhcpd.subnet.network, 20);
      await c.createHost({ name: 'alg-host', ip, mac: '52:54:00:cc:00:01', hardwareType: 1 });
      expect(await c.lookupHost({ name: 'alg-host' })).toMatchObject({ ip });
      await c.deleteHostByMac('52:54:00:cc:00:01');
      expect(await c.lookupHost({ name: 'alg-host' })).toBeNull();
      await c.close();
    });
  },
);
