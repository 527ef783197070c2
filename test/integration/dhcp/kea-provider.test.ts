/**
 * The DHCP API over the dhcp_kea provider against a real Kea 2.2 (Debian kea-dhcp4-server +
 * kea-ctrl-agent with the lease_cmds hook, basic auth) in its own network namespaces: subnets and
 * options, create / read back / re-POST / collide / delete, 6- and 20-byte MACs, unused_ip, a real
 * dhclient getting the reserved address with the URL filename and option 60 (also when it does not
 * ask for option 60), 20 concurrent POSTs that all end up in Kea's running configuration and in
 * the file config-write wrote, and the baseline's texts when Kea does not answer.
 */
import request from 'supertest';
import { runDhclient } from '../../support/dhclient';
import { textBody } from '../../support/dhcp-app';
import { KeaInstance, startKea } from '../../support/kea';
import { keaTestApp, KeaTestApp } from '../../support/kea-app';
import { randomTestLan } from '../../support/netns';
import { startTestProxy } from '../../support/proxy';

jest.setTimeout(120_000);

const USER = 'foreman';
const PASSWORD = 'kea-test-password';
const STATIC_MAC = '52:54:00:00:00:99';
const MAC20 = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:01';

let kea: KeaInstance;
let app: KeaTestApp;
const lan = randomTestLan();
const net = lan.network;
const ip = lan.ip;

const get = (path: string) => request(app.listener).get(path).set('Accept', 'application/json').buffer(true).parse(textBody);
const post = (path: string, fields: Record<string, string>) => request(app.listener).post(path)
  .set('Accept', 'application/json').type('form').send(new URLSearchParams(fields).toString()).buffer(true).parse(textBody);
const del = (path: string) => request(app.listener).delete(path).set('Accept', 'application/json').buffer(true).parse(textBody);

/** One command straight to the Control Agent, as an operator's tool would send it. */
async function keaCommand(command: string, args?: unknown): Promise<any> {
  const res = await fetch(kea.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` },
    body: JSON.stringify({ command, service: ['dhcp4'], ...(args === undefined ? {} : { arguments: args }) }),
  });
  return (await res.json())[0];
}

async function keaReservations(): Promise<any[]> {
  return (await keaCommand('config-get')).arguments.Dhcp4.subnet4[0].reservations;
}

function fileReservations(): any[] {
  return kea.readDhcp4Conf().Dhcp4.subnet4[0].reservations;
}

beforeAll(async () => {
  kea = await startKea({
    subnet: lan.cidr,
    serverIp: ip(1),
    auth: { user: USER, password: PASSWORD },
    prefix: 'keaprov',
    subnetExtra: {
      pools: [{ pool: `${ip(100)} - ${ip(150)}` }],
      'option-data': [
        { name: 'routers', data: ip(1) },
        { name: 'domain-name-servers', data: `${ip(2)}, ${ip(3)}` },
        { name: 'domain-name', data: 'example.com' },
        { name: 'ntp-servers', data: ip(4) },
        { name: 'interface-mtu', data: '9000' },
      ],
    },
    // Written by the operator: no proxy user-context.
    reservations: [{ 'hw-address': STATIC_MAC, 'ip-address': ip(99), hostname: 'static.example.com', 'boot-file-name': 'pxelinux.0' }],
  });
  app = await keaTestApp({ url: kea.url, username: USER, password: PASSWORD, timeout: 5 });
  if (app.dhcp.state !== 'running') throw new Error(`dhcp module did not start: ${app.dhcp.state}\n${kea.log()}`);
});

afterAll(async () => {
  await app?.stop();
  await kea?.stop();
});

describe('reads', () => {
  test('GET /dhcp: the subnet with the options its clients get and the pool as range', async () => {
    const res = await get('/dhcp');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([{
      network: net,
      netmask: '255.255.255.0',
      options: {
        routers: [ip(1)],
        domain_name: [['example.com']],
        domain_name_servers: [ip(2), ip(3)],
        ntp_servers: [[ip(4)]],
        interface_mtu: 9000,
        range: [ip(100), ip(150)],
      },
    }]);
    expect(res.body.indexOf('"routers"')).toBeLessThan(res.body.indexOf('"range"'));
  });

  test('GET /dhcp/<net>: a reservation written by the operator, no leases yet', async () => {
    const res = await get(`/dhcp/${net}`);
    expect(res.status).toBe(200);
    expect(res.body).toBe(JSON.stringify({
      reservations: [{
        name: 'static.example.com', ip: ip(99), mac: STATIC_MAC, subnet: `${net}/255.255.255.0`, type: 'reservation',
        deleteable: true, hostname: 'static.example.com', filename: 'pxelinux.0',
      }],
      leases: [],
    }));
  });

  test('unknown subnet and inner address behave as with ISC', async () => {
    expect((await get('/dhcp/10.254.254.0')).body).toBe('Subnet 10.254.254.0 could not found');
    expect((await get('/dhcp/10.254.254.0')).status).toBe(404);
    expect(JSON.parse((await get(`/dhcp/${ip(7)}`)).body)).toEqual({ reservations: [], leases: [] });
  });

  test('the whole proxy with dhcp_kea: /v2/features shows the provider and its capabilities', async () => {
    const tp = await startTestProxy({ http_port: 'auto' }, {
      dhcp: { enabled: true, use_provider: 'dhcp_kea', ping_free_ip: false },
      dhcp_kea: { url: kea.url, username: USER, password: PASSWORD },
    });
    try {
      const features = await (await fetch(`${tp.http}/v2/features`)).json();
      expect(features.dhcp).toMatchObject({
        http_enabled: true, settings: { use_provider: 'dhcp_kea' }, state: 'running',
        capabilities: ['dhcp_filename_hostname', 'dhcp_filename_ipv4'],
      });
      const subnets = await (await fetch(`${tp.http}/dhcp`)).json();
      expect(subnets.map((s: any) => s.network)).toEqual([net]);
    } finally {
      await tp.stop();
    }
  });
});

describe('create, read back, re-POST, collide, delete', () => {
  const url = () => `http://${ip(1)}:8000/httpboot/host-a/grubx64.efi`;
  const hostA = () => ({
    hostname: 'host-a.example.com', name: 'host-a.example.com', mac: '52:54:00:AB:00:0A', ip: ip(50),
    network: net, nextServer: ip(1), filename: url(),
  });

  test('POST creates the reservation; it reads back at once with the posted options', async () => {
    const res = await post(`/dhcp/${net}`, hostA());
    expect([res.status, res.body, res.headers['content-type']]).toEqual([200, '', 'application/json']);

    const byMac = await get(`/dhcp/${net}/mac/52:54:00:ab:00:0a`);
    expect(byMac.status).toBe(200);
    expect(byMac.body).toBe(JSON.stringify({
      name: 'host-a.example.com', ip: ip(50), mac: '52:54:00:ab:00:0a', subnet: `${net}/255.255.255.0`, type: 'reservation',
      deleteable: true, hostname: 'host-a.example.com', nextServer: ip(1), filename: url(),
    }));
    const byIp = await get(`/dhcp/${net}/ip/${ip(50)}`);
    expect(JSON.parse(byIp.body)).toEqual([JSON.parse(byMac.body)]);

    // In Kea: the boot fields, option 60 always sent, and the record kept in the user-context.
    const [entry] = (await keaReservations()).filter((r) => r['hw-address'] === '52:54:00:ab:00:0a');
    expect(entry).toMatchObject({
      'ip-address': ip(50), hostname: 'host-a.example.com', 'next-server': ip(1), 'boot-file-name': url(),
      'option-data': [expect.objectContaining({ name: 'vendor-class-identifier', data: 'HTTPClient', 'always-send': true })],
    });
    // And in the file config-write wrote, with the record kept for the read-back after a Kea restart.
    const inFile = fileReservations().find((r) => r['hw-address'] === '52:54:00:ab:00:0a');
    expect(inFile['user-context']['foreman-proxy'].name).toBe('host-a.example.com');
  });

  test('re-POSTing the same host is a 200 without touching Kea', async () => {
    const sets = app.provider!.writer.sets;
    const res = await post(`/dhcp/${net}`, hostA());
    expect([res.status, res.body]).toEqual([200, '']);
    expect(app.provider!.writer.sets).toBe(sets);
  });

  test('another MAC on the same IP, or the same MAC on another IP, is a 409', async () => {
    const sameIp = await post(`/dhcp/${net}`, { ...hostA(), mac: '52:54:00:ab:00:0b', hostname: 'other', name: 'other' });
    expect([sameIp.status, sameIp.body]).toEqual([409, `Record ${net}/${ip(50)} already exists`]);
    const sameMac = await post(`/dhcp/${net}`, { ...hostA(), ip: ip(51) });
    expect([sameMac.status, sameMac.body]).toEqual([409, `Record ${net}/${ip(51)} already exists`]);
  });

  test('a next-server name is resolved to the address Kea stores; an unresolvable one is a clear 400', async () => {
    const ok = await post(`/dhcp/${net}`, { hostname: 'named.example.com', mac: '52:54:00:ab:00:0c', ip: ip(52), nextServer: 'localhost', filename: 'pxelinux.0' });
    expect(ok.status).toBe(200);
    expect((await keaReservations()).find((r) => r['hw-address'] === '52:54:00:ab:00:0c')['next-server']).toBe('127.0.0.1');
    expect(JSON.parse((await get(`/dhcp/${net}/mac/52:54:00:ab:00:0c`)).body).nextServer).toBe('localhost');

    const bad = await post(`/dhcp/${net}`, { hostname: 'bad.example.com', mac: '52:54:00:ab:00:0d', ip: ip(53), nextServer: 'no-such-host.invalid' });
    expect(bad.status).toBe(400);
    expect(bad.body).toBe(`Failed to add DHCP reservation for bad.example.com (${ip(53)} / 52:54:00:ab:00:0d): `
      + 'next-server no-such-host.invalid is neither an IPv4 address nor a name that resolves to one (Kea stores only addresses)');
  });

  test('a boot file name longer than Kea allows is a 400 naming the limit', async () => {
    const res = await post(`/dhcp/${net}`, { hostname: 'long.example.com', mac: '52:54:00:ab:00:0e', ip: ip(54), filename: `http://x/${'a'.repeat(130)}` });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/^Failed to add DHCP reservation for long\.example\.com .*: filename is 139 bytes long; Kea's limit is 127$/);
  });

  test('Kea refusing a change (a second reservation on a reserved address) is a 400 with its text', async () => {
    // related_macs lets the module pass the second host of a bond; Kea's ip-reservations-unique refuses it.
    const res = await post(`/dhcp/${net}`, {
      hostname: 'bond-02', mac: '52:54:00:ab:00:0f', ip: ip(50), 'related_macs[]': '52:54:00:ab:00:0a',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(new RegExp(`^Failed to add DHCP reservation for bond-02 \\(${ip(50).replace(/\./g, '\\.')} / 52:54:00:ab:00:0f\\): .*already a reservation for this address`));
  });

  test('a 20-byte (InfiniBand) hardware address is stored and read back', async () => {
    const res = await post(`/dhcp/${net}`, { hostname: 'ib.example.com', mac: MAC20.toUpperCase(), ip: ip(60) });
    expect(res.status).toBe(200);
    const back = JSON.parse((await get(`/dhcp/${net}/mac/${MAC20}`)).body);
    expect(back).toMatchObject({ name: 'ib.example.com', ip: ip(60), mac: MAC20, type: 'reservation' });
    expect((await keaReservations()).map((r) => r['hw-address'])).toContain(MAC20);
  });

  test('unused_ip skips reserved addresses and reuses the address of a known MAC', async () => {
    const reuse = await get(`/dhcp/${net}/unused_ip?mac=52:54:00:AB:00:0A`);
    expect(JSON.parse(reuse.body)).toEqual({ ip: ip(50) });
    const free = await get(`/dhcp/${net}/unused_ip?from=${ip(50)}&to=${ip(52)}`);
    expect(JSON.parse(free.body)).toEqual({ ip: ip(51) });
  });

  test('DELETE by MAC and by IP remove the reservations from Kea and from its file', async () => {
    expect((await del(`/dhcp/${net}/mac/${MAC20}`)).status).toBe(200);
    expect((await get(`/dhcp/${net}/mac/${MAC20}`)).status).toBe(404);
    expect((await del(`/dhcp/${net}/ip/${ip(52)}`)).status).toBe(200);
    expect((await get(`/dhcp/${net}/ip/${ip(52)}`)).body).toBe(`No DHCP records for IP ${net}/${ip(52)} found`);
    const inKea = (await keaReservations()).map((r) => r['hw-address']);
    expect(inKea).not.toContain(MAC20);
    expect(inKea).not.toContain('52:54:00:ab:00:0c');
    expect(fileReservations().map((r) => r['hw-address'])).not.toContain(MAC20);
    // Deleting what is not there is a 200, as with ISC.
    expect((await del(`/dhcp/${net}/mac/${MAC20}`)).status).toBe(200);
  });
});

describe('a real DHCP client', () => {
  const MAC = '52:54:00:ee:00:0a';
  const url = () => `http://${ip(1)}:8000/httpboot/uefi-a/grubx64.efi`;

  test('gets the reserved address, the URL as boot file and option 60 HTTPClient', async () => {
    const res = await post(`/dhcp/${net}`, { hostname: 'uefi-a.example.com', mac: MAC, ip: ip(70), nextServer: ip(1), filename: url() });
    expect(res.status).toBe(200);
    const r = await runDhclient({ ns: kea.clientNs, iface: kea.clientIf, mac: MAC, vendorClass: 'HTTPClient', requestList: 'uefi' });
    expect(r.bound).toBe(true);
    expect(r.vars.new_ip_address).toBe(ip(70));
    expect(r.vars.new_filename).toBe(url());
    expect(r.vars.new_next_server).toBe(ip(1));
    expect(r.vars.new_vendor_class_identifier).toBe('HTTPClient');
    expect(r.vars.new_host_name).toBe('uefi-a.example.com');
  });

  test('its lease shows in GET /dhcp/<net> (lease_cmds)', async () => {
    const { leases } = JSON.parse((await get(`/dhcp/${net}`)).body);
    const lease = leases.find((l: any) => l.mac === MAC);
    expect(lease).toMatchObject({ name: `lease-${MAC.replace(/:/g, '')}`, ip: ip(70), state: 'active', type: 'lease' });
    expect(lease.starts).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(Date.parse(lease.ends.replace(' UTC', 'Z')) - Date.parse(lease.starts.replace(' UTC', 'Z'))).toBe(600_000);
    // The reservation wins over the lease for lookups, as with ISC.
    expect(JSON.parse((await get(`/dhcp/${net}/mac/${MAC}`)).body).type).toBe('reservation');
  });

  test('after DELETE the same client gets a pool address (its lease on the reserved address is released)', async () => {
    expect((await del(`/dhcp/${net}/mac/${MAC}`)).status).toBe(200);
    expect((await keaCommand('lease4-get', { 'ip-address': ip(70) })).result).toBe(3);
    const r = await runDhclient({ ns: kea.clientNs, iface: kea.clientIf, mac: MAC, vendorClass: 'HTTPClient', requestList: 'uefi' });
    expect(r.bound).toBe(true);
    const last = Number(r.vars.new_ip_address.split('.')[3]);
    expect(last).toBeGreaterThanOrEqual(100);
    expect(last).toBeLessThanOrEqual(150);
    expect(r.vars.new_vendor_class_identifier).toBeUndefined();
    // Now only a lease: GET by MAC finds it, DELETE refuses it as the baseline does.
    const asLease = await get(`/dhcp/${net}/mac/${MAC}`);
    expect(JSON.parse(asLease.body).type).toBe('lease');
    const refused = await del(`/dhcp/${net}/mac/${MAC}`);
    expect([refused.status, refused.body]).toEqual([400, `${r.vars.new_ip_address} / ${MAC} is static - unable to delete`]);
  });

  test('a client that does not ask for option 60 still gets it (always-send), with the URL boot file', async () => {
    // Kea sends an option-data entry only to clients that list it in their request (option 55)
    // unless it is always-send; the reservation's option 60 must not depend on the client's list.
    const mac = '52:54:00:ee:00:0b';
    const res = await post(`/dhcp/${net}`, { hostname: 'uefi-b.example.com', mac, ip: ip(71), nextServer: ip(1), filename: url() });
    expect(res.status).toBe(200);
    const r = await runDhclient({ ns: kea.clientNs, iface: kea.clientIf, mac, vendorClass: 'HTTPClient', requestList: 'plain' });
    expect(r.bound).toBe(true);
    expect(r.vars.new_ip_address).toBe(ip(71));
    expect(r.vars.new_filename).toBe(url());
    expect(r.vars.new_vendor_class_identifier).toBe('HTTPClient');
    expect((await del(`/dhcp/${net}/mac/${mac}`)).status).toBe(200);
  });
});

describe('20 concurrent POSTs', () => {
  test('all answer 200 and all 20 reservations are in Kea and in its written file, none lost', async () => {
    const hosts = Array.from({ length: 20 }, (_, i) => ({
      hostname: `bulk-${i}.example.com`, mac: `52:54:00:cc:00:${(i + 1).toString(16).padStart(2, '0')}`, ip: ip(200 + i),
      nextServer: ip(1), filename: 'pxelinux.0',
    }));
    const setsBefore = app.provider!.writer.sets;
    const started = Date.now();
    const results = await Promise.all(hosts.map((h) => post(`/dhcp/${net}`, h)));
    const elapsed = Date.now() - started;
    expect(results.map((r) => r.status)).toEqual(hosts.map(() => 200));

    const macs = hosts.map((h) => h.mac);
    const inKea = (await keaReservations()).map((r) => r['hw-address']);
    const inFile = fileReservations().map((r) => r['hw-address']);
    expect(macs.filter((m) => !inKea.includes(m))).toEqual([]);
    expect(macs.filter((m) => !inFile.includes(m))).toEqual([]);
    // Earlier reservations survived too.
    expect(inKea).toEqual(expect.arrayContaining([STATIC_MAC, '52:54:00:ab:00:0a']));
    const listed = JSON.parse((await get(`/dhcp/${net}`)).body).reservations.map((r: any) => r.mac);
    expect(macs.filter((m) => !listed.includes(m))).toEqual([]);
    const sets = app.provider!.writer.sets - setsBefore;
    console.log(`20 concurrent POSTs: ${elapsed} ms, ${sets} config-set call(s)`);
    expect(sets).toBeLessThanOrEqual(20);
  });
});

describe('a configuration changed behind our back', () => {
  test('an operator\'s config-set between our read and our config-set is kept, and our reservation re-applied on it', async () => {
    const client = app.provider!.client;
    const original = client.command.bind(client);
    let tests = 0;
    // Right after our config-test, someone else changes the configuration (as an operator's tool would).
    client.command = (async (command: string, args?: Record<string, unknown>) => {
      const answer = await original(command, args);
      if (command === 'config-test' && ++tests === 1) {
        const config = (await keaCommand('config-get')).arguments;
        config.Dhcp4['valid-lifetime'] = 700;
        config.Dhcp4.subnet4[0].reservations.push({ 'hw-address': '52:54:00:0e:0e:01', 'ip-address': ip(90), hostname: 'operator.example.com' });
        expect((await keaCommand('config-set', config)).result).toBe(0);
      }
      return answer;
    }) as typeof client.command;
    try {
      const res = await post(`/dhcp/${net}`, { hostname: 'raced.example.com', mac: '52:54:00:0e:0e:02', ip: ip(91) });
      expect([res.status, res.body]).toEqual([200, '']);
    } finally {
      client.command = original;
    }
    expect(tests).toBe(2);
    const config = (await keaCommand('config-get')).arguments.Dhcp4;
    expect(config['valid-lifetime']).toBe(700);
    expect(config.subnet4[0].reservations.map((r: any) => r['hw-address'])).toEqual(expect.arrayContaining(['52:54:00:0e:0e:01', '52:54:00:0e:0e:02']));
    expect(kea.readDhcp4Conf().Dhcp4['valid-lifetime']).toBe(700);
  });
});

describe('Kea not answering', () => {
  test('Control Agent down: POST and DELETE give the baseline texts; reads use the last configuration', async () => {
    await kea.stopAgent();
    try {
      const add = await post(`/dhcp/${net}`, { hostname: 'down.example.com', mac: '52:54:00:dd:00:01', ip: ip(80) });
      expect([add.status, add.body]).toEqual([400, `Failed to add DHCP reservation for down.example.com (${ip(80)} / 52:54:00:dd:00:01): No response from DHCP server`]);
      const rm = await del(`/dhcp/${net}/mac/52:54:00:ab:00:0a`);
      expect([rm.status, rm.body]).toEqual([400,
        `Failed to remove DHCP reservation for host-a.example.com => host-a.example.com (${ip(50)} / 52:54:00:ab:00:0a): No response from DHCP server`]);
      expect((await get('/dhcp')).status).toBe(200);
    } finally {
      await kea.startAgent();
    }
  });

  test('kea-dhcp4 down behind a running agent: the same texts', async () => {
    await kea.stopDhcp4();
    try {
      const add = await post(`/dhcp/${net}`, { hostname: 'down.example.com', mac: '52:54:00:dd:00:01', ip: ip(80) });
      expect([add.status, add.body]).toEqual([400, `Failed to add DHCP reservation for down.example.com (${ip(80)} / 52:54:00:dd:00:01): No response from DHCP server`]);
    } finally {
      await kea.startDhcp4();
    }
    // Back up: the write goes through, and Kea still has everything written before the outage.
    const add = await post(`/dhcp/${net}`, { hostname: 'down.example.com', mac: '52:54:00:dd:00:01', ip: ip(80) });
    expect(add.status).toBe(200);
    expect((await keaReservations()).map((r) => r['hw-address'])).toEqual(expect.arrayContaining(['52:54:00:dd:00:01', '52:54:00:cc:00:14']));
    // kea-dhcp4 restarted from the file config-write wrote: the proxy's records read back as posted.
    await new Promise((r) => setTimeout(r, 2100));
    expect(JSON.parse((await get(`/dhcp/${net}/mac/52:54:00:ab:00:0a`)).body)).toEqual({
      name: 'host-a.example.com', ip: ip(50), mac: '52:54:00:ab:00:0a', subnet: `${net}/255.255.255.0`, type: 'reservation',
      deleteable: true, hostname: 'host-a.example.com', nextServer: ip(1), filename: `http://${ip(1)}:8000/httpboot/host-a/grubx64.efi`,
    });
  });
});
