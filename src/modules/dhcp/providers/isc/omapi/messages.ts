/**
 * The few OMAPI requests the ISC provider sends, built exactly as omshell builds them (same
 * value order, so the bytes match the captured sessions), and the decoding of the replies.
 * Pure: ids, handles and the signer are passed in.
 */
import {
  OmapiMessage,
  OmapiOp,
  OmapiValues,
  getValue,
  ipv4Value,
  macValue,
  readIpv4,
  readMac,
  readString,
  readU32,
  stringValue,
  u32Value,
} from './codec';

type Request = Omit<OmapiMessage, 'signature'>;

/** Unsigned OPEN of the server's authenticator object for key `keyName`. */
export function authenticatorOpen(id: number, keyName: string, wireAlgorithm: string): Request {
  return {
    authId: 0,
    op: OmapiOp.Open,
    handle: 0,
    id,
    rid: 0,
    message: [['type', stringValue('authenticator')]],
    object: [
      ['name', stringValue(keyName)],
      ['algorithm', stringValue(wireAlgorithm)],
    ],
  };
}

export interface HostSpec {
  name: string;
  ip: string;
  /** Colon-separated hex, 6 bytes for Ethernet (20 for InfiniBand). */
  mac: string;
  /** ARP hardware type; the baseline always sends 1 (Ethernet). */
  hardwareType: number;
  /** dhcpd.conf-syntax statements (see statements.ts); omitted from the request when empty. */
  statements?: string;
}

/** OPEN with create + exclusive (omshell's `create`): fails if the host already exists. */
export function createHostOpen(id: number, authId: number, host: HostSpec): Request {
  const object: OmapiValues = [
    ['name', stringValue(host.name)],
    ['ip-address', ipv4Value(host.ip)],
    ['hardware-address', macValue(host.mac)],
    ['hardware-type', u32Value(host.hardwareType)],
  ];
  if (host.statements) object.push(['statements', stringValue(host.statements)]);
  return {
    authId,
    op: OmapiOp.Open,
    handle: 0,
    id,
    rid: 0,
    message: [
      ['create', u32Value(1)],
      ['exclusive', u32Value(1)],
      ['type', stringValue('host')],
    ],
    object,
  };
}

/**
 * How to find a host. dhcpd matches a hardware address together with its type, and assumes
 * Ethernet (1) when no type is sent: a host created with another type (e.g. 32, InfiniBand)
 * is only found when `hardwareType` is given.
 */
export type HostKey = { mac: string; hardwareType?: number } | { name: string };

/** Plain OPEN (omshell's `open`) of a host by hardware address or by name. */
export function openHost(id: number, authId: number, key: HostKey): Request {
  const object: OmapiValues = [];
  if ('mac' in key) {
    object.push(['hardware-address', macValue(key.mac)]);
    if (key.hardwareType !== undefined) object.push(['hardware-type', u32Value(key.hardwareType)]);
  } else {
    object.push(['name', stringValue(key.name)]);
  }
  return { authId, op: OmapiOp.Open, handle: 0, id, rid: 0, message: [['type', stringValue('host')]], object };
}

/** DELETE of the object with server handle `handle` (omshell's `remove`). */
export function deleteObject(id: number, authId: number, handle: number): Request {
  return { authId, op: OmapiOp.Delete, handle, id, rid: 0, message: [], object: [] };
}

export interface HostAttributes {
  /** Server handle of the host object (valid on this server until it restarts). */
  handle: number;
  name?: string;
  ip?: string;
  mac?: string;
  hardwareType?: number;
  /** dhcp-client-identifier, as lower-case colon hex. */
  clientIdentifier?: string;
}

/** Reads a host object's attributes from the UPDATE that answers an OPEN. */
export function hostAttributes(reply: OmapiMessage): HostAttributes {
  const v = reply.object;
  const attrs: HostAttributes = { handle: reply.handle };
  const name = readString(getValue(v, 'name'));
  const ip = readIpv4(getValue(v, 'ip-address'));
  const mac = readMac(getValue(v, 'hardware-address'));
  const hardwareType = readU32(getValue(v, 'hardware-type'));
  const clientIdentifier = readMac(getValue(v, 'dhcp-client-identifier'));
  if (name !== undefined) attrs.name = name;
  if (ip !== undefined) attrs.ip = ip;
  if (mac !== undefined) attrs.mac = mac;
  if (hardwareType !== undefined) attrs.hardwareType = hardwareType;
  if (clientIdentifier !== undefined) attrs.clientIdentifier = clientIdentifier;
  return attrs;
}

export interface StatusResult {
  result: number;
  text?: string;
}

/** Result code and text of a STATUS message (a missing result counts as failure). */
export function statusOf(reply: OmapiMessage): StatusResult {
  const result = readU32(getValue(reply.message, 'result'));
  const text = readString(getValue(reply.message, 'message'));
  return text === undefined ? { result: result ?? -1 } : { result: result ?? -1, text };
}
