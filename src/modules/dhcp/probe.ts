import { spawn } from 'child_process';
import * as net from 'net';
import { log } from '../../core/log';

/** Decides whether something answers at an address (`ping_free_ip`, reference §7.6). */
export interface AddressProber {
  isAlive(ip: string): Promise<boolean>;
}

export interface ProbeOptions {
  /** The TCP "echo" port the baseline knocks on. */
  tcpPort?: number;
  timeoutMs?: number;
  pingCommand?: string;
}

/**
 * The baseline's two probes, in its order: a TCP connection to port 7 (connected *or refused*
 * means a host is there; a timeout or unreachable means nothing answered), then one ICMP echo
 * through the system `ping` (iputils: `-c 1 -W 1`), run without a shell.
 */
export class TcpIcmpProber implements AddressProber {
  private readonly tcpPort: number;
  private readonly timeoutMs: number;
  private readonly pingCommand: string;
  private warnedNoPing = false;

  constructor(opts: ProbeOptions = {}) {
    this.tcpPort = opts.tcpPort ?? 7;
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.pingCommand = opts.pingCommand ?? 'ping';
  }

  async isAlive(ip: string): Promise<boolean> {
    return (await this.tcpAlive(ip)) || (await this.icmpAlive(ip));
  }

  tcpAlive(ip: string): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: ip, port: this.tcpPort });
      let settled = false;
      const finish = (alive: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(alive);
      };
      const timer = setTimeout(() => finish(false), this.timeoutMs);
      socket.once('connect', () => finish(true));
      socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED'));
    });
  }

  icmpAlive(ip: string): Promise<boolean> {
    const waitSeconds = String(Math.max(1, Math.round(this.timeoutMs / 1000)));
    return new Promise((resolve) => {
      let settled = false;
      const finish = (alive: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        resolve(alive);
      };
      const child = spawn(this.pingCommand, ['-c', '1', '-W', waitSeconds, ip], { stdio: 'ignore' });
      // ping bounds itself with -W; this guard only covers a ping that hangs for another reason.
      const guard = setTimeout(() => {
        child.kill('SIGKILL');
        finish(false);
      }, this.timeoutMs + 4000);
      child.once('error', (err: NodeJS.ErrnoException) => {
        // The baseline shells out, so a missing ping reads as "no answer"; say so once.
        if (!this.warnedNoPing) {
          this.warnedNoPing = true;
          log.warn(`Unable to run '${this.pingCommand}' for the free-IP check (${err.message}); only the TCP probe is effective`);
        }
        finish(false);
      });
      child.once('exit', (code) => finish(code === 0));
    });
  }
}
