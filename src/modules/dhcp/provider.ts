/**
 * The contract between the DHCP module's common logic (routes, add_record rules, unused_ip) and a
 * DHCP server backend. A new backend is a new folder under providers/ implementing DhcpProvider,
 * plus a ProviderDeclaration (src/core/module.ts) whose start() returns it.
 */

/** Subnet options as reported by GET /dhcp; only these keys, in this order (reference §7.3, §7.5). */
export interface SubnetOptions {
  routers?: string[];
  domain_name?: unknown;
  domain_name_servers?: string[];
  ntp_servers?: unknown;
  interface_mtu?: number;
  range?: [string, string];
}

export interface Subnet {
  network: string;
  netmask: string;
  options: SubnetOptions;
}

/** Options of a record: `deleteable`, `hostname`, then provider keys (filename, nextServer, …). */
export type RecordOptions = Record<string, unknown>;

export interface Reservation {
  type: 'reservation';
  name: string;
  ip: string;
  /** Always lower-case. */
  mac: string;
  subnet: Subnet;
  options: RecordOptions;
}

export interface Lease {
  type: 'lease';
  name: string;
  ip: string;
  mac: string;
  subnet: Subnet;
  /**
   * Milliseconds since the epoch. Numbers rather than Date objects: a Date costs about 90 bytes,
   * and a large leases file holds hundreds of thousands of times (a third of the ISC view's memory).
   */
  starts: number | null;
  ends: number | null;
  state: string | null;
  options: RecordOptions;
}

export type DhcpRecord = Reservation | Lease;

/** Errors a provider raises; the routes map them to the baseline's status codes and texts. */
export class DhcpError extends Error {
  constructor(
    readonly kind: 'invalid' | 'collision' | 'already_exists' | 'not_implemented' | 'server' | 'subnet_not_found',
    message: string,
    /** HTTP status when it differs from the kind's default (e.g. 409 for an OMAPI key conflict). */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface DhcpProvider {
  /** Whether option names starting with `<` (SPARC vendor options) may be stored. */
  readonly supportsVendorOptions: boolean;
  /**
   * How long `unused_ip` remembers an offered address: the provider's `blacklist_duration_minutes`
   * setting, which the baseline reads as *seconds*. Default 1800.
   */
  readonly blacklistDurationSeconds?: number;
  /**
   * Option keys only this provider's parser puts on records (besides `hardware_type`, always
   * ignored); add_record's AlreadyExists comparison ignores them (F3).
   */
  readonly parserOnlyOptions?: readonly string[];

  /** All subnets, in the server's order. */
  subnets(): Promise<Subnet[]>;
  /** The subnet whose network is `address`, else the smallest known subnet containing it. */
  findSubnet(address: string): Promise<Subnet | undefined>;
  /**
   * Reservations and leases indexed by the network string *as given* (the baseline returns empty
   * lists for an inner address of a known subnet).
   */
  reservations(network: string): Promise<Reservation[]>;
  leases(network: string): Promise<Lease[]>;

  /** Creates a reservation on the server; resolves only once the server confirmed it. */
  addReservation(record: Reservation): Promise<void>;
  /** Deletes a record on the server; resolves only once the server confirmed it. */
  deleteRecord(record: DhcpRecord): Promise<void>;

  /**
   * Optional indexed lookups (same keying as `reservations`/`leases`: the network string as
   * given). When a provider has them the service uses them instead of scanning the lists, which
   * keeps lookups and `unused_ip` cheap in subnets holding tens of thousands of records.
   */
  findReservationsByIp?(network: string, ip: string): Promise<Reservation[]>;
  findReservationByMac?(network: string, mac: string): Promise<Reservation | undefined>;
  findLeaseByIp?(network: string, ip: string): Promise<Lease | undefined>;
  findLeaseByMac?(network: string, mac: string): Promise<Lease | undefined>;

  /**
   * Optional provider-specific free-address search; when absent the common algorithm runs
   * (random order over the host range, recently-offered memory, ping check).
   */
  unusedIp?(subnet: Subnet, opts: { mac?: string; from?: string; to?: string }): Promise<string | null>;
}
