/**
 * OMAPI message signing, pure. dhcpd authenticates OMAPI with a TSIG-style shared key: once the
 * client has opened an "authenticator" object, every message in both directions carries an
 * HMAC over all its bytes except the leading 4-byte authid and the signature itself.
 */
import { createHmac, timingSafeEqual } from 'crypto';

/** Key algorithms dhcpd 4.4.3 accepts in a `key { algorithm …; }` statement. */
export const OMAPI_ALGORITHMS = {
  'hmac-md5': { digest: 'md5', length: 16 },
  'hmac-sha1': { digest: 'sha1', length: 20 },
  'hmac-sha224': { digest: 'sha224', length: 28 },
  'hmac-sha256': { digest: 'sha256', length: 32 },
  'hmac-sha384': { digest: 'sha384', length: 48 },
  'hmac-sha512': { digest: 'sha512', length: 64 },
} as const;

export type OmapiAlgorithm = keyof typeof OMAPI_ALGORITHMS;

/** The suffix dhcpd's client library adds to an algorithm name without a dot. */
const TSIG_SUFFIX = '.SIG-ALG.REG.INT.';

/**
 * Accepts `hmac-md5`, `HMAC-SHA256`, or the long form `hmac-md5.SIG-ALG.REG.INT.`; throws a
 * clear error for anything dhcpd would not accept.
 */
export function parseAlgorithm(name: string): OmapiAlgorithm {
  let n = String(name).trim().toLowerCase();
  if (n.endsWith(TSIG_SUFFIX.toLowerCase())) n = n.slice(0, -TSIG_SUFFIX.length);
  if (n in OMAPI_ALGORITHMS) return n as OmapiAlgorithm;
  throw new Error(
    `Unsupported OMAPI key algorithm "${name}" (supported: ${Object.keys(OMAPI_ALGORITHMS).join(', ')})`,
  );
}

/** The algorithm name as omshell sends it in the authenticator object. */
export function wireAlgorithmName(alg: OmapiAlgorithm): string {
  return alg + TSIG_SUFFIX;
}

/** Decodes a base64 key secret strictly (a typo in the secret must not become a different key). */
export function decodeSecret(secretBase64: string): Buffer {
  const s = String(secretBase64).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0 || s.length === 0) {
    throw new Error('OMAPI key secret is not valid base64');
  }
  return Buffer.from(s, 'base64');
}

export class OmapiSigner {
  readonly algorithm: OmapiAlgorithm;
  /** Signature (= digest) length in bytes: the message's authlen. */
  readonly length: number;
  private readonly digest: string;
  private readonly key: Buffer;

  constructor(algorithm: OmapiAlgorithm | string, secret: Buffer | string) {
    this.algorithm = parseAlgorithm(algorithm);
    this.digest = OMAPI_ALGORITHMS[this.algorithm].digest;
    this.length = OMAPI_ALGORITHMS[this.algorithm].length;
    this.key = typeof secret === 'string' ? decodeSecret(secret) : Buffer.from(secret);
  }

  /** HMAC of the signed part of a message (its bytes from offset 4 up to the signature). */
  sign(signedBytes: Buffer): Buffer {
    return createHmac(this.digest, this.key).update(signedBytes).digest();
  }

  verify(signedBytes: Buffer, signature: Buffer): boolean {
    if (signature.length !== this.length) return false;
    return timingSafeEqual(this.sign(signedBytes), signature);
  }
}
