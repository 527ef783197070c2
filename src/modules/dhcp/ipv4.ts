/**
 * IPv4 arithmetic on unsigned 32-bit integers. Callers validate addresses first (validation.ts);
 * `looseIpv4ToInt` exists only for the one place where the baseline uses an unvalidated value.
 */

/** A validated dotted quad as an integer; digit by digit, as it runs for every record of a leases file. */
export function ipv4ToInt(address: string): number {
  let value = 0;
  let part = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46 /* . */) {
      value = (value << 8) | part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return ((value << 8) | part) >>> 0;
}

export function intToIpv4(value: number): string {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/**
 * The baseline's conversion of an *unvalidated* bound: split on dots (at most 4 parts), each part's
 * leading digits as a number (0 when none), shifted in 8 bits at a time. Garbage therefore becomes
 * a small number, not an error; values wider than 32 bits are kept (they only ever get compared).
 */
export function looseIpv4ToInt(value: string): number {
  const parts = value.split('.');
  const head = parts.length > 4 ? [...parts.slice(0, 3), parts.slice(3).join('.')] : parts;
  let acc = 0n;
  for (const part of head) {
    const digits = /^\s*([+-]?\d+)/.exec(part);
    acc = (acc << 8n) | BigInt(digits ? digits[1].replace(/^\+/, '') : '0');
  }
  const n = Number(acc);
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** Number of leading one bits of a netmask (its prefix length when the mask is contiguous). */
export function prefixLength(netmask: string): number {
  let m = ipv4ToInt(netmask);
  let n = 0;
  while (m & 0x80000000) {
    n += 1;
    m = (m << 1) >>> 0;
  }
  return n;
}

export function inSubnet(address: number, network: string, netmask: string): boolean {
  const mask = ipv4ToInt(netmask);
  return ((address & mask) >>> 0) === ((ipv4ToInt(network) & mask) >>> 0);
}

/**
 * The addresses `unused_ip` may offer without bounds: network+1 up to broadcast-1, computed the
 * baseline's way, `network | (hostmask - 1)`. For every prefix up to /30 that is broadcast-1; a /31
 * yields an empty range and a /32 an upper bound of 255.255.255.255 (reference §7.6, kept as is).
 */
export function hostRange(network: string, netmask: string): { first: number; last: number } {
  const net = ipv4ToInt(network);
  const mask = ipv4ToInt(netmask);
  const hostmask = (0xffffffff ^ mask) >>> 0;
  return { first: ((net & mask) >>> 0) + 1, last: (net | (hostmask - 1)) >>> 0 };
}
