import * as fs from 'fs';
import * as path from 'path';
import { StringDecoder } from 'string_decoder';
import { collectGarbageSoon } from '../../../../core/heap';
import { log as defaultLog, Logger } from '../../../../core/log';
import { parseConfigAsync } from './parser/conf';
import { LeasesStreamParser } from './parser/leases';
import { IscState } from './state';

/**
 * Keeps an IscState in step with dhcpd's files (reference §7.8.3):
 * - start: parse dhcpd.conf (with includes), then the whole leases file;
 * - the leases file grew: read only the appended bytes and apply what they complete
 *   (a block cut off by the end of the read waits for the next one);
 * - the leases file was replaced (dhcpd writes a new file and renames it over the old one, so the
 *   inode changes) or shrank: re-read dhcpd.conf and the whole leases file.
 * Changes are noticed by fs.watch on the leases file's directory and, because watch events can be
 * missed (or be unavailable), by a cheap periodic stat. Bursts of events are coalesced, one worker
 * applies them in order, and every read is asynchronous: a full reload is built off to the side,
 * chunk by chunk, and swapped in at once, so requests keep being answered from the previous state.
 */

export type Change = 'none' | 'modified' | 'recreated' | 'stopped';

/**
 * The coalescing rule for noticed changes: `recreated` (full reload) absorbs `modified`; `stopped`
 * overrides everything and nothing follows it.
 */
export class PendingChange {
  private last: Change = 'none';

  get value(): Change {
    return this.last;
  }

  push(change: Exclude<Change, 'none'>): void {
    if (change === 'stopped') this.last = 'stopped';
    else if (change === 'modified') {
      if (this.last === 'none') this.last = 'modified';
    } else if (this.last === 'none' || this.last === 'modified') this.last = 'recreated';
  }

  /** Returns the pending change and resets to none (except after stop). */
  pop(): Change {
    const change = this.last;
    if (change !== 'stopped') this.last = 'none';
    return change;
  }
}

export interface LeasesFollowerOptions {
  configPath: string;
  leasesPath: string;
  state: IscState;
  /** Interval of the fallback stat poll. */
  pollIntervalMs?: number;
  /** Delay after a watch event before acting, to take a burst of writes at once. */
  settleMs?: number;
  /** Bytes read per step when loading the whole file. */
  chunkSize?: number;
  /** Use fs.watch (default); without it changes are noticed by the poll alone. */
  watch?: boolean;
  log?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

/** A full reload whose config part is done: the opened leases file and the state it goes into. */
interface PreparedLoad {
  handle: fs.promises.FileHandle;
  identity: { dev: number; ino: number };
  fresh: IscState;
}

export class LeasesFollower {
  private readonly pending = new PendingChange();
  private readonly log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  private readonly pollIntervalMs: number;
  private readonly settleMs: number;
  private readonly chunkSize: number;
  private readonly leasesPath: string;
  private readonly leasesName: string;

  private handle: fs.promises.FileHandle | null = null;
  private identity: { dev: number; ino: number } | null = null;
  private position = 0;
  private decoder = new StringDecoder('utf8');
  private parser: LeasesStreamParser;

  private watcher: fs.FSWatcher | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private runTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastFailure = '';
  private firstLoad: Promise<void> | null = null;
  private signalStop!: () => void;
  /** Resolves when stop() is called: a deferred read gives up waiting. */
  private readonly stopping = new Promise<void>((resolve) => (this.signalStop = resolve));
  private firstLoadError: Error | null = null;
  private waiters: (() => void)[] = [];

  /** Counters, for logs and tests. */
  readonly stats = { fullLoads: 0, appendedReads: 0, failures: 0 };

  constructor(private readonly options: LeasesFollowerOptions) {
    this.log = options.log ?? defaultLog;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.settleMs = options.settleMs ?? 50;
    this.chunkSize = options.chunkSize ?? 1024 * 1024;
    this.leasesPath = path.resolve(options.leasesPath);
    this.leasesName = path.basename(this.leasesPath);
    this.parser = new LeasesStreamParser(this.leasesPath);
  }

  /** Loads config and leases (errors reject), then follows the file. */
  async start(): Promise<void> {
    await this.begin();
    try {
      await this.loaded();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /**
   * Parses dhcpd.conf and opens the leases file (errors reject: the module fails to start), then
   * reads the leases file in the background and follows it from then on. Until that first read
   * has been applied, `loaded()` is pending; readers of the state wait for it. `after` defers the
   * read (e.g. until the proxy answers requests, so that the read does not hold up its start).
   */
  async begin(after?: Promise<void>): Promise<void> {
    this.watch();
    const prepare = this.prepareFullLoad();
    const read = async (prepared: PreparedLoad): Promise<void> => {
      if (after) await Promise.race([after, this.stopping]);
      if (this.stopped) {
        this.options.state.abortRebuild();
        await prepared.handle.close().catch(() => undefined);
        return;
      }
      await this.finishFullLoad(prepared).catch((err: Error) => this.firstLoadFailed(err));
    };
    const first = prepare.then(read, () => undefined);
    // Events seen while loading wait for the load (the worker treats `running` as busy).
    this.firstLoad = first;
    this.running = first.finally(() => {
      this.running = null;
      this.firstLoad = null;
      if (this.pending.value !== 'none' && !this.stopped) this.notice('modified', 0);
      else this.releaseWaiters();
    });
    try {
      await prepare;
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.pollTimer = setInterval(() => void this.poll(), this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private firstLoadFailed(err: Error): void {
    this.stats.failures++;
    this.lastFailure = err.message;
    this.firstLoadError = err;
    this.log.error(`Reading the DHCP leases failed; retrying on every poll: ${err.message}`, err);
  }

  /**
   * Resolves once the state holds a whole leases file: at once after the first load, or when it
   * ends. Rejects while no load has succeeded (a failed first load is retried on every poll).
   */
  async loaded(): Promise<void> {
    if (this.firstLoad) await this.firstLoad;
    if (this.stats.fullLoads === 0 && this.firstLoadError) {
      throw new Error(`The DHCP leases file ${this.leasesPath} could not be read: ${this.firstLoadError.message}`);
    }
  }

  /** Stops watching and polling, waits for work under way, and closes the leases file. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    this.pending.push('stopped');
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.runTimer) clearTimeout(this.runTimer);
    this.pollTimer = this.runTimer = null;
    this.watcher?.close();
    this.watcher = null;
    await this.running;
    await this.closeHandle();
    this.releaseWaiters();
  }

  /** Makes the follower look at the file now (as a watch event would). */
  poke(): void {
    this.notice('modified', 0);
  }

  /** Resolves once every change noticed so far has been applied. */
  settled(): Promise<void> {
    if (!this.running && !this.runTimer) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private watch(): void {
    if (this.watcher || this.stopped || this.options.watch === false) return;
    try {
      this.watcher = fs.watch(path.dirname(this.leasesPath), { persistent: false }, (event, filename) => {
        if (filename !== null && filename !== undefined && filename.toString() !== this.leasesName) return;
        this.notice(event === 'rename' ? 'recreated' : 'modified', this.settleMs);
      });
      this.watcher.on('error', (err) => {
        this.log.warn(`Watching ${path.dirname(this.leasesPath)} failed (${err.message}); relying on polling`);
        this.watcher?.close();
        this.watcher = null;
      });
    } catch (err) {
      this.log.warn(`Cannot watch ${path.dirname(this.leasesPath)} (${(err as Error).message}); relying on polling`);
      this.watcher = null;
    }
  }

  private notice(change: 'modified' | 'recreated', delay: number): void {
    if (this.stopped) return;
    this.pending.push(change);
    if (this.runTimer || this.running) return; // the worker picks it up when it loops
    this.runTimer = setTimeout(() => {
      this.runTimer = null;
      this.running = this.work().finally(() => {
        this.running = null;
        if (this.pending.value !== 'none' && !this.stopped) this.notice('modified', 0);
        else this.releaseWaiters();
      });
    }, delay);
  }

  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  /** Applies pending changes until none is left. Never throws. */
  private async work(): Promise<void> {
    for (;;) {
      const change = this.pending.pop();
      if (change === 'none' || change === 'stopped') return;
      try {
        if (change === 'recreated') await this.fullLoad();
        else await this.followAppends();
        this.lastFailure = '';
      } catch (err) {
        this.stats.failures++;
        const message = (err as Error).message;
        // A reload that keeps failing is retried on every poll; say so once, not every second.
        if (message !== this.lastFailure) this.log.error(`Reading the DHCP leases failed, keeping the previous state: ${message}`, err);
        this.lastFailure = message;
      }
    }
  }

  /** The poll: compares the file on disk with the one being followed. */
  private async poll(): Promise<void> {
    if (this.stopped || this.running || this.runTimer) return;
    if (!this.watcher) this.watch();
    try {
      const st = await fs.promises.stat(this.leasesPath);
      if (!this.identity || st.ino !== this.identity.ino || st.dev !== this.identity.dev) this.notice('recreated', 0);
      else if (st.size !== this.position) this.notice('modified', 0);
    } catch {
      // Missing for a moment (being replaced): the next poll looks again.
    }
  }

  /** Reads what was appended since the last read; escalates to a full reload if replaced. */
  private async followAppends(): Promise<void> {
    if (!this.handle || !this.identity) return this.fullLoad();
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(this.leasesPath);
    } catch {
      return; // being replaced; the rename event or the poll will bring the new file
    }
    if (st.ino !== this.identity.ino || st.dev !== this.identity.dev || st.size < this.position) return this.fullLoad();
    if (st.size === this.position) return;
    const count = await this.readInto(this.handle, this.options.state);
    this.stats.appendedReads++;
    this.log.debug(`Applied ${count} record(s) appended to ${this.leasesPath}`);
  }

  /**
   * Reads from the current position to the end of the file, applying complete records to `state`
   * as each chunk is parsed. Returns the number of records applied.
   */
  private async readInto(handle: fs.promises.FileHandle, state: IscState): Promise<number> {
    const buffer = Buffer.allocUnsafe(this.chunkSize);
    let count = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      const records = this.parser.push(this.decoder.write(buffer.subarray(0, bytesRead)));
      state.applyRecords(records);
      count += records.length;
    }
    for (const err of this.parser.takeErrors()) this.log.warn(`Skipped damaged text in the leases file: ${err.message}`);
    return count;
  }

  /** Re-reads dhcpd.conf and the whole leases file into a fresh state, then swaps it in. */
  private async fullLoad(): Promise<void> {
    await this.finishFullLoad(await this.prepareFullLoad());
  }

  /**
   * The first half of a full reload: opens the leases file, then parses dhcpd.conf (with its
   * includes) into a fresh state. Errors (a missing file, an invalid subnet) reject and change
   * nothing.
   */
  private async prepareFullLoad(): Promise<PreparedLoad> {
    const { configPath, state } = this.options;
    // From here on, writes confirmed by dhcpd are journaled and replayed onto the fresh state.
    state.beginRebuild();
    let handle: fs.promises.FileHandle | null = null;
    try {
      handle = await fs.promises.open(this.leasesPath, 'r');
      const identity = await handle.stat();
      const configText = await fs.promises.readFile(configPath, 'utf8');
      const config = await parseConfigAsync(configText, { path: configPath, readFile: (p) => fs.promises.readFile(p, 'utf8') });
      const fresh = state.spawnEmpty();
      fresh.loadConfig(config);
      return { handle, identity: { dev: identity.dev, ino: identity.ino }, fresh };
    } catch (err) {
      state.abortRebuild();
      await handle?.close().catch(() => undefined);
      throw err;
    }
  }

  /** The second half: reads the whole leases file into the fresh state and swaps it in. */
  private async finishFullLoad({ handle, identity, fresh }: PreparedLoad): Promise<void> {
    const { configPath, state } = this.options;
    const saved = { position: this.position, decoder: this.decoder, parser: this.parser };
    try {
      this.position = 0;
      this.decoder = new StringDecoder('utf8');
      this.parser = new LeasesStreamParser(this.leasesPath);
      const count = await this.readInto(handle, fresh);
      if (this.parser.hasUnfinishedStatement()) {
        this.log.debug(`The leases file ends inside a statement (line ${this.parser.pendingLine}); waiting for the rest`);
      }
      state.adopt(fresh);
      this.stats.fullLoads++;
      collectGarbageSoon();
      const previous = this.handle;
      this.handle = handle;
      this.identity = identity;
      await previous?.close().catch(() => undefined);
      const size = fresh.index.size();
      this.log.info(`Loaded ${configPath} and ${this.leasesPath}: ${size.subnets} subnet(s), ${size.reservations} reservation(s), ${count} lease-file record(s), ${size.leases} active lease(s)`);
    } catch (err) {
      state.abortRebuild();
      Object.assign(this, saved);
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.identity = null;
    await handle?.close().catch(() => undefined);
  }
}
