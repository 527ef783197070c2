/**
 * Network-namespace helpers for integration tests. Everything a test creates lives in
 * namespaces it made itself (names carry a random suffix so parallel runs never collide), and
 * the only addresses added to the root namespace are on veth ends the test created.
 */
import { execFile, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';

export interface CmdResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; rejects with its stderr in the message when it fails. */
export function run(cmd: string, args: string[], timeoutMs = 15_000): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${cmd} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
      } else {
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      }
    });
  });
}

/** `ip netns exec NS cmd args…` */
export function runInNs(ns: string, cmd: string, args: string[], timeoutMs?: number): Promise<CmdResult> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], timeoutMs);
}

/** Fails loudly (never skips) when the test cannot do its job here. */
export function requireRootAndCommands(...commands: string[]): void {
  if (process.getuid && process.getuid() !== 0) {
    throw new Error('this integration test needs root (network namespaces); run it as root as CI does');
  }
  for (const c of ['ip', ...commands]) {
    const found = spawnSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' });
    if (found.status !== 0) {
      throw new Error(`command "${c}" is missing: run scripts/install-deps.sh (Debian packages) first`);
    }
  }
}

export function shortId(bytes = 3): string {
  return randomBytes(bytes).toString('hex');
}

/** Creates `<prefix>-<random>` with loopback up; returns its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${shortId(4)}`;
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Deletes a namespace this test created (veths inside it vanish with it). Never throws. */
export async function deleteNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name]).catch(() => undefined);
}

export interface VethEnd {
  /** Namespace of this end; undefined = the root namespace. */
  ns?: string;
  /** Interface name, at most 15 characters. */
  name: string;
  /** Address with prefix, e.g. 10.77.5.1/24; none = unnumbered. */
  address?: string;
  /** MAC to set before bringing the link up. */
  mac?: string;
}

function ipArgs(ns: string | undefined, ...args: string[]): string[] {
  return ns ? ['-n', ns, ...args] : args;
}

/** Creates a veth pair between two namespaces (or one namespace and the root), both ends up. */
export async function createVethPair(a: VethEnd, b: VethEnd): Promise<void> {
  for (const end of [a, b]) {
    if (end.name.length > 15) throw new Error(`interface name too long: ${end.name}`);
  }
  // Create both ends inside a's namespace, then move b where it belongs.
  await run('ip', ipArgs(a.ns, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name));
  if (b.ns !== a.ns) {
    await run('ip', ipArgs(a.ns, 'link', 'set', b.name, 'netns', b.ns ?? '1'));
  }
  for (const end of [a, b]) {
    if (end.mac) await run('ip', ipArgs(end.ns, 'link', 'set', end.name, 'address', end.mac));
    if (end.address) await run('ip', ipArgs(end.ns, 'addr', 'add', end.address, 'dev', end.name));
    await run('ip', ipArgs(end.ns, 'link', 'set', end.name, 'up'));
  }
}

/** Deletes a root-namespace interface this test created (its peer goes with it). Never throws. */
export async function deleteLink(name: string): Promise<void> {
  await run('ip', ['link', 'del', name]).catch(() => undefined);
}

/** IPv4 addresses (a.b.c.d/len) configured in the root namespace right now. */
async function rootAddresses(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  return stdout
    .split('\n')
    .map((l) => /inet (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(l)?.[1])
    .filter((x): x is string => !!x);
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/**
 * A random 10.x.y.z/30 that overlaps nothing in the root namespace: for the link between the
 * root namespace (the test process) and a test namespace.
 */
export async function pickLinkSubnet(avoid: string[] = []): Promise<{ nsIp: string; rootIp: string; prefix: 30 }> {
  const taken = [...(await rootAddresses()), ...avoid].map((cidr) => {
    const [ip, len] = cidr.split('/');
    const bits = Number(len ?? 32);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return { net: (toInt(ip) & mask) >>> 0, mask };
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = (toInt('10.0.0.0') + (randomBytes(3).readUIntBE(0, 3) & 0xfffffc)) >>> 0;
    const clash = taken.some(({ net, mask }) => ((base & mask) >>> 0) === net || ((net & 0xfffffffc) >>> 0) === base);
    if (!clash && (base & 0xff0000) !== 0) return { nsIp: fromInt(base + 1), rootIp: fromInt(base + 2), prefix: 30 };
  }
  throw new Error('no free 10.x.y.z/30 found for a test link');
}

/** Parses "10.77.5.0/24" into network, prefix length and dotted netmask. */
export function parseCidr(cidr: string): { network: string; prefix: number; netmask: string } {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not a CIDR subnet: ${cidr}`);
  const prefix = Number(m[2]);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: fromInt((toInt(m[1]) & mask) >>> 0), prefix, netmask: fromInt(mask) };
}

/** A random 10.x.y.0/24 for a test's DHCP subnet (only ever used inside test namespaces). */
export function randomTestSubnet(): string {
  const b = randomBytes(2);
  return `10.${(b[0] % 200) + 20}.${b[1]}.0/24`;
}

export interface TestLan {
  /** The subnet, e.g. 10.42.7.0/24. */
  cidr: string;
  /** Its network address, e.g. 10.42.7.0. */
  network: string;
  /** The address with this last octet: ip(1) = 10.42.7.1. */
  ip(last: number): string;
}

/** randomTestSubnet() with its network address and a way to name its hosts. */
export function randomTestLan(): TestLan {
  const cidr = randomTestSubnet();
  const network = cidr.split('/')[0];
  return { cidr, network, ip: (last) => network.replace(/\d+$/, String(last)) };
}

export interface ServerTopologyOptions {
  /** Start of the namespace names: `<prefix>-s-<random>` (server) and `<prefix>-c-<random>` (client). */
  prefix: string;
  /** The DHCP subnet (parseCidr); the root link's /30 is chosen outside it. */
  subnet: { network: string; prefix: number; netmask: string };
  /** The server's address on the DHCP link, inside `subnet`. */
  serverIp: string;
  /** A few letters that start the root end's name (`<tag><random hex>`), so `ip link` shows whose it is. */
  rootIfTag: string;
  /** Interface names inside the namespaces: the server's end of the root link, and both DHCP ends. */
  ifaces: { link: string; server: string; client: string };
}

/** Where a DHCP server harness (dhcpd.ts, kea.ts) serves, and where its clients go. */
export interface DhcpServerLink {
  /** Server namespace (the daemon runs here). */
  ns: string;
  /** Client namespace linked to the DHCP interface; put dhclient or qemu here. */
  clientNs: string;
  /** The client namespace's end of the DHCP link (unnumbered). */
  clientIf: string;
  /** The server's DHCP interface inside `ns`. */
  serverIf: string;
  subnet: { network: string; prefix: number; netmask: string };
  /** The server's address on `serverIf`. */
  serverIp: string;
}

export interface ServerTopology {
  /** The DHCP side: `ns` also holds `ifaces.link` (nsIp/30). */
  dhcp: DhcpServerLink;
  /** The server namespace's address on the root link: where the test process reaches services. */
  nsIp: string;
  /** The root namespace's address on that link. */
  rootIp: string;
  /** The root namespace's end of the link. */
  rootIf: string;
  /** Deletes the root link and both namespaces (and so every veth in them). Never throws. */
  cleanup(): Promise<void>;
}

/**
 * The layout the DHCP server harnesses share:
 *
 *   root namespace (the test)        server namespace                  client namespace
 *   rootIf rootIp/30  ────veth────  ifaces.link nsIp/30
 *                                   ifaces.server serverIp/prefix ──veth── ifaces.client
 *
 * On failure, whatever was created is removed again before the error is thrown.
 */
export async function createServerTopology(o: ServerTopologyOptions): Promise<ServerTopology> {
  const namespaces: string[] = [];
  const links: string[] = [];
  const cleanup = async () => {
    for (const l of links) await deleteLink(l);
    for (const n of [...namespaces].reverse()) await deleteNamespace(n);
  };
  try {
    const ns = await createNamespace(`${o.prefix}-s`);
    namespaces.push(ns);
    const clientNs = await createNamespace(`${o.prefix}-c`);
    namespaces.push(clientNs);
    const link = await pickLinkSubnet([`${o.subnet.network}/${o.subnet.prefix}`]);
    const rootIf = `${o.rootIfTag}${shortId(5)}`.slice(0, 15);
    await createVethPair({ ns, name: o.ifaces.link, address: `${link.nsIp}/30` }, { name: rootIf, address: `${link.rootIp}/30` });
    links.push(rootIf);
    await createVethPair(
      { ns, name: o.ifaces.server, address: `${o.serverIp}/${o.subnet.prefix}` },
      { ns: clientNs, name: o.ifaces.client },
    );
    return {
      dhcp: { ns, clientNs, clientIf: o.ifaces.client, serverIf: o.ifaces.server, subnet: o.subnet, serverIp: o.serverIp },
      nsIp: link.nsIp,
      rootIp: link.rootIp,
      rootIf,
      cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
