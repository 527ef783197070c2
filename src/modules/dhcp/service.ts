import { log } from '../../core/log';
import { FreeIps } from './free-ips';
import { hostRange, ipv4ToInt, looseIpv4ToInt } from './ipv4';
import { DhcpError, DhcpProvider, DhcpRecord, Lease, Reservation, Subnet } from './provider';
import { isIpv4, validateIpv4, validateMac } from './validation';
import { equalReservations, PARSER_ONLY_OPTIONS } from './record-equality';
import { validateRangeInSubnet } from './subnet-index';

/** Result of `addRecord`: created on the server, or an identical reservation was already there. */
export type AddOutcome = 'created' | 'already_exists';

export interface UnusedIpQuery {
  mac?: unknown;
  from?: unknown;
  to?: unknown;
}

/** Ruby truthiness: only a missing value (nil) or `false` is false; '' and 0 are true. */
function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

/** `related_macs` as Foreman's form encoding delivers it: bare key, one value, a list or an indexed map. */
function relatedMacsOf(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value as object) : [value];
  // Lower-cased like every other MAC here (F12), so related MACs in any case are honoured.
  return list.filter((m) => typeof m === 'string' && m !== '').map((m) => (m as string).toLowerCase());
}

/** A record as the baseline writes it into messages. */
export function describeRecord(record: DhcpRecord): string {
  return record.type === 'reservation' ? `${record.name} (${record.ip} / ${record.mac})` : `${record.ip} / ${record.mac}`;
}

export function isDeleteable(record: DhcpRecord): boolean {
  return record.type === 'reservation' && truthy(record.options.deleteable);
}

/**
 * The provider-independent DHCP server logic (reference §7.4–§7.6): subnet resolution, lookups,
 * add_record's rules, deletes and the free-address search. Providers only store and fetch.
 */
export class DhcpService {
  private readonly parserOnly: ReadonlySet<string>;

  constructor(readonly provider: DhcpProvider, readonly freeIps: FreeIps) {
    this.parserOnly = new Set([...PARSER_ONLY_OPTIONS, ...(provider.parserOnlyOptions ?? [])]);
  }

  subnets(): Promise<Subnet[]> {
    return this.provider.subnets();
  }

  /** The subnet an address belongs to, or the SubnetNotFound error the routes map to 404 / 200. */
  async subnetOf(address: string): Promise<Subnet> {
    const subnet = await this.provider.findSubnet(address);
    if (!subnet) throw new DhcpError('subnet_not_found', `No such subnet: ${address}`);
    return subnet;
  }

  /** Reservations and leases, indexed by the network string *as given* (baseline quirk, §7.2 route 2). */
  async records(network: string): Promise<{ reservations: Reservation[]; leases: Lease[] }> {
    await this.subnetOf(network);
    const [reservations, leases] = await Promise.all([this.provider.reservations(network), this.provider.leases(network)]);
    return { reservations, leases };
  }

  // Indexed lookups when the provider has them, else a scan of its lists (same results).
  private async reservationByMac(network: string, mac: string): Promise<Reservation | undefined> {
    if (this.provider.findReservationByMac) return this.provider.findReservationByMac(network, mac);
    // The provider's MAC index keeps the last reservation added for a MAC.
    return (await this.provider.reservations(network)).filter((r) => r.mac === mac).pop();
  }

  private async leaseByMac(network: string, mac: string): Promise<Lease | undefined> {
    if (this.provider.findLeaseByMac) return this.provider.findLeaseByMac(network, mac);
    return (await this.provider.leases(network)).filter((l) => l.mac === mac).pop();
  }

  private async reservationsByIp(network: string, ip: string): Promise<Reservation[]> {
    if (this.provider.findReservationsByIp) return this.provider.findReservationsByIp(network, ip);
    return (await this.provider.reservations(network)).filter((r) => r.ip === ip);
  }

  private async leaseByIp(network: string, ip: string): Promise<Lease | undefined> {
    if (this.provider.findLeaseByIp) return this.provider.findLeaseByIp(network, ip);
    return (await this.provider.leases(network)).filter((l) => l.ip === ip).pop();
  }

  /** The reservation with that MAC, else the lease, else undefined. `mac` must be lower-case. */
  async findRecordByMac(network: string, mac: string): Promise<DhcpRecord | undefined> {
    await this.subnetOf(network);
    return (await this.reservationByMac(network, mac)) ?? (await this.leaseByMac(network, mac));
  }

  /** Every reservation with that IP (bonded hosts share one), else the lease for it, else []. */
  async findRecordsByIp(network: string, ip: string): Promise<DhcpRecord[]> {
    await this.subnetOf(network);
    const hosts = await this.reservationsByIp(network, ip);
    if (hosts.length) return hosts;
    const lease = await this.leaseByIp(network, ip);
    return lease ? [lease] : [];
  }

  /** Deletes one record, refusing what the DHCP server does not let us remove (static hosts, leases). */
  async deleteRecord(record: DhcpRecord): Promise<void> {
    if (!isDeleteable(record)) throw new DhcpError('invalid', `${describeRecord(record)} is static - unable to delete`);
    await this.provider.deleteRecord(record);
  }

  /** Removes every record with that IP, in turn; the first failure aborts (F11: none is skipped). */
  async deleteRecordsByIp(network: string, ip: string): Promise<void> {
    const records = [...(await this.findRecordsByIp(network, ip))];
    for (const record of records) await this.deleteRecord(record);
  }

  async deleteRecordByMac(network: string, mac: string): Promise<void> {
    const record = await this.findRecordByMac(network, mac);
    if (record) await this.deleteRecord(record);
  }

  /**
   * add_record (reference §7.4). `params` are the request's query and form values with `network`
   * already set to the URL's. Unknown parameters become record options, as in the baseline.
   */
  async addRecord(params: Record<string, unknown>): Promise<AddOutcome> {
    const { related_macs: relatedRaw, captures: _c, splat: _s, subnet: _sub, ip, mac: rawMac, name: rawName,
      hostname, network, ...rest } = params;
    const relatedMacs = relatedMacsOf(relatedRaw);
    if (relatedMacs.length) log.debug(`Ignoring duplicates for macs: ${JSON.stringify(relatedMacs)}`);

    const mac = validateMac(rawMac);
    const name = truthy(rawName) ? rawName : hostname;
    if (!truthy(name)) throw new DhcpError('invalid', 'Must provide hostname');
    const subnet = await this.provider.findSubnet(String(network));
    if (!subnet) throw new DhcpError('invalid', `No Subnet detected for: ${network ?? ''}`);
    if (Object.keys(rest).some((k) => k.startsWith('<')) && !this.provider.supportsVendorOptions) {
      throw new DhcpError('invalid', 'DHCP implementation does not support Vendor Options');
    }
    const address = validateIpv4(ip);

    // `deleteable` first (a posted `deleteable` only overrides its value, as in the baseline), then
    // the hostname option, then every other parameter in request order.
    const candidate: Reservation = {
      type: 'reservation',
      name: String(name),
      ip: address,
      mac,
      subnet,
      options: { deleteable: true, hostname: truthy(hostname) ? hostname : name, ...rest },
    };

    // Leases never conflict: dhcpd accepts a reservation over a leased address.
    const sameIp = await this.reservationsByIp(subnet.network, address);
    const sameMac = await this.reservationByMac(subnet.network, mac);
    const similar = [...new Set([...sameIp, ...(sameMac ? [sameMac] : [])])].filter((r) => !relatedMacs.includes(r.mac));

    if (similar.some((r) => equalReservations(r, candidate, this.parserOnly))) {
      log.debug('We already got the same DHCP record - skipping');
      return 'already_exists';
    }
    if (similar.length) {
      log.warn('Request to create a conflicting DHCP record');
      throw new DhcpError('collision', `Record ${subnet.network}/${address} already exists`);
    }
    await this.provider.addReservation(candidate);
    return 'created';
  }

  /**
   * unused_ip (reference §7.6): the range from `from`/`to` clamped to the host range, the MAC's
   * existing address if it lies inside, else a random free address. Route-level validation has run.
   */
  async unusedIp(network: string, query: UnusedIpQuery): Promise<string | null> {
    const subnet = await this.subnetOf(network);
    const mac = typeof query.mac === 'string' ? query.mac.toLowerCase() : undefined; // F5
    if (this.provider.unusedIp) {
      return this.provider.unusedIp(subnet, {
        mac, from: query.from as string | undefined, to: query.to as string | undefined,
      });
    }
    const { first, last } = this.rangeWithin(subnet, query.from, query.to);

    if (mac) {
      const existing = (await this.reservationByMac(subnet.network, mac)) ?? (await this.leaseByMac(subnet.network, mac));
      if (existing) {
        const at = ipv4ToInt(existing.ip);
        if (at >= first && at <= last) {
          log.debug(`Found an existing DHCP record ${describeRecord(existing)}, reusing...`);
          return existing.ip;
        }
      }
    }
    // As in the baseline, the records to avoid are looked up under the network string as given.
    if (this.provider.findReservationsByIp && this.provider.findLeaseByIp) {
      const taken = async (ip: string) => (await this.reservationsByIp(network, ip)).length > 0
        || (await this.leaseByIp(network, ip)) !== undefined;
      return this.freeIps.findFreeIp(first, last, taken);
    }
    const { reservations, leases } = await this.records(network);
    return this.freeIps.findFreeIp(first, last, new Set([...reservations, ...leases].map((r) => r.ip)));
  }

  /**
   * The search range. With both bounds, they must lie in the subnet in order; each bound is then
   * clamped to the host range. A lone bound is used unvalidated, as in the baseline.
   */
  rangeWithin(subnet: Subnet, from: unknown, to: unknown): { first: number; last: number } {
    const both = from !== undefined && from !== null && to !== undefined && to !== null;
    if (both) validateRangeInSubnet(subnet.network, subnet.netmask, validateIpv4(from), validateIpv4(to));
    const bound = (v: unknown, fallback: number) => {
      if (v === undefined || v === null) return fallback;
      const s = String(v);
      return isIpv4(s) ? ipv4ToInt(s) : looseIpv4ToInt(s);
    };
    const host = hostRange(subnet.network, subnet.netmask);
    const fromI = bound(from, 0);
    const toI = bound(to, 0xffffffff);
    return { first: Math.max(fromI, host.first), last: Math.min(toI, host.last) };
  }
}
