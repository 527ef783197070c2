import { ChildProcess, fork } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { ClientIdentity, setForwardedIdentity } from './client-identity';
import { IDENTITY_HEADER, WORKER_ENV, WorkerMessage, WorkerPlan } from './cluster-protocol';
import type { Listener } from './listeners';
import { buildRequestListener, RequestListener, Scheme } from './http';
import { log, logForwarded } from './log';
import type { ModuleRegistry } from './registry';
import type { GlobalSettings } from './settings';
import { withV8Options } from './heap';

/*
 * Both cores without changing behaviour: worker processes accept on the primary's listening
 * sockets, terminate TLS and serve files (module `workerMounts`); every other request is
 * forwarded over a private unix socket to the primary process, which alone runs the modules and
 * so alone holds state (DHCP indexes, the recently-offered addresses, the /logs ring).
 */

export function workerCount(global: GlobalSettings): number {
  const configured = Number(global.workers);
  if (Number.isFinite(configured) && configured >= 0 && global.workers !== undefined && global.workers !== null) return Math.floor(configured);
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** Primary side: the private API socket the workers forward to. */
async function startApiSocket(registry: ModuleRegistry, global: GlobalSettings, token: string): Promise<{ socketPath: string; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smart-proxy-'));
  fs.chmodSync(dir, 0o700);
  const socketPath = path.join(dir, 'api.sock');
  const listeners: Record<Scheme, RequestListener> = {
    http: buildRequestListener(registry, 'http', global),
    https: buildRequestListener(registry, 'https', global),
  };
  const server = http.createServer((req, res) => {
    const raw = String(req.headers[IDENTITY_HEADER] ?? '');
    delete req.headers[IDENTITY_HEADER];
    const [given, encoded] = raw.split(' ');
    if (given !== token || !encoded) {
      res.statusCode = 403;
      res.end();
      return;
    }
    const identity = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as ClientIdentity & { scheme: Scheme };
    setForwardedIdentity(req, identity);
    listeners[identity.scheme](req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, () => resolve()));
  fs.chmodSync(socketPath, 0o600);
  return {
    socketPath,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      fs.rmSync(dir, { recursive: true, force: true });
    }),
  };
}

export interface ClusterHandle {
  stop(): Promise<void>;
}

/**
 * In the primary, once its own listeners are up: start `extra` worker processes and share every
 * listening socket with them. The primary keeps serving everything itself; workers serve files
 * and forward the rest to the primary over a private unix socket.
 */
export async function startWorkers(registry: ModuleRegistry, global: GlobalSettings, listeners: Listener[], extra: number): Promise<ClusterHandle> {
  const token = randomBytes(24).toString('hex');
  const api = await startApiSocket(registry, global, token);
  const plan: WorkerPlan = {
    type: 'plan', global, socketPath: api.socketPath, token,
    modules: registry.running().filter((m) => m.decl.workerMounts).map((m) => ({ name: m.decl.name, settings: m.settings ?? {}, exposure: m.exposure })),
  };
  let stopping = false;
  const workers = new Set<ChildProcess>();
  const spawnWorker = (): Promise<void> => new Promise((resolve, reject) => {
    const child = fork(process.argv[1], [], {
      env: { ...process.env, [WORKER_ENV]: '1' },
      execArgv: withV8Options(process.execArgv),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    workers.add(child);
    child.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'log') logForwarded(msg.events);
      else if (msg.type === 'failed') reject(new Error(msg.message));
      else if (msg.type === 'ready') {
        for (const l of listeners) child.send({ type: 'listen', scheme: l.scheme }, l.server);
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      workers.delete(child);
      if (stopping) return;
      log.error(`Worker ${child.pid} exited (${signal ?? code}), starting another`);
      spawnWorker().catch((err) => log.error(`Could not restart a worker: ${(err as Error).message}`));
    });
    child.send(plan);
  });
  const stop = async () => {
    stopping = true;
    await Promise.all([...workers].map((w) => new Promise<void>((resolve) => {
      if (w.exitCode !== null) return resolve();
      w.once('exit', () => resolve());
      w.kill('SIGTERM');
      setTimeout(() => w.kill('SIGKILL'), 5_000).unref();
    })));
    await api.close();
  };
  try {
    await Promise.all(Array.from({ length: extra }, () => spawnWorker()));
    return { stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
