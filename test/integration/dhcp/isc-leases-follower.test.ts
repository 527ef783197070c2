/**
 * The ISC leases follower against a real dhcpd 4.4.3 (started in its own network namespaces):
 * what dhcpd itself writes to dhcpd.leases (OMAPI-created and deleted hosts, a lease handed to a
 * real dhclient, the rewrite-and-rename it does at start-up) shows up in the proxy's view.
 */
import { LeasesFollower } from '../../../src/modules/dhcp/providers/isc/leases-follower';
import { OmapiClient } from '../../../src/modules/dhcp/providers/isc/omapi/client';
import { IscState } from '../../../src/modules/dhcp/providers/isc/state';
import { recordToJson, subnetToJson } from '../../../src/modules/dhcp/records-json';
import { runDhclient } from '../../support/dhclient';
import { DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { randomTestLan } from '../../support/netns';
import { omapiClientFor } from '../../support/omapi';

jest.setTimeout(90_000);

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - started;
}

const at = (network: string, last: number) => network.replace(/\d+$/, String(last));
const hex = (ip: string) => ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':');

describe('LeasesFollower following a real dhcpd', () => {
  const lan = randomTestLan();
  const net0 = lan.network;
  let dhcpd: DhcpdInstance;
  let client: OmapiClient;
  let follower: LeasesFollower;
  const state = new IscState();
  const logged: string[] = [];
  const log = { debug: () => undefined, info: (m: string) => logged.push(m), warn: (m: string) => logged.push(m), error: (m: string) => logged.push(m) };

  beforeAll(async () => {
    dhcpd = await startDhcpd({
      subnet: lan.cidr,
      serverIp: at(net0, 1),
      subnetExtra: `option routers ${at(net0, 1)};\n  range ${at(net0, 100)} ${at(net0, 150)};`,
      key: { algorithm: 'hmac-sha256' },
      prefix: 'iscfollow',
    });
    client = omapiClientFor(dhcpd, { timeoutMs: 5000 });
    follower = new LeasesFollower({ configPath: dhcpd.confFile, leasesPath: dhcpd.leasesFile, state, log, pollIntervalMs: 500 });
    await follower.start();
  });

  afterAll(async () => {
    await follower?.stop();
    await client?.close();
    await dhcpd?.stop();
  });

  const reservation = (mac: string) => state.index.findReservationByMac(net0, mac);

  it('reads the subnet from the dhcpd.conf dhcpd runs with (key, omapi and global statements skipped)', () => {
    expect(state.index.subnets().map(subnetToJson)).toEqual([{
      network: net0, netmask: '255.255.255.0', options: { routers: [at(net0, 1)], range: [at(net0, 100), at(net0, 150)] },
    }]);
  });

  it('an OMAPI-created host appears as dhcpd wrote it, then disappears when deleted', async () => {
    const ip = at(net0, 50);
    const mac = '52:54:00:f0:11:01';
    await client.createHost({
      name: 'follow-a.example.com', ip, mac, hardwareType: 1,
      statements: `filename = "http://${at(net0, 1)}:8000/httpboot/grubx64.efi"; next-server = ${hex(at(net0, 1))}; option host-name = "follow-a.example.com";`,
    });
    const appeared = await waitFor(() => reservation(mac) !== undefined, 'the created host');
    expect(recordToJson(reservation(mac)!)).toEqual({
      name: 'follow-a.example.com', ip, mac, subnet: `${net0}/255.255.255.0`, type: 'reservation',
      deleteable: true, hostname: 'follow-a.example.com', hardware_type: 'ethernet',
      filename: `http://${at(net0, 1)}:8000/httpboot/grubx64.efi`, nextServer: at(net0, 1),
    });
    await client.deleteHostByMac(mac);
    const removed = await waitFor(() => reservation(mac) === undefined, 'the deleted host');
    logged.push(`create visible after ${appeared} ms, delete after ${removed} ms`);
    expect(follower.stats.fullLoads).toBe(1);
  });

  it('a lease handed to a real dhclient appears as an active lease', async () => {
    const mac = '52:54:00:f0:11:02';
    const result = await runDhclient({ ns: dhcpd.clientNs, iface: dhcpd.clientIf, mac });
    expect(result.bound).toBe(true);
    await waitFor(() => state.index.findLeaseByMac(net0, mac) !== undefined, 'the lease');
    const lease = state.index.findLeaseByMac(net0, mac)!;
    expect(lease).toMatchObject({ ip: result.vars.new_ip_address, state: 'active', name: 'lease-525400f01102' });
    expect(lease.ends!).toBeGreaterThan(Date.now());
    expect(recordToJson(lease)).toMatchObject({ hardware_type: 'ethernet', next_state: 'free' });
  });

  it('dhcpd\'s rewrite at start-up (new file renamed over the old) is a full reload with the same view', async () => {
    const mac = '52:54:00:f0:11:03';
    await client.createHost({ name: 'follow-b.example.com', ip: at(net0, 51), mac, hardwareType: 1, statements: 'option host-name = "follow-b.example.com";' });
    await waitFor(() => reservation(mac) !== undefined, 'the second host');
    // dhcpd's rewrite adds `tstp` to leases, so leases are compared on what identifies them.
    const view = () => JSON.stringify({
      r: state.index.allReservations(net0).map(recordToJson),
      l: state.index.allLeases(net0).map((l) => [l.ip, l.mac, l.state, l.starts, l.ends]),
    });
    const before = view();
    const loads = follower.stats.fullLoads;
    await dhcpd.restart();
    await waitFor(() => follower.stats.fullLoads > loads, 'the full reload', 10_000);
    await follower.settled();
    expect(view()).toBe(before);
    expect(reservation(mac)?.name).toBe('follow-b.example.com');
    // And appends to the rewritten file are followed.
    await client.close();
    client = omapiClientFor(dhcpd, { timeoutMs: 5000 });
    await client.deleteHostByMac(mac);
    await waitFor(() => reservation(mac) === undefined, 'a delete after the rewrite');
    expect(logged.filter((l) => /fail|Skipped/i.test(l))).toEqual([]);
  });
});
