import { createWriteStream } from 'fs';
import * as http from 'http';
import * as https from 'https';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';
import type * as tls from 'tls';
import { VERSION } from '../../core/version';
import {
  abortReason, AttemptOptions, AttemptResult, notNewer, retryableHttpStatus, TransferError,
} from './transfer';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** TLS failures are a configuration problem: retrying cannot fix them. */
const PERMANENT_CODES = new Set([
  'ENOTFOUND', 'ERR_TLS_CERT_ALTNAME_INVALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_INVALID_URL', 'ERR_INVALID_PROTOCOL',
]);

/** Verification failures that mean "signed by a CA nobody told us to trust": the log says what to do. */
const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);
const UNTRUSTED_HINT = ' (the server\'s CA is neither in Node\'s list nor in the system store: add it with ' +
  'update-ca-certificates, or set verify_server_cert: false)';

function networkError(err: unknown): TransferError {
  if (err instanceof TransferError) return err;
  const e = err as NodeJS.ErrnoException;
  const text = e?.code && !String(e.message).includes(e.code) ? `${e.code}: ${e.message}` : String(e?.message ?? err);
  const hint = UNTRUSTED_CODES.has(e?.code ?? '') ? UNTRUSTED_HINT : '';
  return new TransferError(text + hint, !PERMANENT_CODES.has(e?.code ?? ''));
}

/** One HTTP exchange: the request, its response, and the reason it was torn down, if we did it. */
class Exchange {
  failure?: TransferError;
  private connectTimer?: NodeJS.Timeout;
  private readonly onAbort = () => this.fail(abortReason(this.o.signal));
  readonly req: http.ClientRequest;
  readonly response: Promise<http.IncomingMessage>;

  constructor(url: URL, private readonly o: AttemptOptions, secureContext?: tls.SecureContext) {
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { 'User-Agent': `foreman-proxy/${VERSION}`, Accept: '*/*' };
    if (o.localMtime) headers['If-Modified-Since'] = o.localMtime.toUTCString();
    // https.request hands these options on to tls.connect, secureContext included.
    const options: https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'> = {
      method: 'GET', headers, agent: false, rejectUnauthorized: o.verifyServerCert, secureContext,
    };
    this.req = (secure ? https : http).request(url, options);
    // curl's --connect-timeout covers name lookup, TCP connect and the TLS handshake.
    this.connectTimer = setTimeout(() => this.fail(new TransferError(
      `Connection timed out after ${o.connectTimeoutMs} ms`, true)), o.connectTimeoutMs);
    if (o.signal.aborted) this.onAbort();
    else o.signal.addEventListener('abort', this.onAbort, { once: true });
    this.req.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(this.connectTimer);
        this.req.setTimeout(o.idleTimeoutMs, () => this.fail(new TransferError(
          `No data received for ${o.idleTimeoutMs} ms`, true)));
      });
    });
    this.response = new Promise((resolve, reject) => {
      this.req.on('response', resolve);
      this.req.on('error', (err) => reject(this.failure ?? networkError(err)));
    });
    this.req.end();
  }

  fail(reason: TransferError): void {
    this.failure ??= reason;
    this.req.destroy(reason);
  }

  close(): void {
    clearTimeout(this.connectTimer);
    this.o.signal.removeEventListener('abort', this.onAbort);
    this.req.destroy();
  }
}

function lastModifiedOf(res: http.IncomingMessage): Date | undefined {
  const h = res.headers['last-modified'];
  if (!h) return undefined;
  const d = new Date(h);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Streams the body into `tmp` (created exclusively), checking it arrived whole. */
async function saveBody(ex: Exchange, res: http.IncomingMessage, tmp: string, o: AttemptOptions): Promise<number> {
  const announced = res.headers['content-length'];
  const total = announced !== undefined && /^\d+$/.test(announced) ? Number(announced) : undefined;
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      o.onProgress(received, total);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(tmp, { flags: 'wx' }));
  } catch (err) {
    if (ex.failure) throw ex.failure;
    const e = err as NodeJS.ErrnoException;
    if (e?.syscall) throw new TransferError(`Cannot write ${tmp}: ${e.message}`, false);
    throw new TransferError(`Connection closed after ${received}${total !== undefined ? ` of ${total}` : ''} bytes`, true);
  }
  if (total !== undefined && received !== total) {
    throw new TransferError(`Transfer closed with ${total - received} bytes remaining to read`, true);
  }
  return received;
}

/**
 * One download attempt over HTTP(S): follows redirects, sends If-Modified-Since for an existing
 * local file and treats 304, or a Last-Modified not newer than the local file, as "up to date".
 * The body goes to `tmp`; nothing is created unless the server answers 2xx with a newer file.
 */
export async function httpTransfer(source: URL, tmp: string, o: AttemptOptions): Promise<AttemptResult> {
  let current = source;
  for (let hops = 0; ; hops++) {
    // Without verification there is nothing to trust; with it, the CAs are read on the first https:// URL.
    const secureContext = current.protocol === 'https:' && o.verifyServerCert ? await o.trust?.() : undefined;
    const ex = new Exchange(current, o, secureContext);
    try {
      const res = await ex.response;
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECTS.has(status) && location) {
        res.resume();
        if (hops >= o.maxRedirects) throw new TransferError(`Maximum (${o.maxRedirects}) redirects followed`, false);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new TransferError(`Invalid redirect location: ${location}`, false);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new TransferError(`Redirect to an unsupported protocol: ${next.protocol}`, false);
        }
        current = next;
        continue;
      }
      if (status === 304) {
        res.resume();
        return { kind: 'not-modified', detail: 'server answered 304 Not Modified' };
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw new TransferError(`The requested URL returned error: ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`,
          retryableHttpStatus(status));
      }
      const lastModified = lastModifiedOf(res);
      if (notNewer(lastModified, o.localMtime)) {
        return { kind: 'not-modified', detail: `remote Last-Modified ${lastModified!.toUTCString()} is not newer` };
      }
      const bytes = await saveBody(ex, res, tmp, o);
      return { kind: 'downloaded', bytes, lastModified, detail: `HTTP ${status}` };
    } finally {
      ex.close();
    }
  }
}
