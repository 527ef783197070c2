/**
 * A real FTP server for tests: Debian's vsftpd on loopback, anonymous read-only, serving a
 * temporary folder, run in the foreground as the launching user and stopped by PID.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const VSFTPD = '/usr/sbin/vsftpd';

export interface FtpServer {
  /** ftp://127.0.0.1:<port> */
  url: string;
  /** The served folder (anonymous root). */
  root: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > end) reject(new Error(`vsftpd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** Starts vsftpd; fails loudly when it is not installed (scripts/install-deps.sh installs it). */
export async function startVsftpd(): Promise<FtpServer> {
  if (!fs.existsSync(VSFTPD)) throw new Error(`${VSFTPD} is missing: run scripts/install-deps.sh (Debian package vsftpd) first`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tftp-vsftpd-'));
  const root = path.join(base, 'pub');
  const empty = path.join(base, 'empty');
  fs.mkdirSync(root);
  fs.mkdirSync(empty);
  fs.chmodSync(base, 0o755);
  fs.chmodSync(root, 0o755);
  const port = await freePort();
  const conf = path.join(base, 'vsftpd.conf');
  fs.writeFileSync(conf, [
    'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
    'run_as_launching_user=YES', 'anonymous_enable=YES', 'no_anon_password=YES', `anon_root=${root}`,
    'local_enable=NO', 'write_enable=NO', 'pasv_enable=YES', 'pasv_address=127.0.0.1', 'port_enable=NO',
    `secure_chroot_dir=${empty}`, 'seccomp_sandbox=NO', 'isolate=NO', 'isolate_network=NO',
    'xferlog_enable=NO', 'use_localtime=NO', 'hide_ids=YES', 'connect_from_port_20=NO', '',
  ].join('\n'));
  const version = spawnSync(VSFTPD, ['-v'], { stdio: ['ignore', 'pipe', 'pipe'], input: '' });
  if (version.error) throw new Error(`cannot run ${VSFTPD}: ${version.error.message}`);
  const child: ChildProcess = spawn(VSFTPD, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([waitForPort(port, 5000), exited.then(() => { throw new Error(`vsftpd exited: ${output}`); })]);
  } catch (err) {
    child.kill('SIGKILL');
    fs.rmSync(base, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `ftp://127.0.0.1:${port}`,
    root,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
