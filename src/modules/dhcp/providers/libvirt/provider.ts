/**
 * The `dhcp_libvirt` provider (reference §7.9): one libvirt network's IPv4 subnet, its
 * `<dhcp><host>` entries as reservations and its DHCP leases, read through virsh; reservations
 * added and removed with `net-update … ip-dhcp-host --live --config`.
 *
 * State: libvirt is the only source of truth, read again for every request as the Ruby provider
 * does, with one refinement. A request makes several lookups (subnet, by IP, by MAC), so a read is
 * shared for `cacheMs` (default 1 s) by the lookups and requests that fall within it, and thrown
 * away as soon as one of our own updates has finished (success or not). Changes made behind the
 * proxy's back (virsh, virt-manager, new leases) are therefore visible after at most `cacheMs`.
 * Leases are read only when a lookup needs them (not for GET /dhcp nor for a POST's checks).
 */
import { log } from '../../../../core/log';
import { DhcpError, DhcpProvider, DhcpRecord, Lease, Reservation, Subnet } from '../../provider';
import { SubnetIndex } from '../../subnet-index';
import { isIpv4, validateIpv4, validateMac } from '../../validation';
import { parseLeaseTable } from './leases';
import { RecentValue } from './recent-value';
import { LibvirtNetworkClient, VirshError } from './virsh';
import { deleteElementXml, DhcpHostEntry, hostElementXml, parseNetworkXml } from './xml';

export interface LibvirtProviderOptions {
  client: LibvirtNetworkClient;
  /** The libvirt network's name (setting `network`). */
  network: string;
  /** How long one read of the network (and of its leases) is shared; 0 reads for every lookup. */
  cacheMs?: number;
  clock?: () => number;
}

interface NetworkState {
  subnets: Subnet[];
  /** Subnets and reservations. */
  index: SubnetIndex;
}

function detail(err: unknown): string {
  return err instanceof VirshError ? err.libvirtMessage : err instanceof Error ? err.message : String(err);
}

/** The reason the baseline appends to its read errors: the exception's own text (ruby-libvirt's for libvirt). */
function baselineReason(err: unknown): string {
  return err instanceof VirshError ? err.rubyLibvirtMessage : detail(err);
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== '';
}

export class LibvirtDhcpProvider implements DhcpProvider {
  /** Names starting with `<` (SPARC vendor options) cannot be stored in a libvirt network. */
  readonly supportsVendorOptions = false;
  private readonly client: LibvirtNetworkClient;
  private readonly network: string;
  private readonly clock: () => number;
  private readonly state: RecentValue<NetworkState>;
  private readonly leaseIndex: RecentValue<SubnetIndex>;

  constructor(opts: LibvirtProviderOptions) {
    this.client = opts.client;
    this.network = opts.network;
    this.clock = opts.clock ?? Date.now;
    const ttl = opts.cacheMs ?? 1000;
    this.state = new RecentValue(() => this.readNetwork(), ttl, this.clock);
    this.leaseIndex = new RecentValue(() => this.readLeases(), ttl, this.clock);
  }

  // ---------------------------------------------------------------- reading libvirt

  private async readNetwork(): Promise<NetworkState> {
    let parsed;
    try {
      parsed = parseNetworkXml(await this.client.dumpXml(this.network));
    } catch (err) {
      // The baseline answers `Unable to parse subnets XML: #{e}` (subnet_service_initializer.rb).
      const text = `Unable to parse subnets XML: ${baselineReason(err)}`;
      log.error(`dhcp_libvirt: libvirt network '${this.network}': ${text}`);
      throw new DhcpError('server', text);
    }
    const index = new SubnetIndex();
    const subnets: Subnet[] = parsed.subnets.map((s) => ({ network: s.network, netmask: s.netmask, options: {} }));
    for (const s of subnets) index.addSubnet(s);
    for (const host of parsed.hosts) {
      try {
        index.addReservation(this.reservationOf(host, index));
      } catch (err) {
        // As in the baseline, one entry the proxy cannot represent makes the whole listing fail,
        // with `Unable to parse reservations XML: #{e}`; the log says which entry, so the operator
        // can fix it with virsh.
        const text = `Unable to parse reservations XML: ${detail(err)}`;
        log.error(`dhcp_libvirt: the DHCP host ${JSON.stringify(host)} of libvirt network '${this.network}': ${text}`);
        throw new DhcpError('server', text);
      }
    }
    return { subnets, index };
  }

  /**
   * The baseline's checks and texts, in its order (Proxy::DHCP::Record): the subnet of the IP
   * first (`Invalid Subnet ` with nothing after it when there is none: an IP outside the network's
   * subnet, as libvirt accepts, or an IPv6 one), then the MAC (`Invalid MAC <mac>`, e.g. a host
   * given by name only).
   */
  private reservationOf(host: DhcpHostEntry, index: SubnetIndex): Reservation {
    const subnet = isIpv4(host.ip) ? index.findSubnet(host.ip) : undefined;
    if (!subnet) throw new Error('Invalid Subnet ');
    const ip = validateIpv4(host.ip);
    const mac = validateMac(host.mac);
    const name = host.name ?? null;
    // A host without a name shows `"name":null`, as the Ruby proxy's JSON does.
    return { type: 'reservation', name: name as string, ip, mac, subnet, options: { deleteable: true, hostname: name } };
  }

  private async readLeases(): Promise<SubnetIndex> {
    const { subnets } = await this.state.get();
    let stdout: string;
    try {
      stdout = await this.client.dhcpLeases(this.network);
    } catch (err) {
      // Not rescued by the baseline: the route answers ruby-libvirt's own text.
      log.error(`dhcp_libvirt: cannot read the DHCP leases of libvirt network '${this.network}': ${detail(err)}`);
      throw new DhcpError('server', baselineReason(err));
    }
    let rows;
    try {
      rows = parseLeaseTable(stdout);
    } catch (err) {
      log.error(`dhcp_libvirt: ${detail(err)}`);
      throw new DhcpError('server', 'Unable to parse the DHCP leases');
    }
    const now = this.clock();
    const index = new SubnetIndex();
    for (const s of subnets) index.addSubnet(s);
    for (const row of rows) {
      // IPv6 leases (a network with a DHCPv6 range) are outside this IPv4-only provider.
      if (row.family !== 'ipv4') continue;
      const ip = validateIpv4(row.ip);
      const mac = validateMac(row.mac);
      const subnet = index.findSubnet(ip);
      if (!subnet) {
        log.debug(`dhcp_libvirt: lease ${ip} / ${mac} lies outside the network's subnet; not listed`);
        continue;
      }
      const lease: Lease = {
        type: 'lease', name: `lease-${mac.replace(/:/g, '')}`, ip, mac, subnet,
        starts: now, ends: row.expiry.getTime(), state: 'active', options: {},
      };
      index.addLease(lease);
    }
    return index;
  }

  private invalidate(): void {
    this.state.invalidate();
    this.leaseIndex.invalidate();
  }

  // ---------------------------------------------------------------- DhcpProvider

  async subnets(): Promise<Subnet[]> {
    return [...(await this.state.get()).subnets];
  }

  async findSubnet(address: string): Promise<Subnet | undefined> {
    return (await this.state.get()).index.findSubnet(address);
  }

  async reservations(network: string): Promise<Reservation[]> {
    return (await this.state.get()).index.allReservations(network);
  }

  async leases(network: string): Promise<Lease[]> {
    return (await this.leaseIndex.get()).allLeases(network);
  }

  async findReservationsByIp(network: string, ip: string): Promise<Reservation[]> {
    return (await this.state.get()).index.findReservationsByIp(network, ip);
  }

  async findReservationByMac(network: string, mac: string): Promise<Reservation | undefined> {
    return (await this.state.get()).index.findReservationByMac(network, mac);
  }

  async findLeaseByIp(network: string, ip: string): Promise<Lease | undefined> {
    return (await this.leaseIndex.get()).findLeaseByIp(network, ip);
  }

  async findLeaseByMac(network: string, mac: string): Promise<Lease | undefined> {
    return (await this.leaseIndex.get()).findLeaseByMac(network, mac);
  }

  async addReservation(record: Reservation): Promise<void> {
    // Refuses unsafe names (400 with a clear text) before anything reaches libvirt.
    const xml = hostElementXml({ mac: record.mac, ip: record.ip, name: record.name });
    this.warnUnappliedBootOptions(record);
    try {
      await this.client.updateDhcpHost(this.network, 'add-last', xml);
    } catch (err) {
      log.error(`Error adding DHCP record ${record.name} (${record.ip} / ${record.mac}) to libvirt network '${this.network}': ${detail(err)}`);
      // Unlike its read errors, the baseline (3.11, dhcp_libvirt_main.rb) only logs libvirt's
      // reason for a failed update and answers the bare text.
      throw new DhcpError('server', 'Error adding DHCP record');
    } finally {
      this.invalidate();
    }
    log.info(`dhcp_libvirt: added ${xml} to libvirt network '${this.network}'`);
  }

  async deleteRecord(record: DhcpRecord): Promise<void> {
    const xml = deleteElementXml({ mac: record.mac, ip: record.ip, name: record.name });
    try {
      await this.client.updateDhcpHost(this.network, 'delete', xml);
    } catch (err) {
      log.error(`Error removing DHCP record ${record.name} (${record.ip} / ${record.mac}) from libvirt network '${this.network}': ${detail(err)}`);
      throw new DhcpError('server', 'Error removing DHCP record'); // bare, as the baseline (above)
    } finally {
      this.invalidate();
    }
    log.info(`dhcp_libvirt: removed ${xml} from libvirt network '${this.network}'`);
  }

  /**
   * A libvirt `<host>` has no boot file or next-server (libvirt drops them silently), so Foreman's
   * `filename`/`nextServer` are kept on the request only, as the Ruby provider does. Say so, since
   * the host will not boot from what Foreman asked for unless the network provides it.
   */
  private warnUnappliedBootOptions(record: Reservation): void {
    const { filename, nextServer } = record.options;
    if (!present(filename)) return;
    log.warn(`dhcp_libvirt: filename ${JSON.stringify(filename)}${present(nextServer) ? ` and nextServer ${JSON.stringify(nextServer)}` : ''}`
      + ` for ${record.name} (${record.mac}) not applied: a libvirt network has no per-host boot file;`
      + ' the network definition must provide the boot file (see docs/dhcp-libvirt.md)');
  }
}
