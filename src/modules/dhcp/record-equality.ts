import type { Reservation, Subnet } from './provider';

/**
 * Options that only a provider's parser attaches to the records it reads (ISC: `hardware_type`
 * from `hardware ethernet …;`). Foreman never posts them, so the AlreadyExists check ignores them
 * on both sides (F3): re-posting a host the server already has is a 200, not a 409.
 */
export const PARSER_ONLY_OPTIONS: readonly string[] = ['hardware_type'];

/** Structural equality of option values: strings, numbers, booleans, lists and maps (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k)
    && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function equalSubnets(a: Subnet, b: Subnet): boolean {
  return a.network === b.network && a.netmask === b.netmask && deepEqual(a.options, b.options);
}

function withoutKeys(options: Record<string, unknown>, ignored: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (!ignored.has(k)) out[k] = v;
  return out;
}

function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

/**
 * The baseline's reservation equality (same name, IP, MAC, subnet, deletability and the complete
 * options map), except that `ignored` option keys do not count (F3).
 */
export function equalReservations(a: Reservation, b: Reservation, ignored: ReadonlySet<string> = new Set(PARSER_ONLY_OPTIONS)): boolean {
  return a.type === b.type
    && a.name === b.name
    && a.ip === b.ip
    && a.mac === b.mac
    && equalSubnets(a.subnet, b.subnet)
    && truthy(a.options.deleteable) === truthy(b.options.deleteable)
    && deepEqual(withoutKeys(a.options, ignored), withoutKeys(b.options, ignored));
}
