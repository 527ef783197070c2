import type { DhcpRecord, Subnet, SubnetOptions } from './provider';

/**
 * The wire shapes of GET /dhcp… (reference §7.3). Key order is part of the contract: JSON objects
 * are built in exactly the baseline's order, then option keys in the record's own order.
 */

const SUBNET_OPTION_ORDER: (keyof SubnetOptions)[] = [
  'routers', 'domain_name', 'domain_name_servers', 'ntp_servers', 'interface_mtu', 'range',
];

export function subnetToJson(subnet: Subnet): { network: string; netmask: string; options: Record<string, unknown> } {
  const options: Record<string, unknown> = {};
  for (const key of SUBNET_OPTION_ORDER) {
    const v = subnet.options[key];
    if (v !== undefined && v !== null) options[key] = v;
  }
  return { network: subnet.network, netmask: subnet.netmask, options };
}

const MS_PER_DAY = 86_400_000;
/** 10000-01-01T00:00:00Z: from here on toISOString writes six-digit years. */
const YEAR_10000 = 253_402_300_800_000;
/** Character codes of `YYYY-MM-DD HH:MM:SS UTC`; the digits are filled in per call. */
const TIME_CODES = [...'0000-00-00 00:00:00 UTC'].map((c) => c.charCodeAt(0));

function putDigits(at: number, value: number, count: number): void {
  for (let i = at + count - 1; i >= at; i--) {
    TIME_CODES[i] = 48 + (value % 10);
    value = Math.floor(value / 10);
  }
}

/**
 * `"YYYY-MM-DD HH:MM:SS UTC"` of a time (milliseconds since the epoch, or a Date), or null.
 * Times from 1970 to 9999 are written by hand, as one flat string: tens of thousands of leases
 * keep one each. Other times take toISOString's form (and its RangeError when invalid).
 */
export function leaseTime(t: number | Date | null | undefined): string | null {
  if (t === null || t === undefined) return null;
  const ms = typeof t === 'number' ? t : t.getTime();
  if (!(ms >= 0 && ms < YEAR_10000)) return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const days = Math.floor(ms / MS_PER_DAY);
  const seconds = Math.floor((ms - days * MS_PER_DAY) / 1000);
  // Civil date from a day count (the proleptic Gregorian calendar in 400-year eras from 0000-03-01).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  putDigits(0, yearOfEra + era * 400 + (month <= 2 ? 1 : 0), 4);
  putDigits(5, month, 2);
  putDigits(8, dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1, 2);
  putDigits(11, Math.floor(seconds / 3600), 2);
  putDigits(14, Math.floor(seconds / 60) % 60, 2);
  putDigits(17, seconds % 60, 2);
  return String.fromCharCode.apply(null, TIME_CODES);
}

/** Dates inside options (ISC's cltt, tstp, …) render like starts/ends. */
function optionValue(v: unknown): unknown {
  return v instanceof Date ? leaseTime(v) : v;
}

export function recordToJson(record: DhcpRecord): Record<string, unknown> {
  const subnet = `${record.subnet.network}/${record.subnet.netmask}`;
  const out: Record<string, unknown> = record.type === 'reservation'
    ? { name: record.name, ip: record.ip, mac: record.mac, subnet, type: 'reservation' }
    : {
      name: record.name, ip: record.ip, mac: record.mac, subnet,
      starts: leaseTime(record.starts), ends: leaseTime(record.ends), state: record.state, type: 'lease',
    };
  // An option named like a fixed key replaces that value in place, as the baseline's merge does.
  for (const [k, v] of Object.entries(record.options)) out[k] = optionValue(v);
  return out;
}
