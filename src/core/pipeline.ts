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
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps every request: request id, Server header, Started/Finished log lines, raw handlers
 * (file serving) first, everything else to `rest`. `logRest: false` is for a worker that only
 * forwards what is not a file: the primary logs those requests itself.
 */
export function requestPipeline(raw: Mount[], rest: RequestListener, logRest = true): RequestListener {
  return (req, res) => {
    const socket = req.socket as TLSSocket;
    if (socket.encrypted && !socket.authorized && Object.keys(socket.getPeerCertificate() ?? {}).length > 0) {
      socket.destroy();
      return;
    }
    const header = req.headers['x-request-id'];
    const requestId = (Array.isArray(header) ? header[0] : header) || randomUUID();
    if (!header) req.headers['x-request-id'] = requestId;
    const session = req.headers['x-session-id'];
    const context = { requestId, sessionId: Array.isArray(session) ? session[0] : session, remoteIp: peerAddressOf(req) };
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const mount = raw.find((m) => pathname === m.path || pathname.startsWith(`${m.path}/`));
    // Raw handlers and a worker's forwarding are synchronous (what they do later is `bound`);
    // routes are async.
    const within = mount || !logRest ? withContextNow : runInRequestContext;
    within(context, () => {
      if (!mount && !logRest) {
        rest(req, res);
        return;
      }
      const started = process.hrtime.bigint();
      log.info(`Started ${req.method} ${pathname} ${q < 0 ? '' : url.slice(q + 1)}`);
      res.setHeader('Server', SERVER_HEADER);
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        withContextNow(context, () => log.info(`Finished ${req.method} ${pathname} with ${res.statusCode} (${ms.toFixed(2)} ms)`));
      });
      if (!mount) rest(req, res);
      // The baseline's file app parses the query like any other (a refused one is its 400).
      else if (q < 0 || queryAccepted(req, res, url.slice(q + 1))) mount.raw!(req, res, pathname);
    });
  };
}

