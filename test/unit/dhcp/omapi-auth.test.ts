import { createHmac } from 'crypto';
import {
  OMAPI_ALGORITHMS,
  OmapiSigner,
  decodeSecret,
  parseAlgorithm,
  wireAlgorithmName,
} from '../../../src/modules/dhcp/providers/isc/omapi/auth';

describe('OMAPI key algorithms', () => {
  it('accepts the short, upper-case and long (TSIG) spellings', () => {
    expect(parseAlgorithm('hmac-md5')).toBe('hmac-md5');
    expect(parseAlgorithm('HMAC-SHA256')).toBe('hmac-sha256');
    expect(parseAlgorithm('hmac-md5.SIG-ALG.REG.INT.')).toBe('hmac-md5');
    expect(parseAlgorithm(' hmac-sha512 ')).toBe('hmac-sha512');
  });

  it('refuses algorithms dhcpd does not support, naming the supported ones', () => {
    expect(() => parseAlgorithm('hmac-sha3')).toThrow(/Unsupported OMAPI key algorithm "hmac-sha3".*hmac-md5/);
    expect(() => parseAlgorithm('md5')).toThrow(/Unsupported/);
  });

  it('sends the long form like omshell', () => {
    expect(wireAlgorithmName('hmac-md5')).toBe('hmac-md5.SIG-ALG.REG.INT.');
    expect(wireAlgorithmName('hmac-sha256')).toBe('hmac-sha256.SIG-ALG.REG.INT.');
  });
});

describe('OMAPI key secrets', () => {
  it('decodes base64', () => {
    expect(decodeSecret('ZGhjcGxhYi1vbWFwaS1rZXk=').toString()).toBe('dhcplab-omapi-key');
  });

  it('refuses something that is not base64 instead of signing with a different key', () => {
    expect(() => decodeSecret('not base64!')).toThrow(/not valid base64/);
    expect(() => decodeSecret('abc')).toThrow(/not valid base64/);
    expect(() => decodeSecret('')).toThrow(/not valid base64/);
  });
});

describe('OmapiSigner', () => {
  const secret = Buffer.from('dhcplab-omapi-key');
  const data = Buffer.from('signed bytes of an OMAPI message');

  it.each(Object.entries(OMAPI_ALGORITHMS))('%s: HMAC of the right digest and length', (alg, spec) => {
    const s = new OmapiSigner(alg, secret);
    expect(s.length).toBe(spec.length);
    const sig = s.sign(data);
    expect(sig).toHaveLength(spec.length);
    expect(sig.equals(createHmac(spec.digest, secret).update(data).digest())).toBe(true);
    expect(s.verify(data, sig)).toBe(true);
    expect(s.verify(Buffer.concat([data, Buffer.from('x')]), sig)).toBe(false);
    expect(s.verify(data, sig.subarray(1))).toBe(false);
  });

  it('takes the secret as base64 text or as raw bytes', () => {
    const a = new OmapiSigner('hmac-md5', 'ZGhjcGxhYi1vbWFwaS1rZXk=');
    const b = new OmapiSigner('hmac-md5', secret);
    expect(a.sign(data).equals(b.sign(data))).toBe(true);
  });
});
