/** What one download attempt needs and returns; shared by the HTTP(S) and FTP transfers. */
import type { SecureContext } from 'tls';

export interface AttemptOptions {
  /** Time allowed to resolve, connect and (TLS) handshake, in ms. */
  connectTimeoutMs: number;
  /** Longest silence allowed once connected (waiting for headers or between body chunks), in ms. */
  idleTimeoutMs: number;
  verifyServerCert: boolean;
  /**
   * The CAs an https:// server's certificate is verified against (Node's and the system store's);
   * Node's alone when absent. A function: only an https:// URL (or a redirect to one) pays for it.
   */
  trust?: () => Promise<SecureContext>;
  maxRedirects: number;
  /** Modification time of the file already at the destination, if any: download only when newer. */
  localMtime?: Date;
  /** Aborts the attempt (shutdown or the overall time cap). */
  signal: AbortSignal;
  /** Called as bytes arrive; `total` when the server announced it. */
  onProgress(received: number, total: number | undefined): void;
}

export type AttemptResult =
  | { kind: 'downloaded'; bytes: number; lastModified?: Date; detail: string }
  | { kind: 'not-modified'; detail: string };

/** A failed attempt. `retryable` follows curl's --retry: timeouts, cut connections, 408, 429, 5xx. */
export class TransferError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

const RETRYABLE_HTTP = new Set([408, 429, 500, 502, 503, 504, 522, 524]);

export function retryableHttpStatus(status: number): boolean {
  return RETRYABLE_HTTP.has(status);
}

/** True when a remote modification time is not later than the local file's (second precision, as HTTP dates). */
export function notNewer(remote: Date | undefined, local: Date | undefined): boolean {
  if (!remote || !local || Number.isNaN(remote.getTime())) return false;
  return Math.floor(remote.getTime() / 1000) <= Math.floor(local.getTime() / 1000);
}

/** The reason an aborted signal carries, as a TransferError. */
export function abortReason(signal: AbortSignal): TransferError {
  const r = signal.reason;
  if (r instanceof TransferError) return r;
  return new TransferError(r instanceof Error ? r.message : 'Download aborted', false);
}
