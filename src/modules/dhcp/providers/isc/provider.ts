import { log } from '../../../../core/log';
import { DhcpError, DhcpProvider, DhcpRecord, Lease, Reservation, Subnet } from '../../provider';
import { OmapiError } from './omapi/errors';
import type { HostAttributes, HostSpec } from './omapi/messages';
import { UnsafeValueError, assertSafeHostName, buildHostStatements } from './omapi/statements';
import type { LeasesFollower } from './leases-follower';
import { IscState } from './state';
import type { SubnetIndex } from '../../subnet-index';

/** The two OMAPI calls the provider makes (OmapiClient; a fake in unit tests). */
export interface IscOmapi {
  createHost(host: HostSpec): Promise<HostAttributes>;
  deleteHostByMac(mac: string): Promise<void>;
}

export interface IscProviderOptions {
  state: IscState;
  omapi: IscOmapi;
  /** `blacklist_duration_minutes`, which the baseline reads as seconds. */
  blacklistDurationSeconds: number;
  /** Called after dhcpd confirmed a write: dhcpd has already appended it to its leases file. */
  afterWrite?: () => void;
  /** Resolves a next-server host name (default: DNS with the baseline's default timeouts). */
  resolveName?: (name: string) => Promise<string | null>;
  /** The follower keeping `state` current, kept for diagnostics and tests. */
  follower?: LeasesFollower;
  /**
   * Resolves once `state` holds the leases file (the provider starts answering while the file is
   * still being read); every read and write waits for it. Rejects while it cannot be read.
   */
  ready?: () => Promise<void>;
}

/**
 * Options that appear on a record only once it is read back from dhcpd.leases, and that Foreman
 * never posts: the HTTPClient vendor class this provider adds to HTTP boot hosts. Ignored by the
 * AlreadyExists comparison, like `hardware_type` (F3).
 */
const READ_BACK_ONLY_OPTIONS = ['vendor_class_identifier'] as const;

/**
 * The ISC dhcpd provider (reference §7.8): reads come from the state built from dhcpd.conf and
 * dhcpd.leases (kept current by the leases follower); writes go to dhcpd over OMAPI, and once dhcpd
 * confirmed one the state reflects it at once (F4). A write that fails changes nothing.
 */
export class IscDhcpProvider implements DhcpProvider {
  readonly supportsVendorOptions = true;
  readonly parserOnlyOptions = READ_BACK_ONLY_OPTIONS;
  readonly blacklistDurationSeconds: number;
  readonly follower?: LeasesFollower;

  constructor(private readonly opts: IscProviderOptions) {
    this.blacklistDurationSeconds = opts.blacklistDurationSeconds;
    this.follower = opts.follower;
  }

  /** The live index, once the leases file has been loaded. */
  private async index(): Promise<SubnetIndex> {
    if (this.opts.ready) await this.opts.ready();
    return this.opts.state.index;
  }

  async subnets(): Promise<Subnet[]> {
    return (await this.index()).subnets();
  }

  async findSubnet(address: string): Promise<Subnet | undefined> {
    return (await this.index()).findSubnet(address);
  }

  async reservations(network: string): Promise<Reservation[]> {
    return (await this.index()).allReservations(network);
  }

  async leases(network: string): Promise<Lease[]> {
    return (await this.index()).allLeases(network);
  }

  async findReservationsByIp(network: string, ip: string): Promise<Reservation[]> {
    return (await this.index()).findReservationsByIp(network, ip);
  }

  async findReservationByMac(network: string, mac: string): Promise<Reservation | undefined> {
    return (await this.index()).findReservationByMac(network, mac);
  }

  async findLeaseByIp(network: string, ip: string): Promise<Lease | undefined> {
    return (await this.index()).findLeaseByIp(network, ip);
  }

  async findLeaseByMac(network: string, mac: string): Promise<Lease | undefined> {
    return (await this.index()).findLeaseByMac(network, mac);
  }

  /**
   * Creates the host in dhcpd (the baseline's omshell session: name, ip-address, hardware-address,
   * hardware-type 1, statements), then adds it to the state. Values dhcpd cannot store safely are
   * refused before anything is sent (F13).
   */
  async addReservation(record: Reservation): Promise<void> {
    await this.index();
    let statements: string;
    try {
      assertSafeHostName(record.name);
      statements = await buildHostStatements({ name: record.name, options: record.options }, this.opts.resolveName);
      await this.opts.omapi.createHost({ name: record.name, ip: record.ip, mac: record.mac, hardwareType: 1, statements });
    } catch (err) {
      throw writeFailure('add', record, err);
    }
    log.info(`Added DHCP reservation for ${describe(record)}`);
    this.opts.state.addReservation(asReadBack(record));
    this.opts.afterWrite?.();
  }

  /** Removes the host with the record's hardware address from dhcpd, then from the state. */
  async deleteRecord(record: DhcpRecord): Promise<void> {
    if (record.type !== 'reservation') {
      throw new DhcpError('invalid', `${record.ip} / ${record.mac} is static - unable to delete`);
    }
    await this.index();
    try {
      await this.opts.omapi.deleteHostByMac(record.mac);
    } catch (err) {
      throw writeFailure('delete', record, err);
    }
    log.info(`Removed DHCP reservation for ${describe(record)}`);
    this.opts.state.removeReservation(record);
    this.opts.afterWrite?.();
  }
}

function describe(record: Reservation): string {
  return `${record.name} (${record.ip} / ${record.mac})`;
}

/**
 * The reservation as the state should hold it until dhcpd's leases file is read back: the posted
 * record plus the `hardware_type` every parsed host carries (dhcpd writes `hardware ethernet`).
 */
function asReadBack(record: Reservation): Reservation {
  const { deleteable, hostname, ...rest } = record.options;
  return { ...record, options: { deleteable, hostname, hardware_type: 'ethernet', ...rest } };
}

/**
 * Maps a failed write to the baseline's answers (reference §7.8.4, "Judging the output"):
 * - hardware address held by another host → 409 `Hardware address conflict.`;
 * - delete of a host dhcpd does not know → 400 `Proxy::DHCP::InvalidRecord` (the baseline's text);
 * - no connection, or no answer in time → 400 `Failed to … : No response from DHCP server`;
 * - a host of that name exists → 400 `Failed to … : Entry already exists`;
 * - a value dhcpd cannot store → 400 with the reason (F13);
 * - anything else, a refused key included → 400 `Failed to …`, the details in the log. omshell
 *   only printed "connection reset by peer" for a refused key, so the baseline answered the bare
 *   text, and no F-fix changes that: the reason (unknown key, wrong secret or algorithm) is in
 *   the ERROR line, which GET /logs shows.
 */
export function writeFailure(op: 'add' | 'delete', record: Reservation, err: unknown): DhcpError {
  if (err instanceof DhcpError) return err;
  if (err instanceof UnsafeValueError) return new DhcpError('invalid', err.message);
  const failed = op === 'add'
    ? `Failed to add DHCP reservation for ${describe(record)}`
    : `Failed to remove DHCP reservation for ${record.name} => ${describe(record)}`;
  log.error(`${failed}: ${logDetail(err)}`);
  if (!(err instanceof OmapiError)) return new DhcpError('server', failed, 400);
  switch (err.kind) {
    case 'conflict':
      return new DhcpError('collision', 'Hardware address conflict.', 409);
    case 'not_found':
      return new DhcpError('invalid', 'Proxy::DHCP::InvalidRecord');
    case 'unreachable':
    case 'timeout':
      return new DhcpError('server', `${failed}: No response from DHCP server`, 400);
    case 'exists':
      return new DhcpError('server', `${failed}: Entry already exists`, 400);
    default:
      return new DhcpError('server', failed, 400);
  }
}

/** What the log says about a failed write; a refused key is named as such, with dhcpd's reason. */
function logDetail(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err instanceof OmapiError && err.kind === 'auth' ? `OMAPI key refused by the DHCP server: ${err.message}` : err.message;
}
