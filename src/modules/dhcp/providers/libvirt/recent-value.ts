/**
 * A value read from a server, shared for a short time: concurrent and back-to-back readers within
 * `ttlMs` get the same read (one `virsh` run instead of one per lookup), failed reads are not
 * kept, and `invalidate()` makes the next reader start a fresh read, even while an older read is
 * still under way (that older read only reaches those who asked before the invalidation).
 */
export class RecentValue<T> {
  private entry?: { generation: number; startedAt: number; value: Promise<T> };
  private generation = 0;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const e = this.entry;
    if (e && e.generation === this.generation && this.clock() - e.startedAt < this.ttlMs) return e.value;
    const entry = { generation: this.generation, startedAt: this.clock(), value: this.read() };
    this.entry = entry;
    entry.value.catch(() => {
      if (this.entry === entry) this.entry = undefined;
    });
    return entry.value;
  }

  invalidate(): void {
    this.generation += 1;
    this.entry = undefined;
  }
}
