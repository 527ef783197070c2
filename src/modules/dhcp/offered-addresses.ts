/**
 * The "recently offered" memory of `unused_ip` (reference §7.6): an address handed out is not
 * offered again until its mark expires, so two hosts being provisioned at the same time do not get
 * the same suggestion. Behind an interface so that cluster workers can later share one memory
 * (the primary process holding it, workers asking over IPC); `claim` is the only operation that
 * must be atomic.
 */
export interface OfferedAddressStore {
  /**
   * Marks `ip` as offered until `expiresAt` (ms since the epoch) unless it carries a mark that is
   * still valid at `now`. Resolves true when this call placed the mark: the caller owns the address.
   */
  claim(ip: string, now: number, expiresAt: number): Promise<boolean>;
  /** Drops marks that expired at or before `now`. */
  sweep(now: number): Promise<void>;
  /** Whether `ip` carries a mark still valid at `now` (diagnostics and tests). */
  isOffered(ip: string, now: number): Promise<boolean>;
}

/** One process's memory: a map whose insertion order is the order of expiry. */
export class LocalOfferedAddresses implements OfferedAddressStore {
  private readonly marks = new Map<string, number>();

  /** The synchronous core of `claim`; its atomicity is what keeps concurrent searches apart. */
  claimSync(ip: string, now: number, expiresAt: number): boolean {
    const current = this.marks.get(ip);
    if (current !== undefined && current > now) return false;
    // Re-inserted at the end, so the map stays ordered by expiry for `sweep`.
    this.marks.delete(ip);
    this.marks.set(ip, expiresAt);
    return true;
  }

  sweepSync(now: number): number {
    let dropped = 0;
    for (const [ip, expiresAt] of this.marks) {
      if (expiresAt > now) break;
      this.marks.delete(ip);
      dropped += 1;
    }
    return dropped;
  }

  async claim(ip: string, now: number, expiresAt: number): Promise<boolean> {
    return this.claimSync(ip, now, expiresAt);
  }

  async sweep(now: number): Promise<void> {
    this.sweepSync(now);
  }

  async isOffered(ip: string, now: number): Promise<boolean> {
    const expiresAt = this.marks.get(ip);
    return expiresAt !== undefined && expiresAt > now;
  }

  get size(): number {
    return this.marks.size;
  }
}
