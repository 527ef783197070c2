/**
 * Starts a real ISC dhcpd 4.4.3 (Debian isc-dhcp-server, /usr/sbin/dhcpd) for integration
 * tests, in network namespaces the harness creates:
 *
 *   root namespace (the test)        server namespace              client namespace
 *   <linkIf> rootIp/30  ───veth───  om0 nsIp/30                   (for dhclient, qemu, …)
 *                                   dh0 serverIp/prefix ──veth──  dh1 (unnumbered)
 *                                   dhcpd: DHCP on dh0, OMAPI on every address (omapiHost)
 *
 * OMAPI listens on INADDR_ANY inside the server namespace; the test reaches it at
 * `omapiHost:omapiPort` through the link veth. DHCP clients run in `clientNs` on `clientIf`.
 * stop() kills only the dhcpd PID it started, deletes the namespaces and the temp dir.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { canConnect, pollUntil, stopProcess } from './daemon';
import { createServerTopology, DhcpServerLink, parseCidr, requireRootAndCommands, ServerTopology } from './netns';

export const DHCPD_BIN = '/usr/sbin/dhcpd';

export interface DhcpdKey {
  name: string;
  /** hmac-md5, hmac-sha256, … as written in dhcpd.conf's `key { algorithm …; }`. */
  algorithm: string;
  /** base64 */
  secret: string;
}

export interface StartDhcpdOptions {
  /** DHCP subnet in CIDR form, e.g. 10.77.5.0/24 (lives only inside the test namespaces). */
  subnet: string;
  /** dhcpd's address on the DHCP interface, inside `subnet`. */
  serverIp: string;
  /** Statements added at the top level of dhcpd.conf (classes, more options, hosts…). */
  confExtra?: string;
  /** Statements inside the `subnet { }` block (range, options…). */
  subnetExtra?: string;
  /**
   * OMAPI key: an object; `{ algorithm }` alone for a generated name and secret (default
   * hmac-md5); or `null` for an OMAPI listener without a key.
   */
  key?: Partial<DhcpdKey> | null;
  omapiPort?: number;
  /** Initial dhcpd.leases content (default empty). */
  leases?: string;
  /** Prefix of the namespace names (keep it short; a random suffix is added). */
  prefix?: string;
  /** How long to wait for dhcpd to serve and OMAPI to accept connections. */
  startTimeoutMs?: number;
}

export interface DhcpdInstance extends DhcpServerLink {
  /** Address the test process (root namespace) uses to reach OMAPI. */
  omapiHost: string;
  omapiPort: number;
  key: DhcpdKey | null;
  dir: string;
  confFile: string;
  leasesFile: string;
  pid: number;
  /** dhcpd's stderr (it runs with -d) so far. */
  log(): string;
  /** Stops and starts dhcpd again on the same files (it rewrites the leases file at start). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const LINK_IF_NS = 'om0';
const DHCP_IF_SERVER = 'dh0';
const DHCP_IF_CLIENT = 'dh1';

export function dhcpdConf(o: {
  subnet: { network: string; netmask: string };
  omapiPort: number;
  key: DhcpdKey | null;
  confExtra?: string;
  subnetExtra?: string;
}): string {
  const key = o.key
    ? `key ${o.key.name} {\n  algorithm ${o.key.algorithm};\n  secret "${o.key.secret}";\n}\nomapi-key ${o.key.name};\n`
    : '';
  return [
    '# written by test/support/dhcpd.ts',
    'authoritative;',
    'ddns-update-style none;',
    'default-lease-time 600;',
    'max-lease-time 7200;',
    `omapi-port ${o.omapiPort};`,
    key,
    o.confExtra ?? '',
    `subnet ${o.subnet.network} netmask ${o.subnet.netmask} {`,
    o.subnetExtra ?? '',
    '}',
    '',
  ].join('\n');
}

function resolveKey(k: StartDhcpdOptions['key']): DhcpdKey | null {
  if (k === null) return null;
  return {
    name: k?.name ?? 'omapi_key',
    algorithm: k?.algorithm ?? 'hmac-md5',
    secret: k?.secret ?? randomBytes(32).toString('base64'),
  };
}

/**
 * What dhcpd says when it reads `leases` as its leases file at start-up (`dhcpd -T`: parse the
 * config and the leases file, write nothing else, exit), without starting a server: its stderr.
 * A record it cannot parse shows as a line `<file> line N: <error>`, and dhcpd then drops it.
 */
export function checkLeasesText(confFile: string, leases: string): string {
  requireRootAndCommands(DHCPD_BIN);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhcpd-T-'));
  try {
    const leasesFile = path.join(dir, 'dhcpd.leases');
    fs.writeFileSync(leasesFile, leases);
    const r = spawnSync(DHCPD_BIN, ['-4', '-T', '-cf', confFile, '-lf', leasesFile, '-pf', path.join(dir, 'dhcpd.pid')], {
      encoding: 'utf8', timeout: 20_000,
    });
    if (r.status !== 0) throw new Error(`dhcpd -T failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return r.stderr;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startDhcpd(opts: StartDhcpdOptions): Promise<DhcpdInstance> {
  requireRootAndCommands(DHCPD_BIN);
  const subnet = parseCidr(opts.subnet);
  const omapiPort = opts.omapiPort ?? 7911;
  const key = resolveKey(opts.key);
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const prefix = opts.prefix ?? 'spdhcpd';

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(dir, 0o755);
  const confFile = path.join(dir, 'dhcpd.conf');
  const leasesFile = path.join(dir, 'dhcpd.leases');
  const pidFile = path.join(dir, 'dhcpd.pid');
  fs.writeFileSync(confFile, dhcpdConf({ subnet, omapiPort, key, confExtra: opts.confExtra, subnetExtra: opts.subnetExtra }));
  fs.writeFileSync(leasesFile, opts.leases ?? '');

  let topology: ServerTopology | undefined;
  let child: ChildProcess | null = null;
  let stderr = '';

  const cleanup = async () => {
    await stopProcess(child);
    child = null;
    await topology?.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    topology = await createServerTopology({
      prefix, subnet, serverIp: opts.serverIp, rootIfTag: 'spo',
      ifaces: { link: LINK_IF_NS, server: DHCP_IF_SERVER, client: DHCP_IF_CLIENT },
    });
    const { dhcp, nsIp } = topology;

    const launch = async () => {
      stderr = '';
      const p = spawn(
        'ip',
        ['netns', 'exec', dhcp.ns, DHCPD_BIN, '-4', '-f', '-d', '-cf', confFile, '-lf', leasesFile, '-pf', pidFile, DHCP_IF_SERVER],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      child = p;
      await pollUntil(
        async () => {
          if (p.exitCode !== null || p.signalCode !== null) {
            throw new Error(`dhcpd exited (${p.exitCode ?? p.signalCode}) at start:\n${stderr}`);
          }
          return /Server starting service/.test(stderr) && (await canConnect(nsIp, omapiPort));
        },
        timeoutMs,
        () => `dhcpd did not start serving within ${timeoutMs} ms:\n${stderr}`,
      );
    };
    await launch();

    const instance: DhcpdInstance = {
      ...dhcp,
      omapiHost: nsIp,
      omapiPort,
      key,
      dir,
      confFile,
      leasesFile,
      get pid() {
        return child?.pid ?? -1;
      },
      log: () => stderr,
      restart: async () => {
        await stopProcess(child);
        await launch();
      },
      stop: cleanup,
    };
    return instance;
  } catch (e) {
    await cleanup();
    throw e;
  }
}
