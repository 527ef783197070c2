/**
 * Parsing `virsh -q net-dhcp-leases <network>` (pure, no I/O). virsh 9.0 has no machine-readable
 * output for leases; each row is
 *
 *   " 2026-11-25 12:24:37   52:54:00:aa:bb:cc   ipv4   10.98.0.50/24    h1   -"
 *    expiry (date, time)   MAC                 type   address/prefix   host  client id
 *
 * The expiry is printed in the *local time zone of the virsh process*, without a zone
 * (libvirt-dhcp.md §6). The provider therefore always runs virsh with TZ=UTC and this parser reads
 * the column as UTC; nothing here depends on the proxy's own time zone. `-` means "none".
 */

export interface LeaseRow {
  expiry: Date;
  mac: string;
  family: 'ipv4' | 'ipv6';
  ip: string;
  prefix: number;
  hostname: string | null;
  clientId: string | null;
}

export class LeaseTableError extends Error {
  override readonly name = 'LeaseTableError';
}

const ROW = /^\s*(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\s+(\S+)\s+(ipv4|ipv6)\s+([^\s/]+)\/(\d{1,3})\s+(\S(?:.*\S)?)\s+(\S+)\s*$/;
/** Without -q virsh prints a header and a rule first; tolerated so a different invocation still parses. */
const HEADER = /^\s*Expiry Time\s+MAC address\b/;
const RULE = /^\s*-+\s*$/;

function orNull(v: string): string | null {
  return v === '-' ? null : v;
}

export function parseLeaseTable(stdout: string): LeaseRow[] {
  const rows: LeaseRow[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim() || HEADER.test(line) || RULE.test(line)) continue;
    const m = ROW.exec(line);
    if (!m) throw new LeaseTableError(`unexpected line in virsh net-dhcp-leases output: ${JSON.stringify(line.slice(0, 200))}`);
    const [, y, mo, d, h, mi, s, mac, family, ip, prefix, hostname, clientId] = m;
    const expiry = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
    if (Number.isNaN(expiry.getTime())) throw new LeaseTableError(`invalid expiry time in ${JSON.stringify(line)}`);
    rows.push({
      expiry, mac, family: family as 'ipv4' | 'ipv6', ip, prefix: Number(prefix),
      hostname: orNull(hostname), clientId: orNull(clientId),
    });
  }
  return rows;
}
