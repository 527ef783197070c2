#!/usr/bin/env node
/**
 * Builds the CA list UEFI firmware uses to verify HTTPS boot servers: a sequence of
 * EFI_SIGNATURE_LIST structures (UEFI spec, "Signature Database"), one per X.509 certificate.
 * OVMF reads it from the QEMU fw_cfg file `etc/edk2/https/cacerts` and copies it into the
 * `TlsCaCertificate` variable; the firmware's "Server CA Configuration" menu stores the same format.
 *
 *   node dist/tools/edk2-cacerts.js -o cacerts.esl ca.pem [more.pem|cert.der …]
 *   node dist/tools/edk2-cacerts.js --dump cacerts.esl
 *
 * The encoding functions are pure (bytes in, bytes out); only main() touches files.
 */
import * as fs from 'fs';

/** EFI_CERT_X509_GUID: the signature type of a DER-encoded X.509 certificate. */
export const EFI_CERT_X509_GUID = 'a5c059a1-94e4-4aa7-87b5-ab155c2bf072';
/** Owner GUID written into each entry; firmware does not interpret it. */
export const DEFAULT_OWNER_GUID = 'd1a5a4a2-8b35-4c56-9f0a-6e2d1c0b7a01';

/** EFI_SIGNATURE_LIST header: SignatureType (16) + ListSize, HeaderSize, SignatureSize (u32 each). */
const LIST_HEADER_SIZE = 28;
/** EFI_SIGNATURE_DATA starts with the 16-byte SignatureOwner GUID. */
const OWNER_SIZE = 16;

const GUID_RE = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** EFI_GUID in memory: the first three fields little-endian, the last 8 bytes as written. */
export function guidToBytes(guid: string): Buffer {
  const m = GUID_RE.exec(guid);
  if (!m) throw new Error(`not a GUID: ${guid}`);
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(m[1], 16), 0);
  out.writeUInt16LE(parseInt(m[2], 16), 4);
  out.writeUInt16LE(parseInt(m[3], 16), 6);
  Buffer.from(m[4] + m[5], 'hex').copy(out, 8);
  return out;
}

export function guidFromBytes(b: Buffer): string {
  if (b.length !== 16) throw new Error(`a GUID has 16 bytes, got ${b.length}`);
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  const tail = b.subarray(8).toString('hex');
  return `${hex(b.readUInt32LE(0), 8)}-${hex(b.readUInt16LE(4), 4)}-${hex(b.readUInt16LE(6), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/**
 * Certificates from a file's content: every PEM `CERTIFICATE` block, or the whole input as one
 * DER certificate when there is no PEM block. A DER input must at least look like an ASN.1 SEQUENCE.
 */
export function certificatesFrom(content: Buffer): Buffer[] {
  const text = content.toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length > 0) return blocks.map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  if (text.includes('-----BEGIN')) throw new Error('PEM input without a CERTIFICATE block');
  if (content.length < 2 || content[0] !== 0x30) throw new Error('input is neither PEM nor a DER certificate');
  return [content];
}

/** One EFI_SIGNATURE_LIST per certificate (the layout edk2 and p11-kit write). */
export function x509SignatureLists(certsDer: Buffer[], ownerGuid = DEFAULT_OWNER_GUID): Buffer {
  if (certsDer.length === 0) throw new Error('no certificate given');
  const type = guidToBytes(EFI_CERT_X509_GUID);
  const owner = guidToBytes(ownerGuid);
  return Buffer.concat(certsDer.map((der) => {
    if (der.length === 0) throw new Error('empty certificate');
    const header = Buffer.alloc(LIST_HEADER_SIZE);
    type.copy(header, 0);
    const signatureSize = OWNER_SIZE + der.length;
    header.writeUInt32LE(LIST_HEADER_SIZE + signatureSize, 16); // SignatureListSize
    header.writeUInt32LE(0, 20); // SignatureHeaderSize: X.509 lists have none
    header.writeUInt32LE(signatureSize, 24);
    return Buffer.concat([header, owner, der]);
  }));
}

export interface SignatureEntry {
  type: string;
  owner: string;
  data: Buffer;
}

/** Decodes a signature database; throws on any size that does not add up. */
export function parseSignatureLists(buf: Buffer): SignatureEntry[] {
  const out: SignatureEntry[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < LIST_HEADER_SIZE) throw new Error(`truncated list header at offset ${off}`);
    const type = guidFromBytes(buf.subarray(off, off + 16));
    const listSize = buf.readUInt32LE(off + 16);
    const headerSize = buf.readUInt32LE(off + 20);
    const sigSize = buf.readUInt32LE(off + 24);
    const bodyStart = off + LIST_HEADER_SIZE + headerSize;
    const end = off + listSize;
    if (listSize < LIST_HEADER_SIZE || end > buf.length) throw new Error(`list at offset ${off} has a bad size ${listSize}`);
    if (sigSize <= OWNER_SIZE || (end - bodyStart) % sigSize !== 0) {
      throw new Error(`list at offset ${off}: signature size ${sigSize} does not divide its body`);
    }
    for (let s = bodyStart; s < end; s += sigSize) {
      out.push({ type, owner: guidFromBytes(buf.subarray(s, s + OWNER_SIZE)), data: buf.subarray(s + OWNER_SIZE, s + sigSize) });
    }
    off = end;
  }
  return out;
}

function main(argv: string[]): number {
  const usage = 'usage: edk2-cacerts -o OUT.esl CERT.pem [CERT…] | edk2-cacerts --dump FILE.esl\n';
  if (argv[0] === '--dump' && argv.length === 2) {
    const entries = parseSignatureLists(fs.readFileSync(argv[1]));
    entries.forEach((e, i) => {
      const kind = e.type === EFI_CERT_X509_GUID ? 'X509' : e.type;
      process.stdout.write(`[${i + 1}] type=${kind} owner=${e.owner} bytes=${e.data.length}\n`);
    });
    return 0;
  }
  if (argv[0] !== '-o' || argv.length < 3) {
    process.stderr.write(usage);
    return 2;
  }
  const certs = argv.slice(2).flatMap((f) => certificatesFrom(fs.readFileSync(f)));
  const tmp = `${argv[1]}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, x509SignatureLists(certs));
  fs.renameSync(tmp, argv[1]);
  process.stdout.write(`${argv[1]}: ${certs.length} certificate(s)\n`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`edk2-cacerts: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
