/**
 * An in-memory DhcpProvider for the DHCP module's unit and route tests: the index semantics of the
 * baseline's SubnetService (records keyed by the network string as given, subnet lookup by any
 * inner address), every server call recorded, and failures injectable.
 */
import type { ProviderDeclaration } from '../../src/core/module';
import { inSubnet, ipv4ToInt, prefixLength } from '../../src/modules/dhcp/ipv4';
import {
  DhcpError, DhcpProvider, DhcpRecord, Lease, Reservation, Subnet, SubnetOptions,
} from '../../src/modules/dhcp/provider';

export function subnet(network: string, netmask: string, options: SubnetOptions = {}): Subnet {
  return { network, netmask, options };
}

export function reservation(s: Subnet, name: string, ip: string, mac: string, options: Record<string, unknown> = {}): Reservation {
  return { type: 'reservation', name, ip, mac, subnet: s, options: { deleteable: true, hostname: name, ...options } };
}

export function lease(s: Subnet, ip: string, mac: string, extra: Partial<Lease> = {}, options: Record<string, unknown> = {}): Lease {
  return {
    type: 'lease', name: `lease-${mac.replace(/[:-]/g, '')}`, ip, mac, subnet: s,
    starts: null, ends: null, state: 'active', options, ...extra,
  };
}

export class FakeDhcpProvider implements DhcpProvider {
  supportsVendorOptions = true;
  blacklistDurationSeconds?: number;
  parserOnlyOptions?: readonly string[];
  unusedIp?: DhcpProvider['unusedIp'];
  readonly calls: { op: 'add' | 'delete'; record: DhcpRecord }[] = [];
  /** Thrown (once) by the next add or delete. */
  failNext?: Error;
  private readonly subnetList: Subnet[] = [];
  private readonly hosts: Reservation[] = [];
  private readonly leaseList: Lease[] = [];

  findReservationsByIp?: DhcpProvider['findReservationsByIp'];
  findReservationByMac?: DhcpProvider['findReservationByMac'];
  findLeaseByIp?: DhcpProvider['findLeaseByIp'];
  findLeaseByMac?: DhcpProvider['findLeaseByMac'];

  /** `indexed`: also offer the optional indexed lookups (the service must give the same answers). */
  constructor(init: { subnets?: Subnet[]; reservations?: Reservation[]; leases?: Lease[]; indexed?: boolean } = {}) {
    this.subnetList.push(...(init.subnets ?? []));
    this.hosts.push(...(init.reservations ?? []));
    this.leaseList.push(...(init.leases ?? []));
    if (init.indexed) {
      this.findReservationsByIp = async (net, ip) => (await this.reservations(net)).filter((r) => r.ip === ip);
      this.findReservationByMac = async (net, mac) => (await this.reservations(net)).filter((r) => r.mac === mac).pop();
      this.findLeaseByIp = async (net, ip) => (await this.leases(net)).find((l) => l.ip === ip);
      this.findLeaseByMac = async (net, mac) => (await this.leases(net)).find((l) => l.mac === mac);
    }
  }

  async subnets(): Promise<Subnet[]> {
    return [...this.subnetList];
  }

  async findSubnet(address: string): Promise<Subnet | undefined> {
    const exact = this.subnetList.find((s) => s.network === address);
    if (exact) return exact;
    const a = ipv4ToInt(address);
    return this.subnetList
      .filter((s) => inSubnet(a, s.network, s.netmask))
      .sort((x, y) => prefixLength(y.netmask) - prefixLength(x.netmask))[0];
  }

  async reservations(network: string): Promise<Reservation[]> {
    return this.hosts.filter((r) => r.subnet.network === network);
  }

  async leases(network: string): Promise<Lease[]> {
    return this.leaseList.filter((l) => l.subnet.network === network);
  }

  private takeFailure(): void {
    const f = this.failNext;
    this.failNext = undefined;
    if (f) throw f;
  }

  async addReservation(record: Reservation): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.takeFailure();
    this.calls.push({ op: 'add', record });
    // Like a provider honouring F4: the new reservation is visible at once, replacing its MAC.
    const old = this.hosts.findIndex((h) => h.subnet.network === record.subnet.network && h.mac === record.mac);
    if (old >= 0) this.hosts.splice(old, 1);
    this.hosts.push(record);
  }

  async deleteRecord(record: DhcpRecord): Promise<void> {
    await new Promise((r) => setImmediate(r));
    this.takeFailure();
    this.calls.push({ op: 'delete', record });
    const list: DhcpRecord[] = record.type === 'reservation' ? this.hosts : this.leaseList;
    const i = list.indexOf(record);
    if (i < 0) throw new DhcpError('server', `Failed to remove DHCP reservation for ${record.name}`);
    list.splice(i, 1);
  }
}

/** A ProviderDeclaration around a given fake instance, for registries built in tests. */
export function fakeProviderDeclaration(instance: FakeDhcpProvider, name = 'dhcp_fake'): ProviderDeclaration<FakeDhcpProvider> {
  return { name, module: 'dhcp', defaultSettings: {}, start: () => ({ instance }) };
}
