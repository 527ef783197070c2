/**
 * Starts a real Kea 2.2 DHCPv4 server (Debian kea-dhcp4-server) and its Control Agent (Debian
 * kea-ctrl-agent) for integration tests, in network namespaces the harness creates:
 *
 *   root namespace (the test)        server namespace                   client namespace
 *   <linkIf> rootIp/30  ───veth───  ka0 nsIp/30: kea-ctrl-agent :port
 *                                   kd0 serverIp/prefix ────veth────  kd1 (unnumbered)
 *                                   kea-dhcp4: DHCP on kd0, control socket in the temp dir
 *
 * The Control Agent (HTTP, or HTTPS when `tls` is given; basic auth when `auth` is given) listens
 * on the namespace's end of the link, so the test process reaches it at `url`. Every file Kea
 * uses (configs, control socket, memfile leases, logs, PID and lock files) lives in a temp dir;
 * the packages' own services and /run/kea are never touched. stop() ends only the two PIDs it
 * started, deletes the namespaces and the temp dir.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { canConnect, canConnectUnix, pollUntil, stopProcess } from './daemon';
import { createServerTopology, DhcpServerLink, parseCidr, requireRootAndCommands, ServerTopology } from './netns';

export const KEA_DHCP4_BIN = '/usr/sbin/kea-dhcp4';
export const KEA_CTRL_AGENT_BIN = '/usr/sbin/kea-ctrl-agent';

/** libdhcp_lease_cmds.so from the Debian package (multiarch hooks directory). */
export function findLeaseCmdsHook(): string {
  const candidates: string[] = [];
  for (const base of ['/usr/lib', '/usr/lib64']) {
    candidates.push(path.join(base, 'kea', 'hooks', 'libdhcp_lease_cmds.so'));
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(base);
    } catch {
      continue;
    }
    for (const e of entries) candidates.push(path.join(base, e, 'kea', 'hooks', 'libdhcp_lease_cmds.so'));
  }
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error('libdhcp_lease_cmds.so not found (package kea-dhcp4-server): run scripts/install-deps.sh first');
  }
  return found;
}

export interface StartKeaOptions {
  /** DHCP subnet in CIDR form, e.g. 10.77.5.0/24 (lives only inside the test namespaces). */
  subnet: string;
  /** Kea's address on the DHCP interface, inside `subnet`. */
  serverIp: string;
  /** Subnet id in Kea's configuration (default 1). */
  subnetId?: number;
  /** Members of the subnet4 entry besides id, subnet and reservations (pools, option-data, …). */
  subnetExtra?: Record<string, unknown>;
  /** Extra top-level members of Dhcp4 (client-classes, more subnets, …). */
  dhcp4Extra?: Record<string, unknown>;
  /** Initial reservations of the subnet. */
  reservations?: Record<string, unknown>[];
  /** Basic auth for the Control Agent; none when omitted. */
  auth?: { user: string; password: string };
  /**
   * HTTPS for the Control Agent: PEM files; `requireClientCert` makes Kea demand one. A function
   * gets the agent's address first (for a server certificate naming it).
   */
  tls?: KeaTls | ((agentHost: string) => KeaTls);
  agentPort?: number;
  prefix?: string;
  startTimeoutMs?: number;
}

export interface KeaTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  requireClientCert?: boolean;
}

export interface KeaInstance extends DhcpServerLink {
  /** Control Agent base URL as the test process reaches it, e.g. http://10.1.2.1:8000/ */
  url: string;
  agentHost: string;
  agentPort: number;
  dir: string;
  /** The file kea-dhcp4 was started with (config-write writes here). */
  dhcp4ConfFile: string;
  agentConfFile: string;
  leasesFile: string;
  /** kea-dhcp4's configuration file, parsed (what config-write last wrote). */
  readDhcp4Conf(): Record<string, any>;
  /** Logs of both daemons so far. */
  log(): string;
  /** Stops or starts kea-dhcp4 alone (the agent stays up and reports the daemon offline). */
  stopDhcp4(): Promise<void>;
  startDhcp4(): Promise<void>;
  /** Stops or starts the Control Agent alone (nothing answers on `url` meanwhile). */
  stopAgent(): Promise<void>;
  startAgent(): Promise<void>;
  stop(): Promise<void>;
}

const LINK_IF_NS = 'ka0';
const DHCP_IF_SERVER = 'kd0';
const DHCP_IF_CLIENT = 'kd1';

export function keaDhcp4Conf(o: {
  iface: string; subnet: string; subnetId: number; socket: string; leases: string; hook: string; logFile: string;
  subnetExtra?: Record<string, unknown>; dhcp4Extra?: Record<string, unknown>; reservations?: Record<string, unknown>[];
}): Record<string, unknown> {
  return {
    Dhcp4: {
      'interfaces-config': { interfaces: [o.iface], 'dhcp-socket-type': 'raw' },
      'control-socket': { 'socket-type': 'unix', 'socket-name': o.socket },
      'lease-database': { type: 'memfile', persist: true, name: o.leases, 'lfc-interval': 0 },
      'hooks-libraries': [{ library: o.hook }],
      'valid-lifetime': 600,
      'renew-timer': 300,
      'rebind-timer': 450,
      subnet4: [{ id: o.subnetId, subnet: o.subnet, ...(o.subnetExtra ?? {}), reservations: o.reservations ?? [] }],
      loggers: [{ name: 'kea-dhcp4', severity: 'INFO', output_options: [{ output: o.logFile }] }],
      ...(o.dhcp4Extra ?? {}),
    },
  };
}

export function keaAgentConf(o: {
  host: string; port: number; socket: string; logFile: string;
  auth?: StartKeaOptions['auth']; tls?: KeaTls;
}): Record<string, unknown> {
  const agent: Record<string, unknown> = { 'http-host': o.host, 'http-port': o.port };
  if (o.auth) {
    agent.authentication = { type: 'basic', realm: 'kea-test', clients: [{ user: o.auth.user, password: o.auth.password }] };
  }
  if (o.tls) {
    agent['trust-anchor'] = o.tls.caFile;
    agent['cert-file'] = o.tls.certFile;
    agent['key-file'] = o.tls.keyFile;
    agent['cert-required'] = o.tls.requireClientCert ?? false;
  }
  agent['control-sockets'] = { dhcp4: { 'socket-type': 'unix', 'socket-name': o.socket } };
  agent.loggers = [{ name: 'kea-ctrl-agent', severity: 'INFO', output_options: [{ output: o.logFile }] }];
  return { 'Control-agent': agent };
}

export async function startKea(opts: StartKeaOptions): Promise<KeaInstance> {
  requireRootAndCommands(KEA_DHCP4_BIN, KEA_CTRL_AGENT_BIN);
  const hook = findLeaseCmdsHook();
  const subnet = parseCidr(opts.subnet);
  const agentPort = opts.agentPort ?? 8000;
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const prefix = opts.prefix ?? 'spkea';

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  const dhcp4ConfFile = path.join(dir, 'kea-dhcp4.conf');
  const agentConfFile = path.join(dir, 'kea-ctrl-agent.conf');
  const leasesFile = path.join(dir, 'kea-leases4.csv');
  const socket = path.join(dir, 'kea4-ctrl.sock');
  const dhcp4Log = path.join(dir, 'kea-dhcp4.log');
  const agentLog = path.join(dir, 'kea-ctrl-agent.log');
  // Kea writes PID and logger lock files under /run/kea unless told otherwise.
  const env = { ...process.env, KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir };

  let topology: ServerTopology | undefined;
  const procs: { dhcp4: ChildProcess | null; agent: ChildProcess | null } = { dhcp4: null, agent: null };
  let output = '';

  const cleanup = async () => {
    await stopProcess(procs.agent);
    await stopProcess(procs.dhcp4);
    procs.agent = null;
    procs.dhcp4 = null;
    await topology?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    topology = await createServerTopology({
      prefix, subnet, serverIp: opts.serverIp, rootIfTag: 'spk',
      ifaces: { link: LINK_IF_NS, server: DHCP_IF_SERVER, client: DHCP_IF_CLIENT },
    });
    const { dhcp, nsIp } = topology;

    const conf = keaDhcp4Conf({
      iface: DHCP_IF_SERVER, subnet: `${subnet.network}/${subnet.prefix}`, subnetId: opts.subnetId ?? 1, socket,
      leases: leasesFile, hook, logFile: dhcp4Log, subnetExtra: opts.subnetExtra, dhcp4Extra: opts.dhcp4Extra,
      reservations: opts.reservations,
    });
    fs.writeFileSync(dhcp4ConfFile, JSON.stringify(conf, null, 2));
    const tls = typeof opts.tls === 'function' ? opts.tls(nsIp) : opts.tls;
    fs.writeFileSync(agentConfFile, JSON.stringify(keaAgentConf({
      host: nsIp, port: agentPort, socket, logFile: agentLog, auth: opts.auth, tls,
    }), null, 2));

    const spawnIn = (label: string, bin: string, args: string[]): ChildProcess => {
      const p = spawn('ip', ['netns', 'exec', dhcp.ns, bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const add = (c: Buffer) => (output += `[${label}] ${c.toString()}`);
      p.stdout!.on('data', add);
      p.stderr!.on('data', add);
      return p;
    };
    const describe = (what: string) => () => `${what} did not start within ${timeoutMs} ms:\n${output}\n${readLogs()}`;
    const readLogs = () => [dhcp4Log, agentLog].map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')).join('\n');
    const exitedEarly = (p: ChildProcess, what: string) => {
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(`${what} exited (${p.exitCode ?? p.signalCode}) at start:\n${output}\n${readLogs()}`);
      }
    };

    const startDhcp4 = async () => {
      if (fs.existsSync(socket)) fs.rmSync(socket);
      const p = spawnIn('kea-dhcp4', KEA_DHCP4_BIN, ['-c', dhcp4ConfFile]);
      procs.dhcp4 = p;
      await pollUntil(async () => {
        exitedEarly(p, 'kea-dhcp4');
        return fs.existsSync(socket) && (await canConnectUnix(socket));
      }, timeoutMs, describe('kea-dhcp4'));
    };
    const startAgent = async () => {
      const p = spawnIn('kea-ctrl-agent', KEA_CTRL_AGENT_BIN, ['-c', agentConfFile]);
      procs.agent = p;
      await pollUntil(async () => {
        exitedEarly(p, 'kea-ctrl-agent');
        return canConnect(nsIp, agentPort);
      }, timeoutMs, describe('kea-ctrl-agent'));
    };
    await startDhcp4();
    await startAgent();

    const scheme = opts.tls ? 'https' : 'http';
    return {
      ...dhcp,
      url: `${scheme}://${nsIp}:${agentPort}/`,
      agentHost: nsIp,
      agentPort,
      dir,
      dhcp4ConfFile,
      agentConfFile,
      leasesFile,
      readDhcp4Conf: () => JSON.parse(fs.readFileSync(dhcp4ConfFile, 'utf8')),
      log: () => `${output}\n${readLogs()}`,
      stopDhcp4: async () => {
        await stopProcess(procs.dhcp4);
        procs.dhcp4 = null;
      },
      startDhcp4,
      stopAgent: async () => {
        await stopProcess(procs.agent);
        procs.agent = null;
      },
      startAgent,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
