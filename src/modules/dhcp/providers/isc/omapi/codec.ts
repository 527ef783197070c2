/**
 * OMAPI wire format (ISC dhcpd's object management protocol), pure: no sockets, no crypto.
 *
 * A connection starts with an 8-byte introduction from each side (protocol version, header
 * size), then carries messages:
 *
 *   u32 authid, u32 authlen, u32 op, u32 handle, u32 id, u32 rid        (24-byte header)
 *   message values { u16 nameLen, name, u32 valueLen, value }* u16 0
 *   object values  { u16 nameLen, name, u32 valueLen, value }* u16 0
 *   signature (authlen bytes)
 *
 * All integers are big-endian. Values carry no type tag: their meaning depends on the name,
 * so they are kept as raw bytes here and converted by the helpers at the bottom.
 */

export const OMAPI_PROTOCOL_VERSION = 100;
export const OMAPI_HEADER_SIZE = 24;
export const STARTUP_SIZE = 8;

export enum OmapiOp {
  Open = 1,
  Refresh = 2,
  Update = 3,
  Notify = 4,
  Status = 5,
  Delete = 6,
}

/** Name/value pairs in wire order (order matters for byte-exact encoding and for signing). */
export type OmapiValues = Array<[string, Buffer]>;

export interface OmapiMessage {
  /** Server-side handle of the authenticator that signed the message; 0 = unsigned. */
  authId: number;
  op: OmapiOp;
  /** Handle of the object the message is about, or 0. */
  handle: number;
  /** Transaction id chosen by the sender. */
  id: number;
  /** Id of the message this one answers; 0 for requests. */
  rid: number;
  message: OmapiValues;
  object: OmapiValues;
  /** Signature bytes (authlen = its length); empty when unsigned. */
  signature: Buffer;
}

export interface OmapiStartup {
  version: number;
  headerSize: number;
}

/** Malformed bytes on the wire (the peer is not speaking OMAPI, or the stream is corrupt). */
export class OmapiProtocolError extends Error {}

export function encodeStartup(): Buffer {
  const b = Buffer.alloc(STARTUP_SIZE);
  b.writeUInt32BE(OMAPI_PROTOCOL_VERSION, 0);
  b.writeUInt32BE(OMAPI_HEADER_SIZE, 4);
  return b;
}

export function decodeStartup(bytes: Buffer): OmapiStartup {
  if (bytes.length < STARTUP_SIZE) throw new OmapiProtocolError('OMAPI startup message too short');
  const startup = { version: bytes.readUInt32BE(0), headerSize: bytes.readUInt32BE(4) };
  if (startup.version !== OMAPI_PROTOCOL_VERSION) {
    throw new OmapiProtocolError(`unsupported OMAPI protocol version ${startup.version}`);
  }
  if (startup.headerSize < OMAPI_HEADER_SIZE) {
    throw new OmapiProtocolError(`OMAPI header size ${startup.headerSize} is smaller than ${OMAPI_HEADER_SIZE}`);
  }
  return startup;
}

function valuesLength(values: OmapiValues): number {
  let n = 2; // terminating zero-length name
  for (const [name, value] of values) n += 2 + Buffer.byteLength(name) + 4 + value.length;
  return n;
}

function writeValues(buf: Buffer, offset: number, values: OmapiValues): number {
  for (const [name, value] of values) {
    const nameLen = Buffer.byteLength(name);
    if (nameLen === 0 || nameLen > 0xffff) throw new RangeError(`invalid OMAPI value name "${name}"`);
    offset = buf.writeUInt16BE(nameLen, offset);
    offset += buf.write(name, offset, 'utf8');
    offset = buf.writeUInt32BE(value.length, offset);
    offset += value.copy(buf, offset);
  }
  return buf.writeUInt16BE(0, offset);
}

/**
 * Bytes of a message without its signature. The part a signature covers is this minus the
 * first 4 bytes (authid), with authlen already set to the signature's length.
 */
export function encodeUnsigned(msg: Omit<OmapiMessage, 'signature'>, signatureLength: number): Buffer {
  const size = OMAPI_HEADER_SIZE + valuesLength(msg.message) + valuesLength(msg.object);
  const buf = Buffer.alloc(size);
  let o = buf.writeUInt32BE(msg.authId >>> 0, 0);
  o = buf.writeUInt32BE(signatureLength >>> 0, o);
  o = buf.writeUInt32BE(msg.op, o);
  o = buf.writeUInt32BE(msg.handle >>> 0, o);
  o = buf.writeUInt32BE(msg.id >>> 0, o);
  o = buf.writeUInt32BE(msg.rid >>> 0, o);
  o = writeValues(buf, o, msg.message);
  writeValues(buf, o, msg.object);
  return buf;
}

/**
 * Encodes a message. `sign`, when given, receives the bytes the signature covers and returns
 * the signature; `signatureLength` must be its exact length (it is part of the signed bytes).
 */
export function encodeMessage(
  msg: Omit<OmapiMessage, 'signature'>,
  signer?: { length: number; sign(data: Buffer): Buffer },
): Buffer {
  if (!signer) return encodeUnsigned(msg, 0);
  const body = encodeUnsigned(msg, signer.length);
  const signature = signer.sign(body.subarray(4));
  if (signature.length !== signer.length) {
    throw new RangeError(`signature is ${signature.length} bytes, expected ${signer.length}`);
  }
  return Buffer.concat([body, signature]);
}

/** Parses a value list at `offset`; returns null when the buffer ends before the list does. */
function readValues(buf: Buffer, offset: number, end: number): { values: OmapiValues; next: number } | null {
  const values: OmapiValues = [];
  for (;;) {
    if (offset + 2 > end) return null;
    const nameLen = buf.readUInt16BE(offset);
    offset += 2;
    if (nameLen === 0) return { values, next: offset };
    if (offset + nameLen + 4 > end) return null;
    const name = buf.toString('utf8', offset, offset + nameLen);
    offset += nameLen;
    const valueLen = buf.readUInt32BE(offset);
    offset += 4;
    if (offset + valueLen > end) return null;
    values.push([name, Buffer.from(buf.subarray(offset, offset + valueLen))]);
    offset += valueLen;
  }
}

export interface DecodedMessage {
  message: OmapiMessage;
  /** Total bytes the message occupied (header + values + signature). */
  length: number;
  /** The bytes a signature covers (everything after authid, before the signature). */
  signedBytes: Buffer;
}

/**
 * Decodes the message starting at `offset`, or returns null if `buf` does not yet hold all of
 * it. `headerSize` is the peer's announced header size (extra header bytes are skipped).
 */
export function decodeMessageAt(buf: Buffer, offset = 0, headerSize = OMAPI_HEADER_SIZE): DecodedMessage | null {
  const start = offset;
  if (buf.length - offset < headerSize) return null;
  const authId = buf.readUInt32BE(offset);
  const authLen = buf.readUInt32BE(offset + 4);
  const op = buf.readUInt32BE(offset + 8);
  const handle = buf.readUInt32BE(offset + 12);
  const id = buf.readUInt32BE(offset + 16);
  const rid = buf.readUInt32BE(offset + 20);
  if (op < OmapiOp.Open || op > OmapiOp.Delete) throw new OmapiProtocolError(`unknown OMAPI opcode ${op}`);
  // A signature longer than any HMAC digest means we are out of step with the stream.
  if (authLen > 1024) throw new OmapiProtocolError(`implausible OMAPI signature length ${authLen}`);
  const messageValues = readValues(buf, offset + headerSize, buf.length);
  if (!messageValues) return null;
  const objectValues = readValues(buf, messageValues.next, buf.length);
  if (!objectValues) return null;
  const sigStart = objectValues.next;
  if (sigStart + authLen > buf.length) return null;
  return {
    message: {
      authId,
      op: op as OmapiOp,
      handle,
      id,
      rid,
      message: messageValues.values,
      object: objectValues.values,
      signature: Buffer.from(buf.subarray(sigStart, sigStart + authLen)),
    },
    length: sigStart + authLen - start,
    signedBytes: Buffer.from(buf.subarray(start + 4, sigStart)),
  };
}

/** Decodes exactly one message occupying all of `bytes`. */
export function decodeMessage(bytes: Buffer): DecodedMessage {
  const d = decodeMessageAt(bytes, 0);
  if (!d) throw new OmapiProtocolError('truncated OMAPI message');
  if (d.length !== bytes.length) throw new OmapiProtocolError(`${bytes.length - d.length} trailing bytes after OMAPI message`);
  return d;
}

/**
 * Splits a byte stream into the peer's startup message and then whole messages, whatever the
 * TCP segmentation (several messages may share a segment, one may span many).
 */
export class OmapiStreamDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private startup: OmapiStartup | null = null;

  /** Feeds received bytes; returns what became complete (the startup first, once). */
  push(chunk: Buffer): Array<{ startup: OmapiStartup } | DecodedMessage> {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Array<{ startup: OmapiStartup } | DecodedMessage> = [];
    let offset = 0;
    if (!this.startup) {
      if (this.pending.length < STARTUP_SIZE) return out;
      this.startup = decodeStartup(this.pending.subarray(0, STARTUP_SIZE));
      out.push({ startup: this.startup });
      offset = STARTUP_SIZE;
    }
    for (;;) {
      const d = decodeMessageAt(this.pending, offset, this.startup.headerSize);
      if (!d) break;
      out.push(d);
      offset += d.length;
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(offset));
    return out;
  }

  get started(): boolean {
    return this.startup !== null;
  }
}

// ---- value conversions (values carry no type tag; the name decides) ----

export function u32Value(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

export function stringValue(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** Dotted-quad IPv4 → 4 bytes. */
export function ipv4Value(ip: string): Buffer {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    throw new RangeError(`invalid IPv4 address "${ip}"`);
  }
  return Buffer.from(parts.map(Number));
}

/** Colon-separated hex (aa:bb:…, 1–2 digits a group) → bytes. */
export function macValue(mac: string): Buffer {
  const groups = mac.split(':');
  if (groups.length < 1 || !groups.every((g) => /^[0-9a-fA-F]{1,2}$/.test(g))) {
    throw new RangeError(`invalid hardware address "${mac}"`);
  }
  return Buffer.from(groups.map((g) => parseInt(g, 16)));
}

export function readU32(v: Buffer | undefined): number | undefined {
  return v && v.length === 4 ? v.readUInt32BE(0) : undefined;
}

export function readString(v: Buffer | undefined): string | undefined {
  return v ? v.toString('utf8') : undefined;
}

export function readIpv4(v: Buffer | undefined): string | undefined {
  return v && v.length === 4 ? Array.from(v).join('.') : undefined;
}

/** Bytes → lower-case two-digit hex joined by colons. */
export function readMac(v: Buffer | undefined): string | undefined {
  return v && v.length > 0 ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(':') : undefined;
}

/** First value with that name, or undefined. */
export function getValue(values: OmapiValues, name: string): Buffer | undefined {
  const hit = values.find(([n]) => n === name);
  return hit ? hit[1] : undefined;
}
