import { DhcpError } from './provider';

/**
 * Address validation with the baseline's rules and texts (reference §7.2):
 * IPv4 is a dotted quad of 0–255 without leading zeros; a MAC is 6 or 20 colon-separated groups
 * of one or two hex digits, in any case, stored lower-case.
 */

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
const MAC_6 = /^(?:[0-9a-f]{1,2}:){5}[0-9a-f]{1,2}$/i;
const MAC_20 = /^(?:[0-9a-f]{1,2}:){19}[0-9a-f]{1,2}$/i;

export function isIpv4(value: unknown): value is string {
  return typeof value === 'string' && IPV4.test(value);
}

export function isMac(value: unknown): value is string {
  return typeof value === 'string' && (MAC_6.test(value) || MAC_20.test(value));
}

/**
 * How the baseline interpolates a parameter into a message (Ruby's `to_s`): nothing for a missing
 * value, the text itself for a string, Ruby's inspect form for lists and maps from bracket syntax.
 */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return inspect(value);
}

function inspect(value: unknown): string {
  if (value === undefined || value === null) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(inspect).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}=>${inspect(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** Returns the address unchanged, or raises `Invalid IP Address <value>`. */
export function validateIpv4(value: unknown): string {
  if (!isIpv4(value)) throw new DhcpError('invalid', `Invalid IP Address ${shown(value)}`);
  return value;
}

/** Returns the MAC lower-cased, or raises `Invalid MAC <value>`. */
export function validateMac(value: unknown): string {
  if (!isMac(value)) throw new DhcpError('invalid', `Invalid MAC ${shown(value)}`);
  return value.toLowerCase();
}
