/**
 * The libvirt network XML as the provider sees it (pure functions, no I/O):
 * - reading `virsh net-dumpxml`: the IPv4 subnet(s) of `<network><ip>` and the `<dhcp><host>`
 *   entries below them (reference §7.9);
 * - writing the `<host mac ip name/>` element sent with `virsh net-update … ip-dhcp-host`.
 *
 * Why host names are restricted, not just escaped: libvirt 9.0 parses the element we send
 * correctly but writes the name back into the network definition *unescaped* and re-parses it,
 * so a name holding a quote can add a second `<host>` of the attacker's choosing to the network
 * (libvirt-dhcp.md §5); and the name lands in dnsmasq's hosts file as `mac,ip,name`, where a comma,
 * `ignore` or a lease time would change what dnsmasq does. Names are therefore limited to DNS
 * host-name characters and every attribute value is XML-escaped as well.
 */
import { intToIpv4, ipv4ToInt } from '../../ipv4';
import { DhcpError } from '../../provider';
import { isIpv4, isMac } from '../../validation';
import { escapeAttribute, parseXml, XmlElement } from './xml-reader';

export interface NetworkSubnet {
  network: string;
  netmask: string;
}

/** A `<host>` entry as libvirt stores it; any attribute may be missing. */
export interface DhcpHostEntry {
  mac?: string;
  ip?: string;
  name?: string;
}

export interface ParsedNetwork {
  subnets: NetworkSubnet[];
  hosts: DhcpHostEntry[];
}

/** The network XML could not be turned into subnets or reservations; `detail` is for the log. */
export class NetworkXmlError extends Error {
  override readonly name = 'NetworkXmlError';
}

function netmaskOfPrefix(prefix: number): string {
  return intToIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

function isContiguousMask(mask: string): boolean {
  const m = ipv4ToInt(mask);
  const inverted = (~m) >>> 0;
  return (inverted & (inverted + 1)) === 0;
}

/** IPv6 `<ip>` elements are not this provider's business (family='ipv6', or an IPv6 address). */
function isIpv4IpElement(e: XmlElement): boolean {
  if (e.name !== 'ip') return false;
  const family = e.attributes.family;
  if (family !== undefined && family !== 'ipv4') return false;
  return !(e.attributes.address ?? '').includes(':');
}

function subnetOf(ip: XmlElement): NetworkSubnet {
  const { address, netmask, prefix } = ip.attributes;
  if (!isIpv4(address)) throw new NetworkXmlError(`<ip> has no valid IPv4 address: ${JSON.stringify(address ?? null)}`);
  let mask: string;
  if (netmask !== undefined) {
    if (!isIpv4(netmask) || !isContiguousMask(netmask)) throw new NetworkXmlError(`<ip> has an invalid netmask: ${JSON.stringify(netmask)}`);
    mask = netmask;
  } else {
    if (prefix === undefined || !/^(?:[0-9]|[12][0-9]|3[0-2])$/.test(prefix)) {
      throw new NetworkXmlError(`<ip address='${address}'> has no valid netmask or prefix`);
    }
    mask = netmaskOfPrefix(Number(prefix));
  }
  return { network: intToIpv4((ipv4ToInt(address) & ipv4ToInt(mask)) >>> 0), netmask: mask };
}

function rootOf(xml: string): XmlElement {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new NetworkXmlError(`not well-formed XML: ${(err as Error).message}`);
  }
  if (root.name !== 'network') throw new NetworkXmlError(`the root element is <${root.name}>, not <network>`);
  return root;
}

/**
 * Subnets and DHCP hosts of a network definition. A libvirt network serves a single IPv4 subnet
 * through this provider: more than one IPv4 `<ip>` is an error, as in the baseline.
 */
export function parseNetworkXml(xml: string): ParsedNetwork {
  const root = rootOf(xml);
  const ips = root.children.filter(isIpv4IpElement);
  const subnets = ips.map(subnetOf);
  // The baseline means to raise "Only one subnet is supported" here (a Ruby NoMethodError's text
  // comes out instead, which depends on the Ruby version and is not part of the contract).
  if (subnets.length > 1) throw new NetworkXmlError(`Only one subnet is supported (the network has ${subnets.length} IPv4 <ip> elements)`);
  const hosts: DhcpHostEntry[] = [];
  for (const ip of ips) {
    for (const dhcp of ip.children.filter((c) => c.name === 'dhcp')) {
      for (const host of dhcp.children.filter((c) => c.name === 'host')) {
        const { mac, ip: address, name } = host.attributes;
        hosts.push({ mac, ip: address, name });
      }
    }
  }
  return { subnets, hosts };
}

const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}$/;
/** Words dnsmasq reads in a hosts-file line as something other than a name. */
const DNSMASQ_NON_NAME = /^(?:ignore|infinite|[0-9]+[smhdw]?)$/i;

/** A value as it may be quoted in an error message: control and non-ASCII characters escaped, capped. */
function printable(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return shown.replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether `name` can go into a libvirt `<host name=…>` unchanged and come back the same. */
export function isSafeHostName(name: string): boolean {
  return HOST_NAME.test(name) && !DNSMASQ_NON_NAME.test(name);
}

/** Refuses a host name libvirt or dnsmasq would not store as given (400 with a clear text). */
export function assertSafeHostName(name: string): void {
  if (!HOST_NAME.test(name)) {
    throw new DhcpError('invalid', `Invalid host name "${printable(name)}": a libvirt DHCP host name may only contain `
      + "letters, digits, '.', '-' and '_', start with a letter, digit or '_', and be at most 253 characters long");
  }
  if (DNSMASQ_NON_NAME.test(name)) {
    throw new DhcpError('invalid', `Invalid host name "${name}": dnsmasq would read it as a keyword or a lease time, not as a name`);
  }
}

export interface HostElementInput {
  mac: string;
  ip: string;
  /** Left out of the element when absent. */
  name?: string | null;
}

/**
 * The element for `net-update … ip-dhcp-host` (for an add: the new entry; for a delete: the
 * entry to match, attributes left out being wildcards). MAC and IP are checked again here so no
 * caller can pass anything else into the XML.
 */
export function hostElementXml(host: HostElementInput): string {
  if (!isMac(host.mac)) throw new DhcpError('invalid', `Invalid MAC ${printable(String(host.mac))}`);
  if (!isIpv4(host.ip)) throw new DhcpError('invalid', `Invalid IP Address ${printable(String(host.ip))}`);
  const parts = [`mac="${escapeAttribute(host.mac.toLowerCase())}"`, `ip="${escapeAttribute(host.ip)}"`];
  if (host.name !== undefined && host.name !== null && host.name !== '') {
    assertSafeHostName(host.name);
    parts.push(`name="${escapeAttribute(host.name)}"`);
  }
  return `<host ${parts.join(' ')}/>`;
}

/**
 * The element that deletes a stored entry. The name is part of the match, as in the baseline,
 * unless the stored name is one we would not send (an entry made outside the proxy, e.g. with a
 * space): then MAC and IP alone select it (libvirt refuses duplicate MACs and IPs, so they are
 * enough).
 */
export function deleteElementXml(host: HostElementInput): string {
  const name = host.name && isSafeHostName(host.name) ? host.name : undefined;
  return hostElementXml({ mac: host.mac, ip: host.ip, name });
}
