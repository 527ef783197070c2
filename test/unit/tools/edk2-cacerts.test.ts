import {
  certificatesFrom, DEFAULT_OWNER_GUID, EFI_CERT_X509_GUID, guidFromBytes, guidToBytes, parseSignatureLists, x509SignatureLists,
} from '../../../src/tools/edk2-cacerts';

/** A stand-in "certificate": any bytes that start like a DER SEQUENCE. */
const fakeDer = (n: number, fill: number) => Buffer.concat([Buffer.from([0x30, 0x82]), Buffer.alloc(n - 2, fill)]);

describe('EFI GUID encoding', () => {
  test('EFI_CERT_X509_GUID has the mixed-endian layout firmware compares against', () => {
    expect(guidToBytes(EFI_CERT_X509_GUID).toString('hex')).toBe('a159c0a5e494a74a87b5ab155c2bf072');
  });
  test('round trip', () => {
    expect(guidFromBytes(guidToBytes(DEFAULT_OWNER_GUID))).toBe(DEFAULT_OWNER_GUID);
  });
  test('rejects a malformed GUID', () => {
    expect(() => guidToBytes('a5c059a1-94e4-4aa7-87b5')).toThrow('not a GUID');
  });
});

describe('x509SignatureLists', () => {
  test('one list per certificate, X.509 type, no signature header, exact sizes', () => {
    const a = fakeDer(100, 1);
    const b = fakeDer(37, 2);
    const owner = '00112233-4455-6677-8899-aabbccddeeff';
    const esl = x509SignatureLists([a, b], owner);
    expect(esl.length).toBe(28 + 16 + 100 + 28 + 16 + 37);
    // first list, byte by byte
    expect(esl.subarray(0, 16).toString('hex')).toBe('a159c0a5e494a74a87b5ab155c2bf072');
    expect(esl.readUInt32LE(16)).toBe(28 + 16 + 100); // SignatureListSize
    expect(esl.readUInt32LE(20)).toBe(0); // SignatureHeaderSize
    expect(esl.readUInt32LE(24)).toBe(16 + 100); // SignatureSize
    expect(esl.subarray(28, 44).toString('hex')).toBe('33221100554477668899aabbccddeeff');
    expect(esl.subarray(44, 144).equals(a)).toBe(true);
    // second list follows directly
    expect(esl.readUInt32LE(144 + 16)).toBe(28 + 16 + 37);
    expect(esl.subarray(144 + 44).equals(b)).toBe(true);
  });

  test('parses back to the same certificates and owner', () => {
    const certs = [fakeDer(64, 7), fakeDer(2000, 9)];
    const entries = parseSignatureLists(x509SignatureLists(certs));
    expect(entries.map((e) => e.type)).toEqual([EFI_CERT_X509_GUID, EFI_CERT_X509_GUID]);
    expect(entries.map((e) => e.owner)).toEqual([DEFAULT_OWNER_GUID, DEFAULT_OWNER_GUID]);
    expect(entries.map((e, i) => e.data.equals(certs[i]))).toEqual([true, true]);
  });

  test('refuses an empty list or an empty certificate', () => {
    expect(() => x509SignatureLists([])).toThrow('no certificate');
    expect(() => x509SignatureLists([Buffer.alloc(0)])).toThrow('empty certificate');
  });
});

describe('parseSignatureLists', () => {
  test('several signatures in one list (as other tools may write)', () => {
    const header = Buffer.alloc(28);
    guidToBytes(EFI_CERT_X509_GUID).copy(header);
    header.writeUInt32LE(28 + 2 * 20, 16);
    header.writeUInt32LE(20, 24);
    const sig = (fill: number) => Buffer.concat([guidToBytes(DEFAULT_OWNER_GUID), Buffer.alloc(4, fill)]);
    const entries = parseSignatureLists(Buffer.concat([header, sig(1), sig(2)]));
    expect(entries.map((e) => e.data.toString('hex'))).toEqual(['01010101', '02020202']);
  });
  test('truncated or inconsistent input is an error', () => {
    const esl = x509SignatureLists([fakeDer(50, 3)]);
    expect(() => parseSignatureLists(esl.subarray(0, 20))).toThrow('truncated');
    expect(() => parseSignatureLists(esl.subarray(0, esl.length - 1))).toThrow('bad size');
    const bad = Buffer.from(esl);
    bad.writeUInt32LE(7, 24);
    expect(() => parseSignatureLists(bad)).toThrow('does not divide');
  });
});

describe('certificatesFrom', () => {
  test('every PEM CERTIFICATE block, other PEM blocks ignored', () => {
    const der1 = fakeDer(40, 4);
    const der2 = fakeDer(90, 5);
    const pem = (d: Buffer) => `-----BEGIN CERTIFICATE-----\n${d.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const text = `subject=CN=x\n${pem(der1)}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${pem(der2)}`;
    const certs = certificatesFrom(Buffer.from(text));
    expect(certs.map((c) => c.toString('hex'))).toEqual([der1.toString('hex'), der2.toString('hex')]);
  });
  test('DER input is one certificate; anything else is refused', () => {
    const der = fakeDer(30, 6);
    expect(certificatesFrom(der)).toEqual([der]);
    expect(() => certificatesFrom(Buffer.from('hello'))).toThrow('neither PEM nor');
    expect(() => certificatesFrom(Buffer.from('-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n'))).toThrow('without a CERTIFICATE');
  });
});
