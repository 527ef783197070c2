/**
 * Pure mapping between Kea's DHCPv4 configuration (as `config-get` returns it, and as
 * `config-set` takes it) and the DHCP module's subnets and reservations. No I/O here.
 *
 * - Subnets: `Dhcp4.subnet4[]` and `Dhcp4["shared-networks"][].subnet4[]`. Options routers,
 *   domain-name-servers, domain-name, ntp-servers and interface-mtu are the ones a client of that
 *   subnet gets: the subnet's own, else its shared network's, else the global ones (Kea's
 *   precedence). `range` is the first pool.
 * - Reservations: the subnet's `reservations[]` with an `hw-address` and an `ip-address`. The
 *   Foreman record (name, options in posted order) is kept in the reservation's `user-context`
 *   and trusted only while the reservation still carries what was written.
 */
import { DhcpError, RecordOptions, Reservation, Subnet } from '../../provider';
import { createSubnet, SubnetOptionsInput } from '../../subnet-index';
import { isIpv4, isMac } from '../../validation';
import { intToIpv4, ipv4ToInt } from '../../ipv4';

export type Json = Record<string, any>;

/** Key in a reservation's user-context under which this proxy keeps the Foreman record. */
export const CONTEXT_KEY = 'foreman-proxy';

/** Kea's maximum boot-file-name length (the `file` field minus its terminating NUL). */
export const MAX_BOOT_FILE_NAME = 127;

export interface SubnetEntry {
  entry: Json;
  /** The shared network the subnet is declared in, if any. */
  shared?: Json;
}

/** Every subnet4 entry of the configuration, top level first, then shared networks'. */
export function subnetEntries(dhcp4: Json): SubnetEntry[] {
  const out: SubnetEntry[] = [];
  for (const entry of asArray(dhcp4.subnet4)) if (isObject(entry)) out.push({ entry });
  for (const shared of asArray(dhcp4['shared-networks'])) {
    if (!isObject(shared)) continue;
    for (const entry of asArray(shared.subnet4)) if (isObject(entry)) out.push({ entry, shared });
  }
  return out;
}

/** "10.0.0.0/24" → network and dotted netmask; undefined when malformed. */
export function parsePrefix(subnet: unknown): { network: string; netmask: string } | undefined {
  const m = typeof subnet === 'string' ? /^\s*([\d.]+)\/(\d{1,2})\s*$/.exec(subnet) : null;
  if (!m || !isIpv4(m[1]) || Number(m[2]) > 32) return undefined;
  const bits = Number(m[2]);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { network: intToIpv4((ipv4ToInt(m[1]) & mask) >>> 0), netmask: intToIpv4(mask) };
}

/** "a - b" or "a/len" → [first, last]; undefined when malformed. */
export function parsePool(pool: unknown): [string, string] | undefined {
  if (typeof pool !== 'string') return undefined;
  const range = /^\s*([\d.]+)\s*-\s*([\d.]+)\s*$/.exec(pool);
  if (range && isIpv4(range[1]) && isIpv4(range[2])) return [range[1], range[2]];
  const prefix = parsePrefix(pool);
  if (!prefix) return undefined;
  const first = ipv4ToInt(prefix.network);
  const size = (~ipv4ToInt(prefix.netmask)) >>> 0;
  return [prefix.network, intToIpv4(first + size)];
}

const OPTION_CODES: Record<string, number> = {
  routers: 3, 'domain-name-servers': 6, 'domain-name': 15, 'interface-mtu': 26, 'ntp-servers': 42,
};

/** The data of a standard DHCPv4 option in an option-data list, as text ("a, b"); hex decoded. */
function optionText(list: unknown, name: string): string | undefined {
  const code = OPTION_CODES[name];
  for (const o of asArray(list)) {
    if (!isObject(o)) continue;
    if (o.space !== undefined && o.space !== 'dhcp4') continue;
    if (o.name !== name && o.code !== code) continue;
    if (typeof o.data !== 'string') return undefined;
    return o['csv-format'] === false ? hexOptionText(name, o.data) : o.data;
  }
  return undefined;
}

/** Binary option data (csv-format false) in the text form Kea would print for it. */
function hexOptionText(name: string, hex: string): string | undefined {
  const clean = hex.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-f]{2})*$/i.test(clean)) return undefined;
  const bytes = Buffer.from(clean, 'hex');
  if (name === 'domain-name') return bytes.toString('latin1');
  if (name === 'interface-mtu') return bytes.length === 2 ? String(bytes.readUInt16BE(0)) : undefined;
  if (bytes.length % 4 !== 0) return undefined;
  const ips: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) ips.push([...bytes.subarray(i, i + 4)].join('.'));
  return ips.join(', ');
}

function csv(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** The subnet a subnet4 entry describes, with the options its clients get; throws on bad data. */
export function toSubnet({ entry, shared }: SubnetEntry, dhcp4: Json): Subnet {
  const prefix = parsePrefix(entry.subnet);
  if (!prefix) throw new DhcpError('invalid', `Kea subnet ${String(entry.subnet)} is not an IPv4 prefix`);
  const effective = (name: string) => optionText(entry['option-data'], name)
    ?? (shared ? optionText(shared['option-data'], name) : undefined)
    ?? optionText(dhcp4['option-data'], name);
  const input: SubnetOptionsInput = {};
  const routers = effective('routers');
  if (routers !== undefined) input.routers = csv(routers);
  // The same shapes the ISC provider reports: domain name and NTP servers as value groups.
  const domain = effective('domain-name');
  if (domain !== undefined && domain !== '') input.domain_name = [[domain]];
  const dns = effective('domain-name-servers');
  if (dns !== undefined) input.domain_name_servers = csv(dns);
  const ntp = effective('ntp-servers');
  if (ntp !== undefined) input.ntp_servers = csv(ntp).map((s) => [s]);
  const mtu = effective('interface-mtu');
  if (mtu !== undefined) input.interface_mtu = [[mtu]];
  const pools = asArray(entry.pools);
  const firstPool = pools.length && isObject(pools[0]) ? parsePool(pools[0].pool) : undefined;
  if (firstPool) input.range = firstPool;
  return createSubnet(prefix.network, prefix.netmask, input);
}

/** What a reservation carries on the wire: hostname, boot file and next server ("" = none). */
export interface WrittenFields {
  hostname: string;
  'boot-file-name': string;
  'next-server': string;
}

export function writtenFields(raw: Json): WrittenFields {
  const text = (v: unknown, none = '') => (typeof v === 'string' ? v : none);
  const ns = text(raw['next-server']);
  return { hostname: text(raw.hostname), 'boot-file-name': text(raw['boot-file-name']), 'next-server': ns === '0.0.0.0' ? '' : ns };
}

function sameFields(a: WrittenFields, b: unknown): boolean {
  if (!isObject(b)) return false;
  return a.hostname === (b.hostname ?? '') && a['boot-file-name'] === (b['boot-file-name'] ?? '')
    && a['next-server'] === (b['next-server'] ?? '');
}

/** The record's options from the stored pairs, or undefined when they are not a list of pairs. */
function storedOptions(pairs: unknown): RecordOptions | undefined {
  if (!Array.isArray(pairs)) return undefined;
  const out: RecordOptions = {};
  for (const p of pairs) {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string') return undefined;
    out[p[0]] = p[1];
  }
  return out;
}

/**
 * A reservation entry as a record of `subnet`, or undefined for entries the API cannot show
 * (identified by client-id, DUID, circuit-id or flex-id; no IPv4 address; a hardware address
 * that is neither 6 nor 20 bytes). Every reservation in Kea's configuration can be deleted.
 */
export function toReservation(raw: Json, subnet: Subnet): Reservation | undefined {
  const mac = typeof raw['hw-address'] === 'string' ? raw['hw-address'].toLowerCase() : '';
  const ip = raw['ip-address'];
  if (!isMac(mac) || !isIpv4(ip)) return undefined;
  const fields = writtenFields(raw);
  const context = isObject(raw['user-context']) ? raw['user-context'][CONTEXT_KEY] : undefined;
  if (isObject(context) && typeof context.name === 'string' && sameFields(fields, context.wrote)) {
    const options = storedOptions(context.options);
    if (options) return { type: 'reservation', name: context.name, ip, mac, subnet, options };
  }
  // Written by someone else, or changed since: show what Kea has.
  const name = fields.hostname || `reservation-${mac.replace(/:/g, '')}`;
  const options: RecordOptions = { deleteable: true, hostname: name };
  if (fields['boot-file-name']) options.filename = fields['boot-file-name'];
  if (fields['next-server']) options.nextServer = fields['next-server'];
  return { type: 'reservation', name, ip, mac, subnet, options };
}

/** The subnet4 entry with that id, wherever it is declared. */
export function findSubnetEntry(dhcp4: Json, subnetId: number): Json | undefined {
  return subnetEntries(dhcp4).find((s) => s.entry.id === subnetId)?.entry;
}

/** Whether two hardware addresses are the same (Kea prints them lower-case, colon-separated). */
export function sameMac(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

/**
 * Adds `reservation` to the subnet with id `subnetId`, in place. Returns false when the very same
 * reservation is already there (nothing to do). A different reservation for the same hardware
 * address is a collision (the configuration changed since the module's checks ran).
 */
export function addReservationTo(dhcp4: Json, subnetId: number, reservation: Json, network: string): boolean {
  const entry = findSubnetEntry(dhcp4, subnetId);
  if (!entry) throw new DhcpError('invalid', `Kea has no subnet with id ${subnetId} (${network}) any more`);
  if (!Array.isArray(entry.reservations)) entry.reservations = [];
  const existing = (entry.reservations as Json[]).find((r) => isObject(r) && sameMac(r['hw-address'], reservation['hw-address']));
  if (existing) {
    const same = existing['ip-address'] === reservation['ip-address']
      && sameFields(writtenFields(existing), writtenFields(reservation))
      && JSON.stringify(existing['user-context'] ?? null) === JSON.stringify(reservation['user-context'] ?? null);
    if (same) return false;
    throw new DhcpError('collision', `Record ${network}/${reservation['ip-address']} already exists`);
  }
  entry.reservations.push(reservation);
  return true;
}

/** Removes the reservation for `mac` from subnet `subnetId`, in place; false when none was there. */
export function removeReservationFrom(dhcp4: Json, subnetId: number, mac: string): boolean {
  const entry = findSubnetEntry(dhcp4, subnetId);
  if (!entry || !Array.isArray(entry.reservations)) return false;
  const before = entry.reservations.length;
  entry.reservations = (entry.reservations as Json[]).filter((r) => !(isObject(r) && sameMac(r['hw-address'], mac)));
  return entry.reservations.length !== before;
}

export function asArray(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
