/**
 * What the dhcpd.conf and dhcpd.leases parsers produce. Values stay close to the text (quotes kept,
 * MACs in their written case); turning them into Subnet/Reservation/Lease records, with the
 * baseline's conversions, is state.ts's job (reference §7.8).
 */

/** `option NAME values;`, `supersede NAME = values;`, or the bare `filename`/`next-server` forms. */
export interface ParsedOption {
  name: string;
  /** Comma-separated groups of whitespace-separated tokens; quoted strings keep their quotes. */
  values: string[][];
  supersede: boolean;
}

/**
 * Statements of a host block, in the order they first appeared (that order becomes the order of
 * the record's JSON keys). A repeated statement keeps its first position and its last value.
 */
export interface HostAttributes {
  hardware_type?: string;
  hardware_address?: string;
  fixed_address?: string;
  dynamic?: true;
  deleted?: true;
  /** Only `SUNW` is kept: no other vendor space is reported. */
  vendor_option_space?: string;
}

export interface ParsedHost {
  kind: 'host';
  name: string;
  /** Line of the `host` keyword in its file. */
  line: number;
  attributes: HostAttributes;
  options: ParsedOption[];
}

/** Statements of a lease block, in order of first appearance (see HostAttributes); times in ms since the epoch. */
export interface LeaseAttributes {
  starts?: number;
  ends?: number;
  tstp?: number;
  tsfp?: number;
  atsfp?: number;
  cltt?: number;
  binding_state?: string;
  next_binding_state?: string;
  hardware_type?: string;
  hardware_address?: string;
  /** Raw quoted literal, quotes and escapes included. */
  uid?: string;
  /** Raw value: quoted literal with its quotes, or a bare name. */
  client_hostname?: string;
  vendor_option_space?: string;
}

export interface ParsedLease {
  kind: 'lease';
  ip: string;
  line: number;
  attributes: LeaseAttributes;
  options: ParsedOption[];
}

export type ParsedRecord = ParsedHost | ParsedLease;

export interface ParsedSubnet {
  network: string;
  netmask: string;
  /** From the last `range` statement directly in the subnet (ranges inside `pool` are not). */
  range?: [string, string];
  /** Only the subnet's own options: nothing is inherited from enclosing scopes. */
  options: ParsedOption[];
  line: number;
  file: string;
}

export interface ParsedConfig {
  /** In the order the baseline collects them: a subnet is added when its block closes. */
  subnets: ParsedSubnet[];
  /** Hosts (and leases, if any) in file order, includes inlined. */
  records: ParsedRecord[];
}

/** dhcpd writes `never` for infinite leases; the baseline reports the largest 32-bit time. */
export const FAR_FUTURE = 0x7fffffff * 1000;
