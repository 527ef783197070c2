import { Lease, RecordOptions, Reservation, Subnet } from '../../provider';
import { leaseTime } from '../../records-json';
import { createSubnet, SubnetOptionsInput } from '../../subnet-index';
import { isIpv4, isMac } from '../../validation';
import { ParsedHost, ParsedLease, ParsedOption, ParsedSubnet } from './parser/types';

/**
 * Turns parsed dhcpd statements into the module's records, with the baseline's conversions
 * (reference §7.8.1–§7.8.3): option names mapped to API keys, quotes stripped, hex next-server
 * turned into dotted form, and JSON key order following the order statements appeared in.
 */

/** Removes one pair of surrounding quotes, as the baseline does (escapes inside are kept). */
export function stripQuotes(value: string): string {
  return value.length >= 1 && (value[0] === '"' || value[0] === "'") ? value.slice(1, -1) : value;
}

const SINGLE_VALUE_KEYS: Record<string, string> = {
  filename: 'filename',
  'server.filename': 'filename',
  'host-name': 'hostname',
  'SUNW.root-server-ip-address': 'root_server_ip',
  'SUNW.root-server-hostname': 'root_server_hostname',
  'SUNW.root-path-name': 'root_path_name',
  'SUNW.install-server-ip-address': 'install_server_ip',
  'SUNW.install-server-hostname': 'install_server_name',
  'SUNW.install-path': 'install_path',
  'SUNW.sysid-config-file-server': 'sysid_server_path',
  'SUNW.JumpStart-server': 'jumpstart_server_path',
};

/** `c0:a8:00:01` → `192.168.0.1` (each colon-separated part read as hex; junk reads as 0). */
function hexToIp(hex: string): string {
  return hex.split(':').map((h) => {
    const m = /^[0-9a-fA-F]+/.exec(h);
    return m ? String(parseInt(m[0], 16)) : '0';
  }).join('.');
}

/** Maps one dhcpd option to its API key and value. */
export function convertOption(name: string, values: string[][]): [string, unknown] {
  const flat = values.flat();
  switch (name) {
    case 'routers':
      return ['routers', flat.map(stripQuotes)];
    case 'domain-name-servers':
      return ['domain_name_servers', flat.map(stripQuotes)];
    case 'next-server':
    case 'server.next-server': {
      const value = stripQuotes(flat[0]);
      return ['nextServer', isIpv4(value) ? value : hexToIp(value)];
    }
  }
  const key = SINGLE_VALUE_KEYS[name];
  if (key) return [key, stripQuotes(flat[0])];
  return [name.replace(/[.-]/g, '_'), values.map((group) => group.map(stripQuotes))];
}

function addOptions(into: Record<string, unknown>, options: ParsedOption[]): void {
  for (const o of options) {
    const [key, value] = convertOption(o.name, o.values);
    into[key] = value;
  }
}

/** A subnet from its parsed block; raises the baseline's errors for bad addresses or range. */
export function toSubnet(parsed: ParsedSubnet): Subnet {
  const converted: Record<string, unknown> = {};
  if (parsed.range) converted.range = parsed.range;
  addOptions(converted, parsed.options);
  return createSubnet(parsed.network, parsed.netmask, converted as SubnetOptionsInput);
}

/**
 * Why a parsed record was not turned into one. `warn` marks the reasons an operator should hear
 * about; the others (hosts outside managed subnets, named by DNS) are normal in a dhcpd.conf.
 */
export interface Skip {
  reason: string;
  warn?: boolean;
}

type FindSubnet = (address: string) => Subnet | undefined;

/** The subnet of a host's or lease's address, or why the record is skipped (`what` names the address). */
function subnetFor(ip: string, mac: string, what: string, findSubnet: FindSubnet): Subnet | Skip {
  if (!isIpv4(ip)) return { reason: `${what} is not an IPv4 address` };
  const subnet = findSubnet(ip);
  if (!subnet) return { reason: `no known subnet contains ${ip}` };
  if (!isMac(mac)) return { reason: `hardware address ${mac} is neither 6 nor 20 bytes long`, warn: true };
  return subnet;
}

/** What to do with an attribute: leave it out, or put something else into the options. */
type AttributeRule = 'omit' | ((options: RecordOptions, value: unknown) => void);

/**
 * Copies attributes into `options` in their order: by `rules` where one names the key, a SUNW
 * vendor option space as `vendor: 'sun'`, anything else under its own name.
 */
function copyAttributes(options: RecordOptions, attributes: object, rules: Record<string, AttributeRule>): void {
  // for…in visits a plain object's keys in insertion order, like Object.entries, without
  // building an array of pairs per record.
  for (const key in attributes) {
    const value = (attributes as Record<string, unknown>)[key];
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (rule === 'omit') continue;
    if (rule) rule(options, value);
    else if (key === 'vendor_option_space') options.vendor = 'sun';
    else options[key] = value;
  }
}

const HOST_RULES: Record<string, AttributeRule> = {
  fixed_address: 'omit', hardware_address: 'omit', deleted: 'omit',
  dynamic: (options) => void (options.deleteable = true),
};

/** Times among a lease's options are kept as the text they are answered with (see Lease.starts). */
const timeOption = (key: string): AttributeRule => (options, value) => void (options[key] = leaseTime(value as number));

const LEASE_RULES: Record<string, AttributeRule> = {
  hardware_address: 'omit', starts: 'omit', ends: 'omit', binding_state: 'omit',
  next_binding_state: (options, value) => void (options.next_state = value),
  tstp: timeOption('tstp'), tsfp: timeOption('tsfp'), atsfp: timeOption('atsfp'), cltt: timeOption('cltt'),
};

/**
 * A reservation from a host block, or the reason it is skipped: no fixed-address or hardware
 * address, a fixed-address that is not an IPv4 literal, no known subnet containing it, or a
 * hardware address the API cannot represent (8 groups).
 */
export function toReservation(host: ParsedHost, findSubnet: FindSubnet): Reservation | Skip {
  const { fixed_address: ip, hardware_address: mac } = host.attributes;
  if (!ip || !mac) return { reason: 'no fixed-address or hardware address' };
  const subnet = subnetFor(ip, mac, `fixed-address ${ip}`, findSubnet);
  if (isSkip(subnet)) return subnet;
  // deleteable first, then hostname (the baseline's defaults), then statements in order.
  const options: RecordOptions = { deleteable: false, hostname: host.name };
  copyAttributes(options, host.attributes, HOST_RULES);
  addOptions(options, host.options);
  return { type: 'reservation', name: host.name, ip, mac: mac.toLowerCase(), subnet, options };
}

/** A lease from a lease block, or the reason it is skipped (no hardware address, unknown subnet). */
export function toLease(parsed: ParsedLease, findSubnet: FindSubnet): Lease | Skip {
  const { hardware_address: mac, starts, ends, binding_state: state } = parsed.attributes;
  if (!mac) return { reason: 'no hardware address' };
  const subnet = subnetFor(parsed.ip, mac, parsed.ip, findSubnet);
  if (isSkip(subnet)) return subnet;
  const options: RecordOptions = {};
  copyAttributes(options, parsed.attributes, LEASE_RULES);
  addOptions(options, parsed.options);
  return {
    type: 'lease',
    // The baseline names the lease after the MAC as written, before lower-casing it.
    name: `lease-${mac.replace(/[:-]/g, '')}`,
    ip: parsed.ip,
    mac: mac.toLowerCase(),
    subnet,
    starts: starts ?? null,
    ends: ends ?? null,
    state: state ?? null,
    options,
  };
}

export function isSkip(value: unknown): value is Skip {
  return typeof value === 'object' && value !== null && 'reason' in value && !('type' in value);
}
