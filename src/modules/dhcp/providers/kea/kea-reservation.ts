/**
 * Builds the Kea host reservation for a record the DHCP module wants created:
 *
 *   { "hw-address", "ip-address", "hostname", "next-server", "boot-file-name",
 *     "option-data": [ vendor-class-identifier "HTTPClient" (always sent) for http(s) URLs,
 *                      tftp-server-name + boot-file-name options for Cisco POAP ],
 *     "user-context": { "foreman-proxy": { name, options: [[key, value]…], wrote: {…} } } }
 *
 * Kea keeps JSON strings as they are, so no quoting problem exists (unlike dhcpd statements);
 * the limits are Kea's own: `next-server` must be an IPv4 address (a name is resolved here, as the
 * baseline does for dhcpd, and refused when it does not resolve) and `boot-file-name` fits the
 * 128-byte `file` field. The posted options, in order, go to the user-context so the record
 * reads back exactly as posted (a re-POST is a 200, not a 409).
 */
import { isHttpBootUrl, nextServerIpv4, optionText, present, resolveIpv4, ResolveIpv4 } from '../../boot-options';
import { Reservation } from '../../provider';
import { CONTEXT_KEY, Json, MAX_BOOT_FILE_NAME, WrittenFields } from './kea-config';

/** A posted value Kea cannot take; the message completes "Failed to add DHCP reservation for …: ". */
export class UnwritableValueError extends Error {
  override name = 'UnwritableValueError';
}

function text(v: unknown, what: string): string {
  return optionText(v, what, (message) => new UnwritableValueError(message));
}

/** `nextServer` as the IPv4 address Kea needs: as given, or resolved from a name. */
export async function nextServerAddress(value: string, resolve: ResolveIpv4): Promise<string> {
  const ip = await nextServerIpv4(value, resolve);
  if (ip) return ip;
  throw new UnwritableValueError(`next-server ${value} is neither an IPv4 address nor a name that resolves to one (Kea stores only addresses)`);
}

/** Builds the reservation entry; rejects with UnwritableValueError for what Kea cannot store. */
export async function buildKeaReservation(record: Reservation, resolve: ResolveIpv4 = (n) => resolveIpv4(n)): Promise<Json> {
  const o = record.options;
  const filename = present(o.filename) ? text(o.filename, 'filename') : '';
  const hostname = present(o.hostname) ? text(o.hostname, 'hostname') : record.name;
  const nextServer = present(o.nextServer) ? await nextServerAddress(text(o.nextServer, 'nextServer'), resolve) : '';

  if (Buffer.byteLength(filename) > MAX_BOOT_FILE_NAME) {
    throw new UnwritableValueError(`filename is ${Buffer.byteLength(filename)} bytes long; Kea's limit is ${MAX_BOOT_FILE_NAME}`);
  }
  if (/^ztp\.cfg/i.test(filename)) {
    // dhcpd gets option 150 and the FM_ZTP vendor option; Kea has no definition for either, so
    // writing the file name alone would give a device that cannot use it.
    throw new UnwritableValueError('Junos/Huawei ZTP options (filename ztp.cfg…) are not supported by the Kea provider');
  }

  const optionData: Json[] = [];
  if (isHttpBootUrl(filename)) {
    // UEFI HTTP boot clients ignore a URL unless the answer carries option 60 "HTTPClient".
    optionData.push({ name: 'vendor-class-identifier', data: 'HTTPClient', 'always-send': true });
  }
  if (/^poap\.cfg/i.test(filename)) {
    // Cisco POAP reads the script location from options 66 and 67.
    if (present(o.nextServer)) optionData.push({ name: 'tftp-server-name', data: text(o.nextServer, 'nextServer') });
    optionData.push({ name: 'boot-file-name', data: filename });
  }

  const wrote: WrittenFields = { hostname, 'boot-file-name': filename, 'next-server': nextServer };
  const entry: Json = { 'hw-address': record.mac, 'ip-address': record.ip };
  if (hostname !== '') entry.hostname = hostname;
  if (nextServer !== '') entry['next-server'] = nextServer;
  if (filename !== '') entry['boot-file-name'] = filename;
  if (optionData.length) entry['option-data'] = optionData;
  entry['user-context'] = {
    [CONTEXT_KEY]: { name: record.name, options: Object.entries(record.options), wrote },
  };
  return entry;
}
