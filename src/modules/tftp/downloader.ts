import { promises as fsp } from 'fs';
import { log } from '../../core/log';
import { tempNameFor } from './config-files';
import { ftpTransfer } from './ftp-transfer';
import { httpTransfer } from './http-transfer';
import { SystemTrust } from './system-trust';
import { AttemptOptions, AttemptResult, TransferError } from './transfer';

/** Knobs of the boot-file downloader; the defaults are the baseline's curl arguments. */
export interface DownloaderTuning {
  /** tftp_connect_timeout, in ms (curl --connect-timeout). */
  connectTimeoutMs: number;
  /** verify_server_cert (curl without --insecure). */
  verifyServerCert: boolean;
  /** Further attempts after a transient failure (curl --retry 3). */
  retries: number;
  /** Pause between attempts (curl --retry-delay 10). */
  retryDelayMs: number;
  /** Cap on the whole download, retries included (curl --max-time 3600). */
  maxTimeMs: number;
  /** Longest silence once connected. curl has none; a stalled server would hold the download for an hour. */
  idleTimeoutMs: number;
  /** Redirects followed (curl --location). */
  maxRedirects: number;
  /** How often a running download logs its progress. */
  progressIntervalMs: number;
}

export const DEFAULT_TUNING: DownloaderTuning = {
  connectTimeoutMs: 10_000,
  verifyServerCert: true,
  retries: 3,
  retryDelayMs: 10_000,
  maxTimeMs: 3_600_000,
  idleTimeoutMs: 60_000,
  maxRedirects: 20,
  progressIntervalMs: 10_000,
};

export type DownloadOutcome = 'downloaded' | 'not-modified' | 'failed';

/** A URL fit for the log: credentials removed. */
export function redactUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

async function mtimeOf(file: string): Promise<Date | undefined> {
  try {
    const st = await fsp.stat(file);
    return st.isFile() ? st.mtime : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Downloads boot files in the background, one at a time per destination. A file is fetched into
 * a temporary file beside the destination and renamed over it only when complete, so a failed or
 * interrupted download leaves the previous file as it was and no partial file behind. Progress and
 * outcome are logged with the destination, which makes them visible in GET /logs (F9).
 */
export class BootFileDownloader {
  private readonly running = new Map<string, Promise<DownloadOutcome>>();
  private readonly stopping = new AbortController();

  /** `trust`: the CAs HTTPS servers are verified against (Node's list and the system store's). */
  constructor(private readonly tuning: DownloaderTuning, private readonly trust = new SystemTrust()) {}

  /** Starts a download; false (and nothing done) when one to `dest` is already running. */
  start(source: URL, dest: string): boolean {
    if (this.running.has(dest)) {
      log.info(`TFTP: download to ${dest} already in progress, request for ${redactUrl(source)} skipped`);
      return false;
    }
    const job = this.run(source, dest).finally(() => this.running.delete(dest));
    this.running.set(dest, job);
    return true;
  }

  /** The running download to `dest`, if any (tests, shutdown). */
  pending(dest: string): Promise<DownloadOutcome> | undefined {
    return this.running.get(dest);
  }

  /** Aborts every running download and waits until their temporary files are gone. */
  async stop(): Promise<void> {
    this.stopping.abort(new TransferError('Download aborted: the proxy is stopping', false));
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(source: URL, dest: string): Promise<DownloadOutcome> {
    const t = this.tuning;
    const shown = redactUrl(source);
    const deadline = new AbortController();
    const capTimer = setTimeout(() => deadline.abort(new TransferError(
      `Operation timed out after ${t.maxTimeMs} ms`, false)), t.maxTimeMs);
    const signal = AbortSignal.any([deadline.signal, this.stopping.signal]);
    const started = Date.now();
    log.info(`TFTP: downloading ${shown} to ${dest}`);
    try {
      for (let attempt = 1; ; attempt++) {
        const tmp = tempNameFor(dest);
        try {
          const result = await this.attempt(source, dest, tmp, signal);
          if (result.kind === 'not-modified') {
            log.info(`TFTP: ${dest} is up to date, not downloaded again (${result.detail})`);
            return 'not-modified';
          }
          await this.install(tmp, dest, result);
          const ms = Date.now() - started;
          log.info(`TFTP: downloaded ${shown} to ${dest}: ${result.bytes} bytes in ${ms} ms ` +
            `(${human(result.bytes / Math.max(ms / 1000, 0.001))}/s, ${result.detail})`);
          return 'downloaded';
        } catch (err) {
          await fsp.unlink(tmp).catch(() => undefined);
          const e = err instanceof TransferError ? err : new TransferError(String((err as Error)?.message ?? err), false);
          const last = !e.retryable || attempt > t.retries || signal.aborted;
          if (last) {
            log.error(`TFTP: failed to download ${shown} to ${dest}: ${e.message}` +
              (attempt > 1 ? ` (after ${attempt} attempts)` : ''));
            return 'failed';
          }
          log.warn(`TFTP: download of ${shown} to ${dest} failed (attempt ${attempt} of ${t.retries + 1}): ` +
            `${e.message}; retrying in ${t.retryDelayMs} ms`);
          await sleep(t.retryDelayMs, signal);
        }
      }
    } finally {
      clearTimeout(capTimer);
    }
  }

  private async attempt(source: URL, dest: string, tmp: string, signal: AbortSignal): Promise<AttemptResult> {
    const t = this.tuning;
    let last = { at: Date.now(), received: 0, total: undefined as number | undefined };
    const opts: AttemptOptions = {
      connectTimeoutMs: t.connectTimeoutMs,
      idleTimeoutMs: t.idleTimeoutMs,
      verifyServerCert: t.verifyServerCert,
      trust: () => this.trust.context(),
      maxRedirects: t.maxRedirects,
      localMtime: await mtimeOf(dest),
      signal,
      onProgress: (received, total) => {
        last = { ...last, received, total };
      },
    };
    const ticker = setInterval(() => {
      const pct = last.total ? ` (${Math.floor((100 * last.received) / last.total)}%)` : '';
      log.info(`TFTP: downloading to ${dest}: ${human(last.received)}` +
        `${last.total !== undefined ? ` of ${human(last.total)}` : ''}${pct}`);
    }, t.progressIntervalMs);
    try {
      return source.protocol === 'ftp:' ? await ftpTransfer(source, tmp, opts) : await httpTransfer(source, tmp, opts);
    } finally {
      clearInterval(ticker);
    }
  }

  /** Keeps the remote modification time, then replaces the destination in one rename. */
  private async install(tmp: string, dest: string, result: Extract<AttemptResult, { kind: 'downloaded' }>): Promise<void> {
    try {
      if (result.lastModified) await fsp.utimes(tmp, result.lastModified, result.lastModified);
      await fsp.rename(tmp, dest);
    } catch (err) {
      throw new TransferError(`Cannot move the download into place: ${(err as Error).message}`, false);
    }
  }
}
