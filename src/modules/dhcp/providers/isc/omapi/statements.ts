/**
 * The `statements` attribute of a host created over OMAPI: dhcpd.conf-syntax statements that
 * dhcpd parses and then writes into dhcpd.leases (`supersede server.filename = "…";`, …).
 * Same statements, same order, as the baseline's omshell session (reference §7.8.4), plus
 * `option vendor-class-identifier "HTTPClient";` for http(s) boot URLs (compatibility.md).
 *
 * Quoting (deviation F13), established against dhcpd 4.4.3:
 * - dhcpd accepts `\"` and `\\` inside a statement string but writes the unescaped text into
 *   dhcpd.leases, which then fails to parse at the next start (the host and everything after
 *   it are lost); an unescaped `"` makes dhcpd silently drop all the host's options.
 * - control and non-ASCII characters are stored, but written back as hex bytes, so the
 *   proxy's own view of the record would no longer show what was asked.
 * - every other printable ASCII character (including ; { } #) survives a restart unchanged.
 * So a value is written between double quotes when it is printable ASCII without `"` or `\`,
 * and refused with UnsafeValueError otherwise.
 *
 * Host names are written unquoted by dhcpd (`host NAME {`), whatever they contain, and read back
 * at its next start by its lexer, label by label (dot-separated). Found with dhcpd 4.4.3-P1
 * (created over OMAPI, then restarted): a label of letters, digits, `-` and `_` survives, also
 * one starting with a digit or `-`, and so does a single trailing dot; a label starting with `_`
 * (`_x`, `a._b`), an empty label (`.a`, `a..b`) or a label of 1500 characters or more is a parse
 * error, and dhcpd silently drops the host at that start. Such names are refused up front.
 */
import { DEFAULT_DNS_RESOLV_TIMEOUTS, dnsIpv4Address } from '../../../../../core/dns-resolv';
import { isHttpBootUrl, nextServerIpv4, optionText, present, ResolveIpv4 } from '../../../boot-options';
import { isIpv4 } from '../../../validation';

/** A value that cannot be handed to dhcpd safely; the message is meant for the API caller. */
export class UnsafeValueError extends Error {
  override readonly name = 'UnsafeValueError';
}

const SAFE_STRING = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/; // printable ASCII minus " and \
/** Dot-separated labels dhcpd's lexer reads back, with an optional trailing dot (see above). */
const SAFE_HOST_NAME = /^[A-Za-z0-9-][A-Za-z0-9_-]*(?:\.[A-Za-z0-9-][A-Za-z0-9_-]*)*\.?$/;
/** dhcpd's token buffer is 1500 bytes: a longer label is "token larger than internal buffer". */
const MAX_HOST_NAME_LABEL = 1499;

/** `"value"` for a statement, or UnsafeValueError naming the field. */
export function dhcpString(value: string, what: string): string {
  if (!SAFE_STRING.test(value)) {
    throw new UnsafeValueError(
      `Invalid ${what} "${printable(value)}": dhcpd cannot store a double quote, backslash, control or non-ASCII character`,
    );
  }
  return `"${value}"`;
}

/** Throws unless dhcpd can write `host NAME {` and read it back. */
export function assertSafeHostName(name: string): void {
  if (!SAFE_HOST_NAME.test(name) || name.split('.').some((label) => label.length > MAX_HOST_NAME_LABEL)) {
    throw new UnsafeValueError(
      `Invalid host name "${printable(name)}": dhcpd can only store names of letters, digits, '.', '-' and '_' `
      + `whose dot-separated labels are not empty, do not start with '_' and have at most ${MAX_HOST_NAME_LABEL} characters`,
    );
  }
}

/** 192.168.122.1 → c0:a8:7a:01 (how the baseline writes addresses as data expressions). */
export function ipToHex(ip: string): string {
  if (!isIpv4(ip)) throw new UnsafeValueError(`Invalid IP Address ${ip}`);
  return ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':');
}

export interface HostStatementInput {
  /** The record name; host-name falls back to it. */
  name: string;
  /**
   * The reservation's options as posted, in posted order: filename, nextServer, hostname,
   * `<vendor>attr` Solaris keys, ztp_vendor, ztp_firmware ({core, web} or ztp_firmware[core]…).
   */
  options: Record<string, unknown>;
}

/** How `next-server` is written: hex octets of an address, or (unresolvable name) a quoted name. */
export type NextServerForm = { hex: string } | { name: string };

/** The baseline's next-server lookup: DNS (not the hosts file) with `dns_resolv_timeouts`. */
export function nextServerResolver(timeouts: number[] | null = DEFAULT_DNS_RESOLV_TIMEOUTS): ResolveIpv4 {
  return (name) => dnsIpv4Address(name, { timeouts });
}

/** Turns an IPv4 or a name into resolver-independent form; null from `resolve` = unresolvable. */
export async function resolveNextServer(value: string, resolve: ResolveIpv4 = nextServerResolver()): Promise<NextServerForm> {
  const ip = await nextServerIpv4(value, resolve);
  return ip ? { hex: ipToHex(ip) } : { name: value };
}

/** Builds the statements, resolving a next-server name through DNS first (baseline behaviour). */
export async function buildHostStatements(input: HostStatementInput, resolve?: ResolveIpv4): Promise<string> {
  const ns = input.options.nextServer;
  const nextServer = ns === undefined || ns === null ? undefined : await resolveNextServer(text(ns, 'nextServer'), resolve);
  return renderHostStatements(input, nextServer);
}

/** Pure part of buildHostStatements: `nextServer` already resolved. */
export function renderHostStatements(input: HostStatementInput, nextServer?: NextServerForm): string {
  const o = input.options;
  const filename = present(o.filename) ? text(o.filename, 'filename') : undefined;
  const out: string[] = [];

  if (filename !== undefined) out.push(`filename = ${dhcpString(filename, 'filename')};`);
  if (nextServer) {
    out.push(`next-server = ${'hex' in nextServer ? nextServer.hex : dhcpString(nextServer.name, 'nextServer')};`);
  }
  // As the baseline (Ruby truthiness): an empty hostname is still a hostname.
  const hostname = present(o.hostname) ? text(o.hostname, 'hostname') : input.name;
  out.push(`option host-name = ${dhcpString(hostname, 'hostname')};`);
  if (filename !== undefined && isHttpBootUrl(filename)) out.push('option vendor-class-identifier "HTTPClient";');

  out.push(...solarisStatements(o));
  if (filename !== undefined && /^ztp.cfg/i.test(filename)) out.push(...ztpStatements(o, filename));
  if (filename !== undefined && /^poap.cfg/i.test(filename)) {
    out.push(`option tftp-server-name = ${dhcpString(present(o.nextServer) ? text(o.nextServer, 'nextServer') : '', 'nextServer')};`);
    out.push(`option bootfile-name = ${dhcpString(filename, 'filename')};`);
  }
  return out.join(' ');
}

/** Solaris JumpStart: `<vendor>attr` options whose vendor names Sun/Solaris/SPARC. */
const SOLARIS: Record<string, { option: string; ip?: true }> = {
  jumpstart_server_path: { option: 'SUNW.JumpStart-server' },
  sysid_server_path: { option: 'SUNW.sysid-config-file-server' },
  install_server_name: { option: 'SUNW.install-server-hostname' },
  install_server_ip: { option: 'SUNW.install-server-ip-address', ip: true },
  install_path: { option: 'SUNW.install-path' },
  root_server_hostname: { option: 'SUNW.root-server-hostname' },
  root_server_ip: { option: 'SUNW.root-server-ip-address', ip: true },
  root_path_name: { option: 'SUNW.root-path-name' },
};

function solarisStatements(o: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(o)) {
    const m = /^<([^>]+)>(.*)$/.exec(key);
    if (!m || !/sun|solar|sparc/i.test(m[1])) continue;
    const spec = SOLARIS[m[2]];
    if (!spec) continue;
    const v = text(value, key);
    if (spec.ip) {
      // Written unquoted (an ip-address option), so it must be exactly an address.
      if (!isIpv4(v)) throw new UnsafeValueError(`Invalid IP Address ${printable(v)} in ${key}`);
      out.push(`option ${spec.option} ${v};`);
    } else {
      out.push(`option ${spec.option} ${dhcpString(v, key)};`);
    }
  }
  if (out.length) out.push('vendor-option-space SUNW;');
  return out;
}

/** Junos ZTP (and Huawei's firmware option): option 150 = TFTP server, FM_ZTP file name. */
function ztpStatements(o: Record<string, unknown>, filename: string): string[] {
  // The baseline validates nextServer as an address here (a name or none fails the write).
  const ns = present(o.nextServer) ? text(o.nextServer, 'nextServer') : '';
  if (!isIpv4(ns)) throw new UnsafeValueError(`Invalid IP Address ${printable(ns)}`);
  const out = [`option option-150 = ${ipToHex(ns)};`, `option FM_ZTP.config-file-name = ${dhcpString(filename, 'filename')};`];
  const firmware = ztpFirmware(o);
  if (o.ztp_vendor === 'huawei' && firmware) {
    const value = `vrpfile=${firmware.core};webfile=${firmware.web};`;
    out.push(`option option-143 = ${dhcpString(value, 'ztp_firmware')};`);
  }
  return out;
}

/** ztp_firmware as a nested object or as flat `ztp_firmware[core]` keys; undefined if absent. */
function ztpFirmware(o: Record<string, unknown>): { core: string; web: string } | undefined {
  const nested = o.ztp_firmware;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    const n = nested as Record<string, unknown>;
    return { core: optText(n.core, 'ztp_firmware[core]'), web: optText(n.web, 'ztp_firmware[web]') };
  }
  if (present(nested)) return { core: '', web: '' };
  if ('ztp_firmware[core]' in o || 'ztp_firmware[web]' in o) {
    return { core: optText(o['ztp_firmware[core]'], 'ztp_firmware[core]'), web: optText(o['ztp_firmware[web]'], 'ztp_firmware[web]') };
  }
  return undefined;
}

function optText(v: unknown, what: string): string {
  return present(v) ? text(v, what) : '';
}

function text(v: unknown, what: string): string {
  return optionText(v, what, (message) => new UnsafeValueError(message));
}

/** Shows control characters in messages as \xNN so error texts stay on one line. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
