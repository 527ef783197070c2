/**
 * One OMAPI TCP connection: connect, exchange the startup introductions, open the
 * authenticator (when a key is configured), then carry one request at a time and hand back
 * the reply whose rid matches. The client (client.ts) queues requests and reconnects; this
 * class only knows a single socket's life.
 */
import * as net from 'net';
import { randomInt } from 'crypto';
import { DecodedMessage, OmapiMessage, OmapiOp, OmapiStreamDecoder, encodeMessage, encodeStartup } from './codec';
import { OmapiSigner, wireAlgorithmName } from './auth';
import { OmapiError, describeResult, statusError } from './errors';
import { authenticatorOpen, statusOf } from './messages';

export interface ConnectionTarget {
  host: string;
  port: number;
  /** Present when the server requires a key. */
  key?: { name: string; signer: OmapiSigner };
}

type Request = Omit<OmapiMessage, 'signature'>;
/** Builds a request once the transaction id and the authenticator handle are known. */
export type RequestBuilder = (id: number, authId: number) => Request;

interface Waiter {
  id: number;
  resolve(m: OmapiMessage): void;
  reject(e: OmapiError): void;
}

export class OmapiConnection {
  private readonly socket: net.Socket;
  private readonly decoder = new OmapiStreamDecoder();
  private readonly where: string;
  private authId = 0;
  private nextId = randomInt(1, 0x7fffffff);
  private waiter: Waiter | null = null;
  private startupWaiter: { resolve(): void; reject(e: OmapiError): void } | null = null;
  private closed = false;
  private closeReason: OmapiError | null = null;
  /** Number of requests answered on this connection (0 = freshly opened). */
  answered = 0;

  private constructor(
    private readonly target: ConnectionTarget,
    socket: net.Socket,
  ) {
    this.socket = socket;
    this.where = `${target.host}:${target.port}`;
    // Keep NAT/firewall state alive and notice a vanished peer while idle; an idle connection
    // does not keep the process alive (ref'd only while a request waits).
    socket.setKeepAlive(true, 30_000);
    socket.unref();
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.fail(new OmapiError('unreachable', `Connection to OMAPI server ${this.where} failed: ${err.code ?? err.message}`));
    });
    socket.on('close', () => {
      this.fail(new OmapiError('unreachable', `OMAPI server ${this.where} closed the connection`));
    });
  }

  /** Connects, exchanges introductions and authenticates; everything within `timeoutMs`. */
  static async open(target: ConnectionTarget, timeoutMs: number): Promise<OmapiConnection> {
    const socket = await connectTcp(target.host, target.port, timeoutMs);
    const conn = new OmapiConnection(target, socket);
    try {
      await conn.handshake(timeoutMs);
      return conn;
    } catch (e) {
      conn.destroy();
      throw e;
    }
  }

  get alive(): boolean {
    return !this.closed;
  }

  destroy(): void {
    this.fail(new OmapiError('unreachable', `Connection to OMAPI server ${this.where} was closed by the client`));
  }

  /** Sends one request and resolves with the reply that answers it. Never two at once. */
  request(build: RequestBuilder, timeoutMs: number): Promise<OmapiMessage> {
    if (this.closed) return Promise.reject(this.closeReason!);
    if (this.waiter) return Promise.reject(new Error('OMAPI connection already has a request in flight'));
    const id = this.takeId();
    const msg = build(id, this.authId);
    const bytes = encodeMessage(msg, this.authId ? this.target.key!.signer : undefined);
    return new Promise<OmapiMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new OmapiError('timeout', `OMAPI server ${this.where} did not answer within ${timeoutMs} ms`));
        // A late reply would arrive out of step with the next request: start afresh.
        this.destroy();
      }, timeoutMs);
      this.waiter = {
        id,
        resolve: (m) => {
          clearTimeout(timer);
          this.socket.unref();
          this.answered++;
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.socket.unref();
          reject(e);
        },
      };
      this.socket.ref();
      this.socket.write(bytes);
    });
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xfffffffe ? 1 : this.nextId + 1;
    return id;
  }

  private async handshake(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const started = new Promise<void>((resolve, reject) => {
      this.startupWaiter = { resolve, reject };
    });
    this.socket.write(encodeStartup());
    this.socket.ref();
    await withTimeout(started, timeoutMs, () => {
      const e = new OmapiError('timeout', `OMAPI server ${this.where} sent no protocol introduction within ${timeoutMs} ms`);
      this.fail(e);
      return e;
    });
    this.socket.unref();
    const key = this.target.key;
    if (!key) return;
    const reply = await this.request(
      (id) => authenticatorOpen(id, key.name, wireAlgorithmName(key.signer.algorithm)),
      Math.max(1, deadline - Date.now()),
    ).catch((e: OmapiError) => {
      throw e.kind === 'timeout' ? e : new OmapiError(e.kind, `OMAPI authentication with ${this.where} failed: ${e.message}`);
    });
    if (reply.op !== OmapiOp.Update || reply.handle === 0) {
      const { result, text } = statusOf(reply);
      throw new OmapiError(
        'auth',
        `OMAPI server ${this.where} refused key "${key.name}" (${key.signer.algorithm}): ${describeResult(result, text)}`,
        result,
      );
    }
    this.authId = reply.handle;
    this.answered = 0;
  }

  private onData(chunk: Buffer): void {
    let decoded: ReturnType<OmapiStreamDecoder['push']>;
    try {
      decoded = this.decoder.push(chunk);
    } catch (e) {
      this.fail(new OmapiError('server', `OMAPI server ${this.where} sent malformed data: ${(e as Error).message}`));
      return;
    }
    for (const item of decoded) {
      if ('startup' in item) {
        this.startupWaiter?.resolve();
        this.startupWaiter = null;
      } else {
        this.onMessage(item);
      }
      if (this.closed) return;
    }
  }

  private onMessage(d: DecodedMessage): void {
    const m = d.message;
    if (!this.waiter || m.rid !== this.waiter.id) return; // not an answer to our request: ignore
    const signer = this.target.key?.signer;
    if (this.authId && m.authId) {
      if (m.authId !== this.authId || !signer!.verify(d.signedBytes, m.signature)) {
        this.fail(new OmapiError('auth', `OMAPI reply from ${this.where} has an invalid signature (wrong key secret?)`));
        return;
      }
    } else if (this.authId && m.op !== OmapiOp.Status) {
      // dhcpd signs everything once authenticated, except the STATUS refusing a bad signature.
      this.fail(new OmapiError('auth', `OMAPI reply from ${this.where} is not signed`));
      return;
    }
    const w = this.waiter;
    this.waiter = null;
    w.resolve(m);
  }

  /** Closes the connection for good and fails whatever is waiting with `reason`. */
  private fail(reason: OmapiError): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.startupWaiter?.reject(reason);
    this.startupWaiter = null;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(reason);
    this.socket.destroy();
  }
}

/** The non-zero STATUS of a reply as an OmapiError, or null for success / an UPDATE. */
export function replyError(action: string, reply: OmapiMessage): OmapiError | null {
  if (reply.op !== OmapiOp.Status) return null;
  const { result, text } = statusOf(reply);
  return result === 0 ? null : statusError(action, result, text);
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const where = `${host}:${port}`;
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new OmapiError('unreachable', `Cannot connect to OMAPI server ${where}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // The connection takes over error handling; until then an early error must not go unheard.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new OmapiError('unreachable', `Cannot connect to OMAPI server ${where}: ${err.code ?? err.message}`));
    });
  });
}

async function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
