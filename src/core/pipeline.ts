import { randomUUID } from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { TLSSocket } from 'tls';
import { peerAddressOf } from './client-identity';
import { log } from './log';
import type { Mount } from './module';
import { RequestContext, requestContext, withContextNow } from './request-context';
import { queryAccepted } from './params-refusal';
import { SERVER_HEADER } from './version';

export type Scheme = 'http' | 'https';

const runInRequestContext = (ctx: RequestContext, fn: () => void): void => requestContext.run(ctx, fn);
export type RequestListener = ((req: IncomingMessage, res: ServerResponse) => void) & {
  /** The raw mounts it serves, for a plain-HTTP server's quick path (quick-http.ts). */
  rawMounts?: Mount[];
};

/** Whether `pathname` is `prefix` or lies below it (`/httpboot`, `/httpboot/x`; not `/httpbootx`). */
export function isUnder(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/** The raw mount serving `pathname`, if any: the first whose path it is under. */
export function mountFor(raw: Mount[], pathname: string): Mount | undefined {
  return raw.find((m) => isUnder(pathname, m.path));
}

/** A request's log context: its X-Request-Id (else a random UUID), X-Session-Id and client address. */
export function newRequestContext(requestId: string | undefined, sessionId: string | undefined, remoteIp: string): RequestContext {
  return { requestId: requestId || randomUUID(), sessionId, remoteIp };
}

export function logStarted(method: string | undefined, pathname: string, query: string): void {
  log.info(`Started ${method} ${pathname} ${query}`);
}

export function logFinished(method: string | undefined, pathname: string, status: number, started: bigint): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log.info(`Finished ${method} ${pathname} with ${status} (${ms.toFixed(2)} ms)`);
}

/**
 * Wraps every request: request id, Server header, Started/Finished log lines, raw handlers
 * (file serving) first, everything else to `rest`. `logRest: false` is for a worker that only
 * forwards what is not a file: the primary logs those requests itself.
 */
export function requestPipeline(raw: Mount[], rest: RequestListener, logRest = true): RequestListener {
  const pipeline: RequestListener = (req, res) => {
    const socket = req.socket as TLSSocket;
    if (socket.encrypted && !socket.authorized && Object.keys(socket.getPeerCertificate() ?? {}).length > 0) {
      socket.destroy();
      return;
    }
    const header = req.headers['x-request-id'];
    const session = req.headers['x-session-id'];
    const context = newRequestContext(Array.isArray(header) ? header[0] : header, Array.isArray(session) ? session[0] : session, peerAddressOf(req));
    if (!header) req.headers['x-request-id'] = context.requestId;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const mount = mountFor(raw, pathname);
    // Raw handlers and a worker's forwarding are synchronous (what they do later is `bound`);
    // routes are async.
    const within = mount || !logRest ? withContextNow : runInRequestContext;
    within(context, () => {
      if (!mount && !logRest) {
        rest(req, res);
        return;
      }
      const started = process.hrtime.bigint();
      logStarted(req.method, pathname, q < 0 ? '' : url.slice(q + 1));
      res.setHeader('Server', SERVER_HEADER);
      res.once('finish', () => withContextNow(context, () => logFinished(req.method, pathname, res.statusCode, started)));
      if (!mount) rest(req, res);
      // The baseline's file app parses the query like any other (a refused one is its 400).
      else if (q < 0 || queryAccepted(req, res, url.slice(q + 1))) mount.raw!(req, res, pathname);
    });
  };
  pipeline.rawMounts = raw;
  return pipeline;
}

