/**
 * Writes reservation changes into Kea's configuration when no host_cmds hook is there (Kea 2.2):
 * `config-get` → change → `config-test` → `config-get` again → `config-set` → `config-write`.
 *
 * - One cycle at a time in this process (an in-process queue), so concurrent requests never
 *   overwrite each other's changes. Changes that queue up while a cycle runs are applied together
 *   in the next one (one config-set for many reservations); if Kea refuses such a batch, each
 *   change is retried alone so only the faulty one fails.
 * - Kea 2.2 has no compare-and-set (config-hash-get came in 2.4), so the configuration the
 *   change was made on (a config-get answer, possibly the provider's read of moments ago) is
 *   compared (SHA-256 of the JSON) with a fresh config-get right before config-set. If someone
 *   else changed it meanwhile, the changes are re-applied to that fresh configuration, up to
 *   `attempts` times, then ConfigChangedError. The window left is the one round trip between
 *   that config-get and config-set.
 */
import { createHash } from 'crypto';
import { log } from '../../../../core/log';
import { KeaCommandError } from './kea-client';
import { Json } from './kea-config';

/** The configuration commands the writer needs (over the command API in production). */
export interface KeaConfigApi {
  /** config-get's arguments: `{ "Dhcp4": {…} }`. */
  get(): Promise<Json>;
  /**
   * A config-get answer read moments ago, if there is one: the first cycle starts from it
   * instead of reading again (the check before config-set still compares with a fresh read).
   */
  recent?(): Json | undefined;
  test(config: Json): Promise<void>;
  set(config: Json): Promise<void>;
  write(): Promise<void>;
}

/** Applies one change to `Dhcp4` in place; false when nothing needed changing; throws to refuse. */
export type ConfigChange = (dhcp4: Json) => boolean;

/** The configuration kept changing behind our back for every attempt. */
export class ConfigChangedError extends Error {
  override name = 'ConfigChangedError';
  constructor(readonly attempts: number) {
    super(`Kea's configuration was changed by someone else during each of ${attempts} attempts; nothing was written`);
  }
}

/** config-set succeeded (the change is live) but config-write failed (it is not on disk). */
export class PersistError extends Error {
  override name = 'PersistError';
  constructor(override readonly cause: unknown) {
    super(`the change is active in Kea but config-write failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export interface ConfigWriterOptions {
  /** Cycles tried when the configuration changes behind our back (default 3). */
  attempts?: number;
  /** Most changes applied in one config-set (default 50). */
  maxBatch?: number;
  /** Whether to send config-write after config-set (default true). */
  persist?: boolean;
  /** Told about every configuration successfully set (the provider's view follows it). */
  applied?: (config: Json) => void;
}

interface Pending {
  change: ConfigChange;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Kea refused the edited configuration in config-test. */
class TestRefused extends Error {
  constructor(override readonly cause: KeaCommandError) {
    super(cause.message);
  }
}

export function configDigest(config: Json): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

export class ConfigWriter {
  private readonly queue: Pending[] = [];
  private busy = false;
  /** config-set calls made, for tests and logs. */
  sets = 0;

  constructor(private readonly api: KeaConfigApi, private readonly opts: ConfigWriterOptions = {}) {}

  /** Resolves once the change is in Kea's running configuration (and written to its file). */
  submit(change: ConfigChange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.opts.maxBatch ?? 50);
        await this.runBatch(batch);
      }
    } finally {
      this.busy = false;
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    let refusals: Map<Pending, unknown>;
    try {
      refusals = await this.cycle(batch);
    } catch (e) {
      if (e instanceof TestRefused && batch.length > 1) {
        log.warn(`Kea refused ${batch.length} reservation changes together (${e.message}); applying them one by one`);
        for (const p of batch) await this.runBatch([p]);
        return;
      }
      const reason = e instanceof TestRefused ? e.cause : e;
      for (const p of batch) p.reject(reason);
      return;
    }
    for (const p of batch) {
      if (refusals.has(p)) p.reject(refusals.get(p));
      else p.resolve();
    }
  }

  /** One guarded read-modify-write; returns the changes that refused to apply, with their errors. */
  private async cycle(batch: Pending[]): Promise<Map<Pending, unknown>> {
    const attempts = this.opts.attempts ?? 3;
    const recent = this.api.recent?.();
    let base = recent ?? await this.api.get();
    // Whether `base` was read for this cycle (a recent read must be confirmed before it decides).
    let fresh = recent === undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const digest = configDigest(base);
      const work = structuredClone(base);
      const refusals = new Map<Pending, unknown>();
      let changed = false;
      for (const p of batch) {
        try {
          if (p.change(work.Dhcp4)) changed = true;
        } catch (e) {
          refusals.set(p, e);
        }
      }
      if (!changed) {
        if (fresh) return refusals;
        // Nothing to write, judged on the recent read: confirm it still is Kea's configuration.
        const now = await this.api.get();
        if (configDigest(now) === digest) return refusals;
        base = now;
        fresh = true;
        continue;
      }
      try {
        await this.api.test(work);
      } catch (e) {
        if (!(e instanceof KeaCommandError)) throw e;
        if (fresh) throw new TestRefused(e);
        // Judged on the recent read: try again on a configuration read now.
        base = await this.api.get();
        fresh = true;
        continue;
      }
      const now = await this.api.get();
      if (configDigest(now) !== digest) {
        log.warn(`Kea's configuration changed while a reservation change was prepared (attempt ${attempt} of ${attempts}); re-applying it`);
        // The configuration just read is the next attempt's starting point.
        base = now;
        fresh = true;
        continue;
      }
      await this.api.set(work);
      this.sets += 1;
      this.opts.applied?.(work);
      if (this.opts.persist ?? true) {
        try {
          await this.api.write();
        } catch (e) {
          throw new PersistError(e);
        }
      }
      return refusals;
    }
    throw new ConfigChangedError(attempts);
  }
}
