/**
 * Talking to libvirt through the `virsh` client (package libvirt-clients). There is no usable
 * Node binding for libvirt's network API (libvirt-dhcp.md §8), and virsh accepts every URI the
 * operator may configure (qemu:///system, qemu+ssh://…, …?socket=…).
 *
 * - virsh runs with an argument vector (execFile, never a shell) and named options
 *   (`--network NAME`), so no setting or value is ever interpreted by a shell or taken for an option.
 * - LC_ALL=C keeps libvirt's messages untranslated; TZ=UTC makes `net-dhcp-leases` print expiry
 *   times in UTC (it prints local time without a zone).
 * - Every call has a timeout; a failure carries libvirt's own message (the last `error: ` line).
 * - Updates run one at a time in this process: each live update makes libvirt rewrite dnsmasq's
 *   hosts file and re-apply its firewall rules (~250 ms), and a queue keeps their order the
 *   order of the requests.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type HostUpdateCommand = 'add-last' | 'delete';

/** What the provider needs from libvirt; the unit tests substitute their own. */
export interface LibvirtNetworkClient {
  /** `net-dumpxml`: the network definition (live when the network runs). */
  dumpXml(network: string): Promise<string>;
  /** `net-dhcp-leases` as printed by `virsh -q` with TZ=UTC. */
  dhcpLeases(network: string): Promise<string>;
  /** `net-update … ip-dhcp-host <xml> --live --config`; resolves once libvirt confirmed it. */
  updateDhcpHost(network: string, command: HostUpdateCommand, hostXml: string): Promise<void>;
}

/** The libvirt API function behind each virsh command the provider runs. */
export type LibvirtCall = 'virNetworkGetXMLDesc' | 'virNetworkGetDHCPLeases' | 'virNetworkUpdate';

export class VirshError extends Error {
  override readonly name = 'VirshError';
  constructor(
    /** libvirt's message: the last `error: ` line of stderr, else a description of the failure. */
    readonly libvirtMessage: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
    readonly timedOut: boolean,
    /** The libvirt function that failed; undefined when virsh never got to libvirt (timeout, not runnable). */
    readonly call?: string,
  ) {
    super(`virsh ${args.join(' ')}: ${libvirtMessage}`);
  }

  /**
   * The text of the exception ruby-libvirt raises for the same failure, `Call to <function>
   * failed: <libvirt message>`, which the baseline puts into some of its answers.
   */
  get rubyLibvirtMessage(): string {
    return this.call ? `Call to ${this.call} failed: ${this.libvirtMessage}` : this.libvirtMessage;
  }
}

/**
 * Which libvirt function failed, as ruby-libvirt names it. virsh opens the connection and looks
 * the network up before the command's own call, and its first error line says which step failed
 * (`failed to connect to the hypervisor`, `failed to get network 'X'`); the baseline's answer
 * names that step (a new connection per request, so a libvirt that is down shows as virConnectOpen).
 */
export function failedCall(stderr: string, command: LibvirtCall): string {
  const first = stderr.split('\n').find((l) => l.startsWith('error: '))?.slice('error: '.length) ?? '';
  if (first.startsWith('failed to connect to the hypervisor')) return 'virConnectOpen';
  if (first.startsWith('failed to get network ')) return 'virNetworkLookupByName';
  return command;
}

/**
 * virsh prints `error: Failed to update network X` and then `error: <libvirt message>`; an XML
 * parse error adds the offending line and a caret line without the prefix. The last prefixed
 * line is the one that says what went wrong.
 */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('error: ')).map((l) => l.slice('error: '.length).trim());
  return lines[lines.length - 1] || stderr.trim().split('\n').pop()?.trim() || '';
}

/** The absolute path of an executable found on `searchPath` (a PATH value), or undefined. */
export function findOnPath(command: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface VirshOptions {
  /** The virsh executable (an absolute path, as found on PATH at start-up). */
  binary: string;
  /** libvirt connection URI (`-c`). */
  url: string;
  readTimeoutMs?: number;
  /** Live updates take ~0.25 s on an idle host; generous because a killed update leaves no doubt. */
  writeTimeoutMs?: number;
}

const MAX_OUTPUT = 32 * 1024 * 1024;

export class Virsh implements LibvirtNetworkClient {
  private readonly readTimeoutMs: number;
  private readonly writeTimeoutMs: number;
  /** Tail of the update queue: each update starts when the previous one has settled. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: VirshOptions) {
    this.readTimeoutMs = opts.readTimeoutMs ?? 15_000;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 60_000;
  }

  /**
   * Runs `virsh -q -c URL ARGS…` and resolves with its stdout, or rejects with a VirshError;
   * `call` is the libvirt function the command makes (for the error's text).
   */
  run(args: string[], call: LibvirtCall, timeoutMs = this.readTimeoutMs): Promise<string> {
    const argv = ['-q', '-c', this.opts.url, ...args];
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
    return new Promise((resolve, reject) => {
      execFile(this.opts.binary, argv, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (!err) {
            resolve(stdout);
            return;
          }
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: unknown };
          const timedOut = e.killed === true && e.signal === 'SIGKILL';
          const exitCode = typeof e.code === 'number' ? e.code : null;
          let message: string;
          if (timedOut) message = `virsh did not answer within ${timeoutMs} ms`;
          else if (typeof e.code === 'string') message = `cannot run ${this.opts.binary}: ${e.code}`;
          else message = lastErrorLine(String(stderr)) || `virsh failed (${e.signal ? `signal ${e.signal}` : `exit status ${exitCode}`})`;
          const ran = !timedOut && exitCode !== null;
          reject(new VirshError(message, argv, String(stderr), exitCode, timedOut, ran ? failedCall(String(stderr), call) : undefined));
        });
    });
  }

  dumpXml(network: string): Promise<string> {
    return this.run(['net-dumpxml', '--network', network], 'virNetworkGetXMLDesc');
  }

  dhcpLeases(network: string): Promise<string> {
    return this.run(['net-dhcp-leases', '--network', network], 'virNetworkGetDHCPLeases');
  }

  updateDhcpHost(network: string, command: HostUpdateCommand, hostXml: string): Promise<void> {
    // virsh reads --xml as a file name unless it starts with '<'; ours always does.
    if (!hostXml.startsWith('<')) return Promise.reject(new Error('the host XML must be an element'));
    const args = ['net-update', '--network', network, '--command', command, '--section', 'ip-dhcp-host',
      '--xml', hostXml, '--live', '--config'];
    const update = () => this.run(args, 'virNetworkUpdate', this.writeTimeoutMs);
    const next = this.writes.then(update, update);
    this.writes = next.catch(() => undefined);
    return next.then(() => undefined);
  }

  /** Resolves once every queued update has finished. */
  async drain(): Promise<void> {
    await this.writes;
  }
}
