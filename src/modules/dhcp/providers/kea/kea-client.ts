/**
 * A client for Kea's JSON command API over HTTP(S): the Control Agent of Kea ≤ 2.6, or the
 * daemons' own HTTP control sockets from Kea 2.7.2 on (the request and answer shapes are the same).
 *
 * A request is `POST <url>` with `{"command", "service": [<service>], "arguments"}`; the answer is
 * a JSON array with one `{"result", "text", "arguments"}` per service (an object when the agent
 * answers by itself, e.g. HTTP 401). Result codes: 0 success, 1 error, 2 command not supported,
 * 3 success but nothing found. 0 and 3 resolve; 1 and 2 reject with typed errors, as do transport
 * failures, HTTP errors and a daemon the agent cannot reach.
 */
import * as http from 'http';
import * as https from 'https';

export type KeaResult = 0 | 1 | 2 | 3;

export interface KeaAnswer<A = unknown> {
  /** 0 (success) or 3 (success, nothing found). */
  result: 0 | 3;
  text: string;
  arguments?: A;
}

export class KeaError extends Error {
  override name = 'KeaError';
}

/** Nothing answered: connection refused or reset, timeout, or the agent cannot reach the daemon. */
export class KeaUnreachableError extends KeaError {
  override name = 'KeaUnreachableError';
}

/** An HTTP status other than 200 (401 for wrong credentials, 403 for a refused client certificate). */
export class KeaHttpError extends KeaError {
  override name = 'KeaHttpError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Kea answered result 1: the command failed; `message` is Kea's text. */
export class KeaCommandError extends KeaError {
  override name = 'KeaCommandError';
  constructor(readonly command: string, readonly result: KeaResult, message: string) {
    super(message);
  }
}

/** Kea answered result 2: the command is not supported (hook library not loaded, unknown command). */
export class KeaUnsupportedError extends KeaCommandError {
  override name = 'KeaUnsupportedError';
}

/** Malformed answer (not JSON, no result code). */
export class KeaProtocolError extends KeaError {
  override name = 'KeaProtocolError';
}

export interface KeaClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8000/ */
  url: string;
  username?: string;
  password?: string;
  /** PEM contents for HTTPS: trusted CA(s), client certificate and key. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Whole-request timeout. */
  timeoutMs: number;
  /** The Kea service addressed (`dhcp4`); with the daemons' own HTTP sockets it is ignored by Kea. */
  service: string;
}

/** What the Control Agent says when the daemon's control socket cannot be reached. */
const DAEMON_OFFLINE = /unable to forward command|server is likely to be offline/i;

/**
 * Turns an HTTP status and body into an answer or a typed error (pure; unit-tested on text).
 */
export function parseKeaAnswer<A = unknown>(command: string, status: number, body: string): KeaAnswer<A> {
  let parsed: unknown;
  try {
    parsed = body === '' ? undefined : JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const entry = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown> | undefined;
  const text = entry && typeof entry.text === 'string' ? entry.text : '';
  if (status !== 200) {
    throw new KeaHttpError(status, `HTTP ${status}${text ? ` ${text}` : ''}`);
  }
  if (!entry || typeof entry !== 'object' || typeof entry.result !== 'number') {
    throw new KeaProtocolError(`unexpected answer to ${command}: ${body.slice(0, 200)}`);
  }
  switch (entry.result) {
    case 0:
    case 3:
      return { result: entry.result, text, arguments: entry.arguments as A };
    case 1:
      if (DAEMON_OFFLINE.test(text)) throw new KeaUnreachableError(text);
      throw new KeaCommandError(command, 1, text || `${command} failed`);
    case 2:
      throw new KeaUnsupportedError(command, 2, text || `'${command}' command not supported.`);
    default:
      throw new KeaProtocolError(`unexpected result ${String(entry.result)} to ${command}: ${text}`);
  }
}

export class KeaClient {
  private readonly target: URL;
  private readonly agent: http.Agent;

  constructor(private readonly opts: KeaClientOptions) {
    this.target = new URL(opts.url);
    if (this.target.protocol !== 'http:' && this.target.protocol !== 'https:') {
      throw new Error(`Kea URL must be http:// or https://, got ${opts.url}`);
    }
    const common = { keepAlive: true, maxSockets: 4 };
    // No TLS session resumption: Kea 2.2's agent requiring client certificates sets no session id
    // context, so a resumed session fails ("session id context uninitialized", alert 80).
    this.agent = this.target.protocol === 'https:'
      ? new https.Agent({ ...common, ca: opts.ca, cert: opts.cert, key: opts.key, maxCachedSessions: 0 })
      : new http.Agent(common);
  }

  get url(): string {
    return this.target.toString();
  }

  get service(): string {
    return this.opts.service;
  }

  /** Sends one command to the configured service. */
  command<A = unknown>(command: string, args?: Record<string, unknown>): Promise<KeaAnswer<A>> {
    const body: Record<string, unknown> = { command, service: [this.opts.service] };
    if (args !== undefined) body.arguments = args;
    return this.post<A>(command, JSON.stringify(body));
  }

  close(): void {
    this.agent.destroy();
  }

  private post<A>(command: string, payload: string): Promise<KeaAnswer<A>> {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
    };
    if (this.opts.username !== undefined && this.opts.username !== '') {
      const credentials = `${this.opts.username}:${this.opts.password ?? ''}`;
      headers.Authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const send = this.target.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = send(this.target, { method: 'POST', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish(() => reject(new KeaUnreachableError(e.message))));
        res.on('end', () => finish(() => {
          try {
            resolve(parseKeaAnswer<A>(command, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e);
          }
        }));
      });
      // One deadline for the whole exchange (connect, send, answer), like the baseline's omshell run.
      const timer = setTimeout(() => {
        finish(() => reject(new KeaUnreachableError(`no answer within ${this.opts.timeoutMs / 1000} s`)));
        req.destroy();
      }, this.opts.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => finish(() => reject(transportError(e))));
      req.end(payload);
    });
  }
}

/** TLS failures are configuration problems, not an absent server: keep their cause visible. */
function transportError(e: NodeJS.ErrnoException): KeaError {
  const code = e.code ?? '';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_OSSL/i.test(code) || /certificate|ssl|tls/i.test(e.message)) {
    return new KeaError(`TLS error talking to Kea: ${e.message}`);
  }
  return new KeaUnreachableError(e.message);
}
