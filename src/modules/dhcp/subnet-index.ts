import { inSubnet, ipv4ToInt } from './ipv4';
import { DhcpError, Lease, Reservation, Subnet, SubnetOptions } from './provider';
import { isIpv4, validateIpv4 } from './validation';

/**
 * An in-memory view of a DHCP server's subnets and records (reference §7.5), for providers that
 * read their server's state rather than query it per request (ISC, and any file-based backend).
 *
 * - Subnets are keyed by the integer of their network address; lookup by any inner address.
 * - Reservations: by (network, ip) → list (bonded hosts share an IP), by (network, mac) → one,
 *   by name → one (global, last added wins).
 * - Leases: by (network, ip) and by (network, mac).
 * Record keys use the subnet's network *string*, so a lookup with an inner address of a known
 * subnet finds no records (observed baseline behaviour). Listing order is insertion order per IP
 * key, which is what the baseline's responses show.
 */
export class SubnetIndex {
  private readonly subnetsByInt = new Map<number, Subnet>();
  private readonly reservationsByIp = new Map<string, Map<string, Reservation[]>>();
  private readonly reservationsByMac = new Map<string, Map<string, Reservation>>();
  private readonly reservationsByName = new Map<string, Reservation>();
  private readonly leasesByIp = new Map<string, Map<string, Lease>>();
  private readonly leasesByMac = new Map<string, Map<string, Lease>>();

  addSubnet(subnet: Subnet): void {
    const key = ipv4ToInt(subnet.network);
    if (this.subnetsByInt.has(key)) throw new DhcpError('invalid', `Unable to add subnet ${subnet.network}/${subnet.netmask}`);
    this.subnetsByInt.set(key, subnet);
  }

  deleteSubnet(network: string): void {
    if (isIpv4(network)) this.subnetsByInt.delete(ipv4ToInt(network));
  }

  /** All subnets, in the order they were added. */
  subnets(): Subnet[] {
    return [...this.subnetsByInt.values()];
  }

  /**
   * The subnet whose network is `address`; otherwise, clearing the address's low bits one at a
   * time (bit 0 up to bit 31), the first subnet found at that network that contains the address.
   */
  findSubnet(address: string): Subnet | undefined {
    if (!isIpv4(address)) return undefined;
    const value = ipv4ToInt(address);
    const exact = this.subnetsByInt.get(value);
    if (exact) return exact;
    let search = value;
    for (let bit = 0; bit < 32; bit++) {
      search = (search & ~(1 << bit)) >>> 0;
      const candidate = this.subnetsByInt.get(search);
      if (candidate && inSubnet(value, candidate.network, candidate.netmask)) return candidate;
    }
    return undefined;
  }

  addReservation(record: Reservation): void {
    const net = record.subnet.network;
    const byIp = nested(this.reservationsByIp, net);
    const list = byIp.get(record.ip);
    if (list) list.push(record);
    else byIp.set(record.ip, [record]);
    nested(this.reservationsByMac, net).set(record.mac, record);
    this.reservationsByName.set(record.name, record);
  }

  deleteReservation(record: Reservation): void {
    const net = record.subnet.network;
    const byIp = this.reservationsByIp.get(net);
    const list = byIp?.get(record.ip);
    if (byIp && list) {
      const rest = list.filter((r) => r !== record);
      if (rest.length) byIp.set(record.ip, rest);
      else byIp.delete(record.ip);
    }
    const byMac = this.reservationsByMac.get(net);
    if (byMac?.get(record.mac) === record) byMac.delete(record.mac);
    // Another reservation may have taken the name since (last wins); leave that one findable.
    if (this.reservationsByName.get(record.name) === record) this.reservationsByName.delete(record.name);
  }

  addLease(record: Lease): void {
    const net = record.subnet.network;
    nested(this.leasesByIp, net).set(record.ip, record);
    nested(this.leasesByMac, net).set(record.mac, record);
  }

  deleteLease(record: Lease): void {
    const net = record.subnet.network;
    const byIp = this.leasesByIp.get(net);
    if (byIp?.get(record.ip) === record) byIp.delete(record.ip);
    const byMac = this.leasesByMac.get(net);
    if (byMac?.get(record.mac) === record) byMac.delete(record.mac);
  }

  findReservationsByIp(network: string, ip: string): Reservation[] {
    return [...(this.reservationsByIp.get(network)?.get(ip) ?? [])];
  }

  findReservationByMac(network: string, mac: string): Reservation | undefined {
    return this.reservationsByMac.get(network)?.get(mac);
  }

  findReservationByName(name: string): Reservation | undefined {
    return this.reservationsByName.get(name);
  }

  findLeaseByIp(network: string, ip: string): Lease | undefined {
    return this.leasesByIp.get(network)?.get(ip);
  }

  findLeaseByMac(network: string, mac: string): Lease | undefined {
    return this.leasesByMac.get(network)?.get(mac);
  }

  /** Reservations of the subnet whose network string is `network` (all subnets when omitted). */
  allReservations(network?: string): Reservation[] {
    const maps = network === undefined ? [...this.reservationsByIp.values()] : [this.reservationsByIp.get(network)];
    const out: Reservation[] = [];
    for (const byIp of maps) if (byIp) for (const list of byIp.values()) out.push(...list);
    return out;
  }

  /** Leases of the subnet whose network string is `network` (all subnets when omitted). */
  allLeases(network?: string): Lease[] {
    const maps = network === undefined ? [...this.leasesByIp.values()] : [this.leasesByIp.get(network)];
    const out: Lease[] = [];
    for (const byIp of maps) if (byIp) out.push(...byIp.values());
    return out;
  }

  /** Counts, for logs. */
  size(): { subnets: number; reservations: number; leases: number } {
    let reservations = 0;
    for (const byIp of this.reservationsByIp.values()) for (const list of byIp.values()) reservations += list.length;
    let leases = 0;
    for (const byIp of this.leasesByIp.values()) leases += byIp.size;
    return { subnets: this.subnetsByInt.size, reservations, leases };
  }

  clear(): void {
    this.subnetsByInt.clear();
    this.reservationsByIp.clear();
    this.reservationsByMac.clear();
    this.reservationsByName.clear();
    this.leasesByIp.clear();
    this.leasesByMac.clear();
  }
}

function nested<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (!inner) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}

/** Options a subnet may carry (reference §7.5); `interface_mtu` arrives as value groups. */
export interface SubnetOptionsInput {
  routers?: string[];
  domain_name?: unknown;
  domain_name_servers?: string[];
  ntp_servers?: unknown;
  interface_mtu?: unknown;
  range?: [string | undefined, string | undefined];
}

/** Ruby's String#to_i: leading optional sign and digits, else 0. */
function rubyToI(value: unknown): number {
  const m = /^\s*([+-]?\d+)/.exec(String(value ?? ''));
  return m ? parseInt(m[1], 10) : 0;
}

function firstLeaf(value: unknown): unknown {
  let v = value;
  while (Array.isArray(v)) v = v[0];
  return v;
}

/**
 * Builds a subnet the way the baseline's Subnet model does: network and netmask must be IPv4
 * addresses, every router too; a range must lie in the subnet with from ≤ to; only the six known
 * option keys are kept, in their fixed order; `interface_mtu` becomes the integer of its first value.
 * Failures raise DhcpError('invalid') with the baseline's texts.
 */
export function createSubnet(network: string, netmask: string, input: SubnetOptionsInput = {}): Subnet {
  validateIpv4(network);
  validateIpv4(netmask);
  const options: SubnetOptions = {};
  if (input.routers) {
    input.routers.forEach((r) => validateIpv4(r));
    options.routers = input.routers;
  }
  if (input.domain_name) options.domain_name = input.domain_name;
  if (input.domain_name_servers) options.domain_name_servers = input.domain_name_servers;
  if (input.ntp_servers) options.ntp_servers = input.ntp_servers;
  if (input.interface_mtu !== undefined && input.interface_mtu !== null) options.interface_mtu = rubyToI(firstLeaf(input.interface_mtu));
  const range = input.range;
  if (range && range[0] && range[1]) {
    validateRangeInSubnet(network, netmask, range[0], range[1]);
    options.range = [range[0], range[1]];
  }
  return { network, netmask, options };
}

/** The baseline's range check: both ends valid, inside the subnet, and in order. */
export function validateRangeInSubnet(network: string, netmask: string, from: string, to: string): void {
  validateIpv4(from);
  validateIpv4(to);
  const a = ipv4ToInt(from);
  const b = ipv4ToInt(to);
  if (!inSubnet(a, network, netmask) || !inSubnet(b, network, netmask)) {
    throw new DhcpError('invalid', 'Range does not belong to provided subnet');
  }
  if (a > b) throw new DhcpError('invalid', `${from} can't be lower IP address than ${to} - change the order?`);
}
