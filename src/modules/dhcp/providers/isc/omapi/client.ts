/**
 * Native OMAPI client for ISC dhcpd: what the baseline did by piping commands into omshell,
 * over one long-lived TCP connection instead of a process per write.
 *
 * - Operations are queued: one request is on the wire at a time, and a multi-step operation
 *   (open + delete) runs without another operation in between.
 * - The connection is opened on first use and re-opened when it broke. A request that fails
 *   because an idle, reused connection turned out to be dead (dhcpd restarted) is sent once
 *   more on a fresh connection; nothing else is retried.
 * - Every failure is an OmapiError with a `kind` the provider maps to HTTP answers.
 */
import { OmapiSigner, parseAlgorithm } from './auth';
import { OmapiOp } from './codec';
import { ConnectionTarget, OmapiConnection, RequestBuilder, replyError } from './connection';
import { OmapiError } from './errors';
import { UnsafeValueError, assertSafeHostName } from './statements';
import { HostAttributes, HostKey, HostSpec, createHostOpen, deleteObject, hostAttributes, openHost } from './messages';

export { OmapiError } from './errors';
export { UnsafeValueError } from './statements';
export type { OmapiErrorKind } from './errors';
export type { HostAttributes, HostKey, HostSpec } from './messages';

export interface OmapiClientOptions {
  host: string;
  port: number;
  /** Key name and base64 secret; used only when both are set (as the baseline does). */
  keyName?: string;
  keySecret?: string;
  /** hmac-md5 (default), hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512. */
  keyAlgorithm?: string;
  /** Limit for connecting and for each request's answer; default 10 000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_OMAPI_TIMEOUT_MS = 10_000;

export class OmapiClient {
  private readonly target: ConnectionTarget;
  private readonly timeoutMs: number;
  private conn: OmapiConnection | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(opts: OmapiClientOptions) {
    if (!opts.host) throw new Error('OMAPI server host is required');
    if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
      throw new Error(`Invalid OMAPI port ${opts.port}`);
    }
    this.target = { host: opts.host, port: opts.port };
    if (opts.keyName && opts.keySecret) {
      const signer = new OmapiSigner(parseAlgorithm(opts.keyAlgorithm ?? 'hmac-md5'), opts.keySecret);
      this.target.key = { name: opts.keyName, signer };
    }
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_OMAPI_TIMEOUT_MS;
  }

  /**
   * Creates a host object (omshell's `create`: fails with 'exists' if a host of that name
   * exists, 'conflict' if the hardware address belongs to another host). Resolves with the
   * attributes dhcpd stored, once dhcpd has committed the host to its leases file.
   * A name dhcpd could not write back safely is refused with UnsafeValueError (statements.ts).
   */
  createHost(host: HostSpec): Promise<HostAttributes> {
    const action = `Create host ${host.name} (${host.ip} / ${host.mac})`;
    const invalid = checkInput(() => {
      assertSafeHostName(host.name);
      createHostOpen(0, 0, host);
    });
    if (invalid) return Promise.reject(invalid);
    return this.enqueue(async () => {
      const reply = await this.send((id, auth) => createHostOpen(id, auth, host));
      const err = replyError(action, reply);
      if (err) throw err;
      if (reply.op !== OmapiOp.Update) throw unexpected(action, reply.op);
      return hostAttributes(reply);
    });
  }

  /** The host with that hardware address or name, or null when dhcpd knows none. */
  lookupHost(key: HostKey): Promise<HostAttributes | null> {
    const invalid = checkInput(() => openHost(0, 0, key));
    if (invalid) return Promise.reject(invalid);
    return this.enqueue(async () => this.openHost(key));
  }

  /**
   * Opens the host by hardware address and deletes it; 'not_found' if there is none.
   * `hardwareType` only for hosts not created as Ethernet (see HostKey).
   */
  deleteHostByMac(mac: string, hardwareType?: number): Promise<void> {
    const action = `Delete host ${mac}`;
    const invalid = checkInput(() => openHost(0, 0, { mac }));
    if (invalid) return Promise.reject(invalid);
    return this.enqueue(async () => {
      const host = await this.openHost(hardwareType === undefined ? { mac } : { mac, hardwareType });
      if (!host) throw new OmapiError('not_found', `${action}: not found (no host has that hardware address)`, 23);
      const reply = await this.send((id, auth) => deleteObject(id, auth, host.handle));
      const err = replyError(action, reply);
      if (err) throw err;
      if (reply.op !== OmapiOp.Status) throw unexpected(action, reply.op);
    });
  }

  /** Closes the connection; later calls fail. Waits for queued operations to finish first. */
  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    this.conn?.destroy();
    this.conn = null;
  }

  private async openHost(key: HostKey): Promise<HostAttributes | null> {
    const action = `Look up host ${'mac' in key ? key.mac : key.name}`;
    const reply = await this.send((id, auth) => openHost(id, auth, key));
    const err = replyError(action, reply);
    if (err?.kind === 'not_found') return null;
    if (err) throw err;
    if (reply.op !== OmapiOp.Update) throw unexpected(action, reply.op);
    return hostAttributes(reply);
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new OmapiError('unreachable', 'OMAPI client is closed'));
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** One request/reply on the shared connection, with the single retry described above. */
  private async send(build: RequestBuilder) {
    const conn = await this.connection();
    const reused = conn.answered > 0;
    try {
      return await this.exchange(conn, build);
    } catch (e) {
      if (!(e instanceof OmapiError) || e.kind !== 'unreachable' || !reused) throw e;
      return this.exchange(await this.connection(), build);
    }
  }

  private async exchange(conn: OmapiConnection, build: RequestBuilder) {
    try {
      const reply = await conn.request(build, this.timeoutMs);
      const err = replyError('', reply);
      // After a refused key dhcpd hangs up; drop the connection so the next call starts clean.
      if (err?.kind === 'auth') conn.destroy();
      return reply;
    } catch (e) {
      conn.destroy();
      throw e;
    }
  }

  private async connection(): Promise<OmapiConnection> {
    if (this.conn?.alive) return this.conn;
    this.conn = null;
    this.conn = await OmapiConnection.open(this.target, this.timeoutMs);
    return this.conn;
  }
}

/**
 * Runs the pure request builder up front so malformed input (address, MAC, name) is refused
 * with UnsafeValueError before it reaches the queue or the connection.
 */
function checkInput(build: () => unknown): UnsafeValueError | null {
  try {
    build();
    return null;
  } catch (e) {
    return e instanceof UnsafeValueError ? e : new UnsafeValueError((e as Error).message);
  }
}

function unexpected(action: string, op: OmapiOp): OmapiError {
  return new OmapiError('server', `${action}: unexpected ${OmapiOp[op] ?? op} reply from the OMAPI server`);
}
