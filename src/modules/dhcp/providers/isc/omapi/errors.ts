/**
 * OMAPI failures as one typed error, so the ISC provider can map them to the baseline's HTTP
 * answers without parsing texts.
 */

export type OmapiErrorKind =
  /** No TCP connection (refused, no route, connect timeout, closed before the startup finished). */
  | 'unreachable'
  /** Connected, but the server did not answer in time. */
  | 'timeout'
  /** Key name, algorithm or secret refused by the server, or a reply failing signature checks. */
  | 'auth'
  /** A lookup key (e.g. hardware address) belongs to another object: DHCP_R_KEYCONFLICT. */
  | 'conflict'
  /** No object matches: ISC_R_NOTFOUND. */
  | 'not_found'
  /** The object exists already (create + exclusive, or a name in use): ISC_R_EXISTS. */
  | 'exists'
  /** Any other failure reported by, or in the conversation with, the server. */
  | 'server';

export class OmapiError extends Error {
  override readonly name = 'OmapiError';

  constructor(
    readonly kind: OmapiErrorKind,
    message: string,
    /** The STATUS result code, when the server sent one. */
    readonly result?: number,
  ) {
    super(message);
  }
}

/** dhcpd's own result codes are ISC_RESULTCLASS_DHCP (6 << 16) + n. */
const DHCP_CLASS = 0x60000;

export const OmapiResult = {
  SUCCESS: 0,
  EXISTS: 18,
  NOTFOUND: 23,
  NOTIMPLEMENTED: 27,
  INVALIDARG: DHCP_CLASS + 3,
  MULTIPLE: DHCP_CLASS + 6,
  KEYCONFLICT: DHCP_CLASS + 7,
  BADPARSE: DHCP_CLASS + 8,
  NOKEYS: DHCP_CLASS + 9,
  KEY_UNKNOWN: DHCP_CLASS + 10,
  INVALIDKEY: DHCP_CLASS + 11,
  UNKNOWNATTRIBUTE: DHCP_CLASS + 32,
} as const;

/** Short names for the codes a host write can meet (texts as isc_result_totext() gives them). */
const RESULT_TEXT: Record<number, string> = {
  [OmapiResult.EXISTS]: 'already exists',
  [OmapiResult.NOTFOUND]: 'not found',
  [OmapiResult.NOTIMPLEMENTED]: 'not implemented',
  [OmapiResult.INVALIDARG]: 'invalid argument',
  [OmapiResult.MULTIPLE]: 'more than one object matches key',
  [OmapiResult.KEYCONFLICT]: 'key conflict',
  [OmapiResult.BADPARSE]: 'parse error',
  [OmapiResult.NOKEYS]: 'the server requires an OMAPI key',
  [OmapiResult.KEY_UNKNOWN]: 'OMAPI key unknown to the server',
  [OmapiResult.INVALIDKEY]: 'message signature refused by the server (wrong key secret?)',
  [OmapiResult.UNKNOWNATTRIBUTE]: 'unknown attribute',
};

export function resultKind(result: number): OmapiErrorKind {
  switch (result) {
    case OmapiResult.EXISTS:
      return 'exists';
    case OmapiResult.NOTFOUND:
      return 'not_found';
    case OmapiResult.KEYCONFLICT:
      return 'conflict';
    case OmapiResult.NOKEYS:
    case OmapiResult.KEY_UNKNOWN:
    case OmapiResult.INVALIDKEY:
      return 'auth';
    default:
      return 'server';
  }
}

/** "key conflict (object lookup failed)", "result 12345", … for error messages. */
export function describeResult(result: number, serverText?: string): string {
  const name = RESULT_TEXT[result] ?? `result ${result}`;
  return serverText && serverText !== name ? `${name} (${serverText})` : name;
}

/** The error for a STATUS reply with a non-zero result. */
export function statusError(action: string, result: number, serverText?: string): OmapiError {
  return new OmapiError(resultKind(result), `${action}: ${describeResult(result, serverText)}`, result);
}
