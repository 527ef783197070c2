/**
 * Kea leases (lease_cmds answers: lease4-get-all, lease4-get, lease4-get-by-hw-address) as the
 * module's lease records. Pure.
 *
 * A lease is `{ "ip-address", "hw-address", "cltt", "valid-lft", "subnet-id", "state",
 * "hostname", … }`: it started at `cltt` (client last transaction time, epoch seconds) and ends at
 * `cltt + valid-lft`. State 0 is a normal lease, 1 a declined address, 2 an expired lease Kea has
 * reclaimed (kept only for `hold-reclaimed-time`). Reclaimed and expired leases are free addresses
 * for Kea, so they are not reported (as the ISC provider drops free leases).
 */
import { Lease, Subnet } from '../../provider';
import { isIpv4, isMac } from '../../validation';
import { Json } from './kea-config';

const STATES: Record<number, string> = { 0: 'active', 1: 'declined' };

export function toLease(raw: Json, subnet: Subnet, now: Date = new Date()): Lease | undefined {
  const mac = typeof raw['hw-address'] === 'string' ? raw['hw-address'].toLowerCase() : '';
  const ip = raw['ip-address'];
  if (!isMac(mac) || !isIpv4(ip)) return undefined;
  const state = typeof raw.state === 'number' ? STATES[raw.state] : undefined;
  if (state === undefined) return undefined;
  const cltt = typeof raw.cltt === 'number' ? raw.cltt : undefined;
  const lifetime = typeof raw['valid-lft'] === 'number' ? raw['valid-lft'] : undefined;
  const starts = cltt !== undefined ? cltt * 1000 : null;
  const ends = cltt !== undefined && lifetime !== undefined ? (cltt + lifetime) * 1000 : null;
  if (ends !== null && ends <= now.getTime()) return undefined;
  const options: Record<string, unknown> = {};
  if (typeof raw.hostname === 'string' && raw.hostname !== '') options.client_hostname = raw.hostname;
  return { type: 'lease', name: `lease-${mac.replace(/:/g, '')}`, ip, mac, subnet, starts, ends, state, options };
}

/** The leases of one subnet (by Kea subnet id) from a lease list. */
export function leasesOf(list: unknown, subnet: Subnet, subnetId: number, now: Date = new Date()): Lease[] {
  const out: Lease[] = [];
  for (const raw of Array.isArray(list) ? list : []) {
    if (typeof raw !== 'object' || raw === null || raw['subnet-id'] !== subnetId) continue;
    const lease = toLease(raw, subnet, now);
    if (lease) out.push(lease);
  }
  return out;
}
