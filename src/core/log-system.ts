import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { BatchedDestination } from './log-destinations';
import type { LevelName } from './log-pattern';

/**
 * `log_file: SYSLOG` and `JOURNAL`: the baseline logs with facility local5 under the name
 * `foreman-proxy`, levels mapped as the `logging` gem maps them (FATAL is `crit`). Node has no
 * unix datagram socket, so syslog goes through util-linux `logger` (one long-running process
 * reading lines with a `<priority>` prefix) and the journal through its stream socket (the one
 * systemd connects services' stdout to), both of which carry a priority per line.
 */

const IDENT = 'foreman-proxy';
const LOCAL5 = 21;
const SEVERITY: Record<LevelName, number> = { DEBUG: 7, INFO: 6, WARN: 4, ERROR: 3, FATAL: 2 };

/** Every line of `text` with the priority prefix (empty lines dropped: neither keeps them). */
function prefixLines(prefix: string, text: string): string {
  let out = '';
  for (const line of text.split('\n')) if (line !== '') out += `${prefix}${line}\n`;
  return out;
}

/** Called once when the destination stopped working; the caller falls back to STDOUT. */
export type OnFailure = (reason: string) => void;

abstract class SystemDestination extends BatchedDestination {
  private failed = false;
  protected closing = false;

  constructor(private readonly onFailure: OnFailure) {
    super();
  }

  protected fail(reason: string): void {
    if (this.failed || this.closing) return;
    this.failed = true;
    this.onFailure(reason);
  }

  protected get usable(): boolean {
    return !this.failed && !this.closing;
  }
}

export interface SyslogOptions {
  /** The `logger` program (util-linux). */
  command?: string;
  /** The syslog socket (`/dev/log`). */
  socket?: string;
  /** Speak to a stream socket only (tests: Node can listen on unix stream sockets, not datagrams). */
  stream?: boolean;
}

export class SyslogDestination extends SystemDestination {
  private readonly child: ChildProcess;
  private stderr = '';

  /** Throws when there is no syslog socket; fails later (onFailure) when `logger` cannot run or stops. */
  constructor(opts: SyslogOptions, onFailure: OnFailure) {
    super(onFailure);
    const socket = opts.socket ?? '/dev/log';
    if (!fs.existsSync(socket)) throw new Error(`no syslog socket ${socket}`);
    const args = ['--prio-prefix', '--tag', IDENT, `--id=${process.pid}`, '--priority', 'local5.info', '--size', '65536', '--socket', socket];
    if (opts.stream) args.push('--tcp');
    this.child = spawn(opts.command ?? 'logger', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.on('error', (err) => this.fail(err.message));
    this.child.on('exit', (code, signal) => this.fail(this.stderr.trim() || `logger exited (${signal ?? code})`));
    this.child.stderr!.on('data', (d: Buffer) => { if (this.stderr.length < 1000) this.stderr += d.toString(); });
    this.child.stdin!.on('error', () => undefined); // a dead logger is reported by 'exit'
    // The proxy's lifetime is its listeners', never its logger's.
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stderr]) (s as unknown as net.Socket).unref();
  }

  protected override encode(level: LevelName, text: string): string {
    return prefixLines(`<${LOCAL5 * 8 + SEVERITY[level]}>`, text);
  }

  protected send(text: string): void {
    if (this.usable) this.child.stdin!.write(text);
  }

  override close(): void {
    super.close();
    this.closing = true;
    this.child.stdin!.end();
  }
}

export const JOURNAL_STREAM_SOCKET = '/run/systemd/journal/stdout';

export class JournalDestination extends SystemDestination {
  private readonly socket: net.Socket;

  /** Throws when there is no journal socket; fails later (onFailure) when the connection fails or ends. */
  constructor(socketPath: string, onFailure: OnFailure) {
    super(onFailure);
    if (!fs.existsSync(socketPath)) throw new Error(`no journal socket ${socketPath}`);
    this.socket = net.createConnection(socketPath);
    // The stream protocol's header: identifier, unit, priority with facility, level prefix on,
    // no extra forwarding (journald's own ForwardToSyslog= still applies).
    this.socket.write(`${IDENT}\n\n${LOCAL5 * 8 + SEVERITY.INFO}\n1\n0\n0\n0\n`);
    this.socket.on('error', (err) => this.fail(err.message));
    this.socket.on('close', () => this.fail('the journal closed the connection'));
    this.socket.unref();
  }

  protected override encode(level: LevelName, text: string): string {
    return prefixLines(`<${SEVERITY[level]}>`, text);
  }

  protected send(text: string): void {
    if (this.usable) this.socket.write(text);
  }

  override close(): void {
    super.close();
    this.closing = true;
    this.socket.end();
  }
}
