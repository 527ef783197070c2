import { log } from '../../core/log';
import { intToIpv4 } from './ipv4';
import type { OfferedAddressStore } from './offered-addresses';
import type { AddressProber } from './probe';

/** The baseline's cleaner period for expired "recently offered" marks. */
export const CLEANUP_INTERVAL_MS = 60_000;
/** `blacklist_duration_minutes` default; the baseline reads the value as seconds. */
export const DEFAULT_OFFER_TTL_SECONDS = 1800;
/** Candidates visited between yields to the event loop, so a huge range never stalls requests. */
const YIELD_EVERY = 4096;

export interface FreeIpsOptions {
  store: OfferedAddressStore;
  /** How long an offered address stays marked (the provider's `blacklist_duration_minutes`, as seconds). */
  ttlSeconds: number;
  /** `ping_free_ip`: probe candidates and skip the ones that answer. */
  ping: boolean;
  prober: AddressProber;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random?: () => number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

/**
 * Every integer in [0, count) exactly once, in random order: a Fisher–Yates shuffle done lazily,
 * remembering only the swapped slots, so a /8 costs nothing until candidates are drawn.
 */
export function* randomOrder(count: number, random: () => number = Math.random): Generator<number> {
  if (!(count > 0)) throw new Error('Zero or negative number of indices');
  const swapped = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (count - i));
    const atJ = swapped.get(j) ?? j;
    const atI = swapped.get(i) ?? i;
    swapped.set(j, atI);
    swapped.delete(i);
    yield atJ;
  }
}

/** Whether an address belongs to an existing record (reservation or lease). */
export type TakenCheck = (ip: string) => boolean | Promise<boolean>;

/** The free-address search of `unused_ip` and its "recently offered" memory (reference §7.6). */
export class FreeIps {
  private readonly random: () => number;
  private readonly now: () => number;
  private cleaner?: NodeJS.Timeout;

  constructor(private readonly opts: FreeIpsOptions) {
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
  }

  get store(): OfferedAddressStore {
    return this.opts.store;
  }

  /**
   * A random address of [first, last] (integers) that is neither an existing record's IP (`taken`:
   * the set of record IPs, or a lookup) nor recently offered, marked as offered before it is
   * probed; pinged-alive addresses stay marked.
   * Resolves null when every address is taken.
   */
  async findFreeIp(first: number, last: number, taken: ReadonlySet<string> | TakenCheck): Promise<string | null> {
    const isTaken = typeof taken === 'function' ? taken : (ip: string) => taken.has(ip);
    const count = last - first + 1;
    let visited = 0;
    for (const offset of randomOrder(count, this.random)) {
      if (++visited % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
      const candidate = intToIpv4(first + offset);
      if (await isTaken(candidate)) continue;
      const now = this.now();
      if (!(await this.opts.store.claim(candidate, now, now + this.opts.ttlSeconds * 1000))) continue;
      if (!this.opts.ping) return candidate;
      try {
        log.debug(`Searching for free IP - pinging ${candidate}.`);
        if (await this.opts.prober.isAlive(candidate)) {
          log.debug(`Found a pingable IP(${candidate}) address which does not have a Proxy::DHCP record.`);
          continue;
        }
        log.debug(`Found free IP ${candidate} out of a total of ${count} free IPs.`);
        return candidate;
      } catch (err) {
        log.error(`Exception when pinging ${candidate}. Skipping the address.`, err);
      }
    }
    log.warn(`No free IPs in range ${intToIpv4(first)}..${intToIpv4(last)}.`);
    return null;
  }

  /** Drops expired marks now (the cleaner does this every minute). */
  async cleanUp(): Promise<void> {
    await this.opts.store.sweep(this.now());
  }

  start(intervalMs = CLEANUP_INTERVAL_MS): void {
    if (this.cleaner) return;
    log.info('Starting allocated ip address maintenance (used by unused_ip call).');
    this.cleaner = setInterval(() => {
      this.cleanUp().catch((err) => log.error(`Cleaning up offered addresses failed: ${(err as Error).message}`, err));
    }, intervalMs);
    this.cleaner.unref();
  }

  stop(): void {
    if (this.cleaner) clearInterval(this.cleaner);
    this.cleaner = undefined;
  }
}
