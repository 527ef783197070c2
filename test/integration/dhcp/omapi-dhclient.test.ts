/**
 * End to end on the DHCP side: a reservation written by the OMAPI client with statements from
 * statements.ts, then a real dhclient (UEFI-like, vendor class HTTPClient) in a second
 * namespace receives the reserved address, the URL boot file and option 60 "HTTPClient".
 */
import { OmapiClient } from '../../../src/modules/dhcp/providers/isc/omapi/client';
import { buildHostStatements } from '../../../src/modules/dhcp/providers/isc/omapi/statements';
import { runDhclient } from '../../support/dhclient';
import { DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { randomTestLan } from '../../support/netns';
import { omapiClientFor } from '../../support/omapi';

jest.setTimeout(90_000);

describe('OMAPI reservation seen by a real DHCP client', () => {
  const lan = randomTestLan();
  const ip = lan.ip;
  let dhcpd: DhcpdInstance;
  let client: OmapiClient;
  const MAC = '52:54:00:ee:00:0a';

  beforeAll(async () => {
    dhcpd = await startDhcpd({
      subnet: lan.cidr,
      serverIp: ip(1),
      subnetExtra: `range ${ip(100)} ${ip(150)};\n  option routers ${ip(1)};`,
      prefix: 'omapidhc',
    });
    client = omapiClientFor(dhcpd);
  });
  afterAll(async () => {
    await client?.close();
    await dhcpd?.stop();
  });

  it('an HTTP boot reservation gives the address, the URL and option 60 HTTPClient', async () => {
    const url = `http://${ip(1)}:8000/httpboot/host-a/grubx64.efi`;
    const statements = await buildHostStatements(
      { name: 'uefi-a.example.com', options: { filename: url, nextServer: ip(1) } },
      async () => null,
    );
    await client.createHost({ name: 'uefi-a.example.com', ip: ip(50), mac: MAC, hardwareType: 1, statements });

    const r = await runDhclient({ ns: dhcpd.clientNs, iface: dhcpd.clientIf, mac: MAC, vendorClass: 'HTTPClient', requestList: 'uefi' });
    expect(r.bound).toBe(true);
    expect(r.vars.new_ip_address).toBe(ip(50));
    expect(r.vars.new_filename).toBe(url);
    expect(r.vars.new_next_server).toBe(ip(1));
    expect(r.vars.new_vendor_class_identifier).toBe('HTTPClient');
    expect(r.vars.new_host_name).toBe('uefi-a.example.com');
  });

  it('after the reservation is deleted the same client gets a pool address, not the reserved one', async () => {
    await client.deleteHostByMac(MAC);
    const r = await runDhclient({ ns: dhcpd.clientNs, iface: dhcpd.clientIf, mac: MAC, vendorClass: 'HTTPClient', requestList: 'uefi' });
    expect(r.bound).toBe(true);
    const last = Number(r.vars.new_ip_address.split('.')[3]);
    expect(last).toBeGreaterThanOrEqual(100);
    expect(last).toBeLessThanOrEqual(150);
    expect(r.vars.new_vendor_class_identifier).toBeUndefined();
  });
});
