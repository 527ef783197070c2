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

/** `"YYYY-MM-DD HH:MM:SS UTC"` of a time (milliseconds since the epoch, or a Date), or null. */
export function leaseTime(t: number | Date | null | undefined): string | null {
  if (t === null || t === undefined) return null;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
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
