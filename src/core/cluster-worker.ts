import * as http from 'http';
import type * as net from 'net';
import { identityFromSocket } from './client-identity';
import { HOP_BY_HOP, IDENTITY_HEADER, ListenMessage, WorkerPlan } from './cluster-protocol';
import { createServer, httpsConfigured, tlsOptions } from './listeners';
import { configureLogging, log, LogEvent } from './log';
import type { Mount } from './module';
import { requestPipeline, RequestListener, Scheme } from './pipeline';
import { bound } from './request-context';
import type { Settings } from './settings';

/**
 * A worker process: public sockets, TLS, file serving; everything else goes to the primary.
 * It loads only what that takes (no express, no module routes), to stay small in memory.
 */

/** Raw mounts a worker can build from a running module's settings, by module name. */
export type WorkerMountFactories = Record<string, (settings: Settings) => Mount[]>;

/** Worker side: send a request on to the primary with who asked, and stream the answer back. */
function forwarder(socketPath: string, token: string, scheme: Scheme): RequestListener {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return (req, res) => {
    const identity = { ...identityFromSocket(req), scheme };
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    headers[IDENTITY_HEADER] = `${token} ${Buffer.from(JSON.stringify(identity)).toString('base64')}`;
    const upstream = http.request({ socketPath, agent, method: req.method, path: req.url, headers }, (up) => {
      const raw: string[] = [];
      for (let i = 0; i < up.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(up.rawHeaders[i].toLowerCase())) raw.push(up.rawHeaders[i], up.rawHeaders[i + 1]);
      }
      res.writeHead(up.statusCode ?? 502, raw);
      up.pipe(res);
    });
    upstream.on('error', bound((err: Error) => {
      log.error(`Forwarding ${req.method} ${req.url} to the primary process failed: ${err.message}`);
      if (!res.headersSent) {
        res.writeHead(503, { 'Content-Type': 'text/plain', 'Content-Length': '19' });
        res.end('Service unavailable');
      } else res.destroy();
    }));
    req.pipe(upstream);
  };
}

async function runWorker(factories: WorkerMountFactories, plan: WorkerPlan): Promise<void> {
  const { global } = plan;
  // The primary alone writes the log (and rolls it) and keeps the /logs ring: lines go there in
  // batches, each with its own time and request context.
  let pending: LogEvent[] = [];
  const sendPending = (sent: () => void = () => undefined) => {
    if (pending.length === 0) return sent();
    const events = pending;
    pending = [];
    if (process.send) process.send({ type: 'log', events }, () => sent());
    else sent();
  };
  configureLogging(global, {
    forward: (event) => {
      if (pending.length === 0) setTimeout(sendPending, 50).unref();
      pending.push(event);
    },
  });
  const raw = (scheme: Scheme): Mount[] => plan.modules
    .filter((m) => m.exposure[scheme])
    .flatMap((m) => factories[m.name]?.(m.settings) ?? []);
  const handler = (scheme: Scheme) => requestPipeline(raw(scheme), forwarder(plan.socketPath, plan.token, scheme), false);
  const servers = {
    http: createServer('http', handler('http')),
    https: httpsConfigured(global) ? createServer('https', handler('https'), tlsOptions(global)) : undefined,
  };
  const shared: net.Server[] = [];
  process.on('message', (msg: ListenMessage, handle?: net.Server) => {
    if (msg?.type !== 'listen' || !handle) return;
    // The primary's listening socket: this process accepts on it too, and the kernel hands each
    // new connection to whichever process is free.
    const server = servers[msg.scheme];
    if (!server) return;
    handle.on('connection', (socket) => server.emit('connection', socket));
    shared.push(handle);
  });
  process.on('SIGTERM', () => {
    for (const s of shared) s.close();
    for (const s of Object.values(servers)) s?.closeAllConnections();
    setTimeout(() => process.exit(0), 1_000).unref();
    sendPending(() => process.exit(0));
  });
  // Log reopening is the primary's business; a stray SIGUSR1 must not end a worker.
  process.on('SIGUSR1', () => undefined);
  process.send?.({ type: 'ready' });
}

/** In a worker process: wait for the primary's plan, then serve what it hands over. */
export function workerMain(factories: WorkerMountFactories): void {
  process.on('SIGINT', () => undefined);
  // The primary is gone (killed, crashed): a worker left behind would keep the public ports and
  // answer every API request with 503 until someone found it.
  process.on('disconnect', () => process.exit(0));
  process.once('message', (msg: WorkerPlan) => {
    if (msg?.type !== 'plan') return;
    runWorker(factories, msg).catch((err) => {
      process.send?.({ type: 'failed', message: (err as Error).message });
      process.exit(1);
    });
  });
}
