import { Client, FTPError } from 'basic-ftp';
import { createWriteStream } from 'fs';
import { stat } from 'fs/promises';
import { abortReason, AttemptOptions, AttemptResult, notNewer, TransferError } from './transfer';

/** FTP 4xx replies are transient ("try again"), 5xx permanent (e.g. 550 no such file). */
function ftpError(err: unknown): TransferError {
  if (err instanceof TransferError) return err;
  if (err instanceof FTPError) return new TransferError(`FTP error ${err.code}: ${err.message}`, err.code >= 400 && err.code < 500);
  const e = err as NodeJS.ErrnoException;
  return new TransferError(String(e?.message ?? err), e?.code !== 'ENOTFOUND');
}

/** Resolves with `work`, or rejects with `reason` after `ms` (closing the client to stop the work). */
function within<T>(work: Promise<T>, ms: number, client: Client, reason: () => TransferError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      client.close();
      reject(reason());
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Ask for a fact the server may not support (MDTM, SIZE); undefined when it cannot tell. */
async function optional<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FTPError) return undefined;
    throw err;
  }
}

/**
 * One download attempt over FTP (passive mode, anonymous unless the URL carries credentials).
 * The remote modification time (MDTM) decides "only when newer" and becomes the local mtime.
 */
export async function ftpTransfer(source: URL, tmp: string, o: AttemptOptions): Promise<AttemptResult> {
  const client = new Client(o.idleTimeoutMs);
  const onAbort = () => client.close();
  o.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (o.signal.aborted) throw abortReason(o.signal);
    await within(client.access({
      host: source.hostname.replace(/^\[|\]$/g, ''),
      port: source.port ? Number(source.port) : 21,
      user: source.username ? decodeURIComponent(source.username) : 'anonymous',
      password: source.password ? decodeURIComponent(source.password) : 'anonymous@',
    }), o.connectTimeoutMs, client, () => new TransferError(`Connection timed out after ${o.connectTimeoutMs} ms`, true));
    // An FTP URL path is relative to the login folder; %2F at its start makes it absolute.
    const remote = decodeURIComponent(source.pathname.replace(/^\//, ''));
    const lastModified = await optional(() => client.lastMod(remote));
    if (notNewer(lastModified, o.localMtime)) {
      return { kind: 'not-modified', detail: `remote modification time ${lastModified!.toUTCString()} is not newer` };
    }
    const size = await optional(() => client.size(remote));
    client.trackProgress((info) => o.onProgress(info.bytes, size));
    await client.downloadTo(createWriteStream(tmp, { flags: 'wx' }), remote);
    const bytes = (await stat(tmp)).size;
    if (size !== undefined && bytes !== size) {
      throw new TransferError(`Transfer closed with ${size - bytes} bytes remaining to read`, true);
    }
    return { kind: 'downloaded', bytes, lastModified, detail: 'FTP 226' };
  } catch (err) {
    if (o.signal.aborted) throw abortReason(o.signal);
    throw ftpError(err);
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    client.trackProgress();
    client.close();
  }
}
