/**
 * What every DHCP provider does alike with the boot options of a posted reservation (filename,
 * nextServer, hostname…), whatever it writes them into: reading a posted value as one string,
 * recognising a UEFI HTTP boot URL, and turning a next-server name into an IPv4 address. How a
 * provider refuses a value it cannot store (its own error class and text) stays with it.
 */
import { promises as dns } from 'dns';
import { isIpv4 } from './validation';

export type ResolveIpv4 = (name: string) => Promise<string | null>;

export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * A posted option as one string; lists and objects are refused rather than stringified, with the
 * error `refuse` makes from the message.
 */
export function optionText(v: unknown, what: string, refuse: (message: string) => Error): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw refuse(`Invalid ${what}: a single text value is expected`);
}

/** Whether a boot file name is an HTTP(S) URL, i.e. a UEFI HTTP boot reservation. */
export function isHttpBootUrl(filename: string): boolean {
  return /^https?:\/\//i.test(filename);
}

/** First IPv4 address of a name via the system resolver, or null (not found, or after `timeoutMs`). */
export async function resolveIpv4(name: string, timeoutMs = 3000): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), timeoutMs);
  });
  try {
    const found = dns.lookup(name, { family: 4 }).then((a) => a.address).catch(() => null);
    return await Promise.race([found, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The IPv4 address a posted nextServer stands for: the value itself when it is one, else what
 * `resolve` finds for the name; null when neither gives an address (an empty value is not looked up).
 */
export async function nextServerIpv4(value: string, resolve: ResolveIpv4): Promise<string | null> {
  if (isIpv4(value)) return value;
  const ip = value ? await resolve(value).catch(() => null) : null;
  return ip && isIpv4(ip) ? ip : null;
}
