/**
 * A private, real libvirtd for integration tests (Debian 12's libvirt-daemon 9.0, no systemd),
 * isolated so that nothing reaches the host (facts: libvirt-dhcp.md §3, §9):
 *
 *   netns <prefix>-srv-<id>                                  netns <prefix>-cli-<id>
 *   libvirtd in its own mount namespace, where /etc, /var   veth peer, for a DHCP client
 *   and /run are overlays whose upper layers live in the
 *   run dir; its networks' bridges, iptables rules and
 *   dnsmasq live in this netns only.
 *
 * libvirtd uses compiled-in paths (/etc/libvirt, /var/lib/libvirt, /run/libvirt), hence the
 * overlays. Only the network driver is loaded (LIBVIRT_DRIVER_DIR holds symlinks); with
 * `qemuDriver` the QEMU driver too, so that `qemu:///system?socket=…` URIs (Foreman's default
 * scheme) work — its `libvirt-qemu` user is then created in the overlay /etc only. Clients
 * connect from the root namespace through the socket in the run dir.
 *
 * stop() undoes everything and never throws: net-destroy through the daemon, then the recorded
 * PIDs only (libvirtd, and each dnsmasq it started, after checking its command line and netns),
 * then the namespaces and the run dir.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createNamespace, createVethPair, deleteNamespace, requireRootAndCommands, run, shortId } from './netns';

const DRIVER_DIR = '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver';

/** Runs inside `ip netns exec NS unshare --mount`: overlays, then exec libvirtd (same PID). */
const LAUNCH = `set -eu
RUN_DIR=$1
mount --make-rprivate /
for d in etc var run; do
  mount -t overlay "splv-$d" -o "lowerdir=/$d,upperdir=$RUN_DIR/ov/$d-up,workdir=$RUN_DIR/ov/$d-wk" "/$d"
done
if [ "$2" = 1 ] && ! getent passwd libvirt-qemu >/dev/null; then
  useradd --system --no-create-home --user-group --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
fi
export LIBVIRT_DRIVER_DIR="$RUN_DIR/drivers"
exec /usr/sbin/libvirtd -f "$RUN_DIR/libvirtd.conf"
`;

export interface LibvirtdOptions {
  /** Short name part for namespaces and the run dir (a random suffix is added). */
  prefix?: string;
  /** Also load the QEMU driver so that qemu:///system?socket=… works (no VM is started). */
  qemuDriver?: boolean;
}

export interface LibvirtClientPort {
  ns: string;
  /** Interface in the client namespace, a port of the network's bridge on the other side. */
  iface: string;
}

export interface Libvirtd {
  /** URI for virsh and for the provider's `url` setting. */
  uri: string;
  runDir: string;
  /** Namespace of libvirtd, its bridges and dnsmasq. */
  ns: string;
  pid: number;
  /** `virsh -q -c URI ARGS…`; stdout. */
  virsh(args: string[]): Promise<string>;
  /** Defines and starts a network; returns the PID of the dnsmasq libvirt started for it. */
  startNetwork(name: string, xml: string): Promise<number>;
  /** A client namespace wired to a port of `bridge`. */
  attachClient(bridge: string): Promise<LibvirtClientPort>;
  /** libvirtd's own log (warnings and errors), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Alive and not a zombie (a daemonized dnsmasq is reaped by PID 1, possibly late). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** TERM, then KILL after 5 s, a PID we started, if its command line still contains `expect`. */
async function stopPid(pid: number, expect: string): Promise<void> {
  if (!alive(pid) || !cmdline(pid).includes(expect)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 20 && alive(pid); i++) await sleep(50);
}

export async function startLibvirtd(opts: LibvirtdOptions = {}): Promise<Libvirtd> {
  requireRootAndCommands('libvirtd', 'virsh', 'dnsmasq', 'unshare', 'iptables', 'useradd');
  if (!fs.existsSync(path.join(DRIVER_DIR, 'libvirt_driver_network.so'))) {
    throw new Error(`${DRIVER_DIR}/libvirt_driver_network.so is missing: install libvirt-daemon (scripts/install-deps.sh)`);
  }
  const prefix = opts.prefix ?? 'splv';
  const id = shortId(3);
  const runDir = fs.mkdtempSync(`/tmp/${prefix}-${id}-`);
  fs.chmodSync(runDir, 0o755);
  for (const d of ['sock', 'log', 'drivers', ...['etc', 'var', 'run'].flatMap((x) => [`ov/${x}-up`, `ov/${x}-wk`])]) {
    fs.mkdirSync(path.join(runDir, d), { recursive: true });
  }
  fs.symlinkSync(path.join(DRIVER_DIR, 'libvirt_driver_network.so'), path.join(runDir, 'drivers', 'libvirt_driver_network.so'));
  if (opts.qemuDriver) {
    fs.symlinkSync(path.join(DRIVER_DIR, 'libvirt_driver_qemu.so'), path.join(runDir, 'drivers', 'libvirt_driver_qemu.so'));
  }
  const conf = path.join(runDir, 'libvirtd.conf');
  const logFile = path.join(runDir, 'log', 'libvirtd.log');
  fs.writeFileSync(conf, [
    `unix_sock_dir = "${runDir}/sock"`,
    'unix_sock_ro_perms = "0770"',
    'unix_sock_rw_perms = "0770"',
    'auth_unix_ro = "none"',
    'auth_unix_rw = "none"',
    `log_outputs = "3:file:${logFile}"`,
    '',
  ].join('\n'));
  const socket = path.join(runDir, 'sock', 'libvirt-sock');
  const uri = `${opts.qemuDriver ? 'qemu' : 'network'}:///system?socket=${socket}`;

  const namespaces: string[] = [];
  const dnsmasqPids: number[] = [];
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  const virsh = async (args: string[], timeoutMs = 30_000) =>
    (await run('virsh', ['-q', '-c', uri, ...args], timeoutMs)).stdout;
  const logText = () => {
    try {
      return fs.readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const recordDnsmasq = () => {
    const dir = path.join(runDir, 'ov', 'run-up', 'libvirt', 'network');
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (!f.endsWith('.pid') || f === 'driver.pid') continue;
      const pid = Number(fs.readFileSync(path.join(dir, f), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 1 && !dnsmasqPids.includes(pid)) dnsmasqPids.push(pid);
    }
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pid = child?.pid;
    const daemonUp = pid !== undefined && alive(pid) && cmdline(pid).includes(conf);
    recordDnsmasq();
    if (daemonUp) {
      // libvirtd stops its networks' dnsmasq and removes their bridges and rules itself.
      const names = (await virsh(['net-list', '--name'], 10_000).catch(() => '')).split('\n').map((s) => s.trim()).filter(Boolean);
      for (const n of names) await virsh(['net-destroy', '--network', n], 20_000).catch(() => undefined);
      await stopPid(pid!, conf);
    }
    const srv = namespaces[0];
    for (const d of dnsmasqPids) {
      // Only a dnsmasq that still runs in our namespace is ours.
      const inNs = await run('ip', ['netns', 'identify', String(d)]).then((r) => r.stdout.trim() === srv, () => false);
      if (inNs) await stopPid(d, 'dnsmasq');
    }
    for (const ns of [...namespaces].reverse()) await deleteNamespace(ns);
    fs.rmSync(runDir, { recursive: true, force: true });
  };

  try {
    const srv = await createNamespace(`${prefix}-srv`);
    namespaces.push(srv);
    const out = fs.openSync(path.join(runDir, 'log', 'libvirtd.out'), 'a');
    // `ip netns exec` and `unshare` without --fork exec in place: the child's PID is libvirtd's.
    child = spawn('ip', ['netns', 'exec', srv, 'unshare', '--mount', '--', '/bin/sh', '-c', LAUNCH, 'splv-launch',
      runDir, opts.qemuDriver ? '1' : '0'], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child.on('exit', (code, signal) => { output += `libvirtd exited (${signal ?? code})\n`; });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`libvirtd did not start: ${fs.readFileSync(path.join(runDir, 'log', 'libvirtd.out'), 'utf8')}${logText()}${output}`);
      }
      if (fs.existsSync(socket) && await virsh(['uri'], 5000).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`libvirtd did not answer on ${socket} within 30 s:\n${logText()}`);
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    uri,
    runDir,
    ns: namespaces[0],
    pid: child.pid!,
    virsh: (args) => virsh(args),
    async startNetwork(name, xml) {
      const file = path.join(runDir, `${name}.xml`);
      fs.writeFileSync(file, xml);
      await virsh(['net-define', '--file', file]);
      await virsh(['net-start', '--network', name]);
      recordDnsmasq();
      const pidFile = path.join(runDir, 'ov', 'run-up', 'libvirt', 'network', `${name}.pid`);
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      if (!alive(pid) || !cmdline(pid).includes('dnsmasq')) throw new Error(`no dnsmasq for network ${name}:\n${logText()}`);
      return pid;
    },
    async attachClient(bridge) {
      const cli = await createNamespace(`${prefix}-cli`);
      namespaces.push(cli);
      const n = shortId(3);
      const port = `lvp${n}`;
      const iface = `lvc${n}`;
      await createVethPair({ ns: namespaces[0], name: port }, { ns: cli, name: iface });
      await run('ip', ['-n', namespaces[0], 'link', 'set', port, 'master', bridge]);
      return { ns: cli, iface };
    },
    log: logText,
    stop,
  };
}
