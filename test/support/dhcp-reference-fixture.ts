/**
 * The DHCP state the reference proxy served when reference-responses.md §5 was captured, rebuilt
 * from the captured GET /dhcp and GET /dhcp/192.168.122.0 bodies (the ISC provider's own parsing of
 * the fixture files is tested elsewhere; these tests are about the routes and JSON shapes).
 */
import type { Lease, Reservation, Subnet } from '../../src/modules/dhcp/provider';
import { FakeDhcpProvider } from './fake-dhcp-provider';
import { capturedExchanges } from './reference-responses';

function time(v: unknown): number | null {
  return typeof v === 'string' ? Date.parse(v.replace(' UTC', 'Z').replace(' ', 'T')) : null;
}

export function referenceDhcpProvider(): FakeDhcpProvider {
  const captures = capturedExchanges('5. DHCP');
  const bodyOf = (title: string) => JSON.parse(captures.find((c) => c.title === title)!.body);
  const subnets: Subnet[] = bodyOf('GET /dhcp');
  const byNetwork = new Map(subnets.map((s) => [s.network, s]));
  const records = bodyOf('GET /dhcp/192.168.122.0');
  const subnetOf = (text: string) => byNetwork.get(text.split('/')[0])!;
  const reservations: Reservation[] = records.reservations.map((r: Record<string, any>) => {
    const { name, ip, mac, subnet, type: _t, ...options } = r;
    return { type: 'reservation', name, ip, mac, subnet: subnetOf(subnet), options };
  });
  const leases: Lease[] = records.leases.map((l: Record<string, any>) => {
    const { name, ip, mac, subnet, starts, ends, state, type: _t, ...options } = l;
    return { type: 'lease', name, ip, mac, subnet: subnetOf(subnet), starts: time(starts), ends: time(ends), state, options };
  });
  return new FakeDhcpProvider({ subnets, reservations, leases });
}
