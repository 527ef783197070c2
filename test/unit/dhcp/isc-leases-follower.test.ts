import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LeasesFollower, LeasesFollowerOptions, PendingChange } from '../../../src/modules/dhcp/providers/isc/leases-follower';
import { IscState } from '../../../src/modules/dhcp/providers/isc/state';

const FIXTURES = path.join(__dirname, '../../..', '..', 'shared', 'fixtures', 'isc');

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const HOST = (name: string, mac: string, ip: string) => `host ${name} {\n  dynamic;\n  hardware ethernet ${mac};\n  fixed-address ${ip};\n  supersede host-name = "${name}";\n}\n`;
const LEASE = (ip: string, mac: string) => `lease ${ip} {\n  starts 4 2024/01/04 10:00:00;\n  ends never;\n  binding state active;\n  hardware ethernet ${mac};\n}\n`;

describe('PendingChange (event coalescing)', () => {
  it('modified only from none; recreated absorbs modified; stopped always wins and stays', () => {
    const p = new PendingChange();
    p.push('modified');
    expect(p.value).toBe('modified');
    p.push('recreated');
    expect(p.value).toBe('recreated');
    p.push('modified');
    expect(p.value).toBe('recreated');
    expect(p.pop()).toBe('recreated');
    expect(p.value).toBe('none');
    p.push('recreated');
    p.push('recreated');
    expect(p.pop()).toBe('recreated');
    p.push('stopped');
    p.push('modified');
    p.push('recreated');
    expect(p.pop()).toBe('stopped');
    expect(p.pop()).toBe('stopped');
  });
});

describe('LeasesFollower', () => {
  let dir: string;
  let config: string;
  let leases: string;
  let state: IscState;
  let follower: LeasesFollower | undefined;
  const logged: string[] = [];
  const log = {
    debug: () => undefined,
    info: (m: string) => logged.push(`I ${m}`),
    warn: (m: string) => logged.push(`W ${m}`),
    error: (m: string) => logged.push(`E ${m}`),
  };

  const start = async (extra: Partial<LeasesFollowerOptions> = {}): Promise<LeasesFollower> => {
    follower = new LeasesFollower({ configPath: config, leasesPath: leases, state, log, pollIntervalMs: 100, settleMs: 20, ...extra });
    await follower.start();
    return follower;
  };
  const names = () => state.index.allReservations().map((r) => r.name);
  const leaseIps = () => state.index.allLeases().map((l) => l.ip);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isc-follow-'));
    config = path.join(dir, 'dhcpd.conf');
    leases = path.join(dir, 'dhcpd.leases');
    fs.writeFileSync(config, 'include "subnets.conf";\n');
    fs.copyFileSync(path.join(FIXTURES, 'dhcp_subnets.conf'), path.join(dir, 'subnets.conf'));
    fs.copyFileSync(path.join(FIXTURES, 'dhcp.leases'), leases);
    state = new IscState();
    logged.length = 0;
  });

  afterEach(async () => {
    await follower?.stop();
    follower = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('start loads the config (with includes) and the whole leases file', async () => {
    const f = await start();
    expect(state.index.subnets()).toHaveLength(4);
    expect(names()).toHaveLength(11);
    expect(leaseIps()).toEqual(['192.168.122.2', '192.168.122.89', '192.168.122.7']);
    expect(f.stats.fullLoads).toBe(1);
    expect(logged).toEqual([expect.stringMatching(/^I Loaded .*: 4 subnet\(s\), 11 reservation\(s\), 29 lease-file record\(s\), 3 active lease\(s\)$/)]);
  });

  it('appended host, lease and deleted stanzas become visible through the watch, without a full reload', async () => {
    const f = await start();
    fs.appendFileSync(leases, HOST('appended.example.com', 'aa:bb:cc:00:00:01', '192.168.122.160'));
    await waitFor(() => names().includes('appended.example.com'), 'the appended host');
    fs.appendFileSync(leases, LEASE('192.168.122.161', 'aa:bb:cc:00:00:02'));
    await waitFor(() => leaseIps().includes('192.168.122.161'), 'the appended lease');
    fs.appendFileSync(leases, 'host appended.example.com {\n  dynamic;\n  deleted;\n}\n');
    await waitFor(() => !names().includes('appended.example.com'), 'the deletion');
    expect(f.stats.fullLoads).toBe(1);
    expect(f.stats.appendedReads).toBeGreaterThanOrEqual(1);
  });

  it('a block written in two parts is applied once it is complete', async () => {
    const f = await start({ watch: false });
    const text = HOST('split.example.com', 'aa:bb:cc:00:00:03', '192.168.122.162');
    const cut = text.indexOf('fixed-address') + 5;
    fs.appendFileSync(leases, text.slice(0, cut));
    f.poke();
    await f.settled();
    expect(names()).not.toContain('split.example.com');
    const reads = f.stats.appendedReads;
    expect(reads).toBeGreaterThanOrEqual(1);
    fs.appendFileSync(leases, text.slice(cut));
    f.poke();
    await f.settled();
    expect(names()).toContain('split.example.com');
    expect(state.index.findReservationByName('split.example.com')?.ip).toBe('192.168.122.162');
    expect(f.stats.fullLoads).toBe(1);
  });

  it('a file renamed over the leases file (as dhcpd rewrites it) is a full reload of config and leases', async () => {
    const f = await start();
    fs.writeFileSync(path.join(dir, 'subnets.conf'), 'subnet 10.1.0.0 netmask 255.255.0.0 { }\n');
    const replacement = path.join(dir, 'dhcpd.leases.1700000000');
    fs.writeFileSync(replacement, HOST('fresh.example.com', 'aa:bb:cc:00:00:04', '10.1.2.3') + LEASE('10.1.2.4', 'aa:bb:cc:00:00:05'));
    fs.linkSync(leases, `${leases}~`);
    fs.renameSync(replacement, leases);
    await waitFor(() => names().join() === 'fresh.example.com', 'the reloaded state');
    expect(state.index.subnets().map((s) => s.network)).toEqual(['10.1.0.0']);
    expect(leaseIps()).toEqual(['10.1.2.4']);
    expect(f.stats.fullLoads).toBeGreaterThanOrEqual(2);
    // Appends to the new file are followed from its end.
    fs.appendFileSync(leases, HOST('after.example.com', 'aa:bb:cc:00:00:06', '10.1.2.5'));
    await waitFor(() => names().includes('after.example.com'), 'a host appended to the new file');
  });

  it('without watch events the stat poll notices appends and replacement', async () => {
    const f = await start({ watch: false });
    fs.appendFileSync(leases, HOST('polled.example.com', 'aa:bb:cc:00:00:07', '192.168.122.163'));
    await waitFor(() => names().includes('polled.example.com'), 'the polled append');
    const replacement = path.join(dir, 'new');
    fs.writeFileSync(replacement, LEASE('192.168.122.170', 'aa:bb:cc:00:00:08'));
    fs.renameSync(replacement, leases);
    await waitFor(() => leaseIps().join() === '192.168.122.170', 'the polled replacement');
    expect(names()).toEqual(['test.example.com']);
    expect(f.stats.fullLoads).toBe(2);
  });

  it('a truncated file is reloaded in full', async () => {
    const f = await start({ watch: false });
    fs.writeFileSync(leases, LEASE('192.168.122.171', 'aa:bb:cc:00:00:09'));
    f.poke();
    await f.settled();
    expect(leaseIps()).toEqual(['192.168.122.171']);
    expect(f.stats.fullLoads).toBe(2);
  });

  it('start fails with file and line when dhcpd.conf is broken, and when a file is missing', async () => {
    fs.writeFileSync(path.join(dir, 'subnets.conf'), 'subnet 10.0.0.0 netmask 255.0.0.0 {\n');
    await expect(start()).rejects.toThrow(`${path.join(dir, 'subnets.conf')}:1: block is not closed`);
    follower = undefined;
    fs.writeFileSync(path.join(dir, 'subnets.conf'), 'subnet 10.0.0.0 netmask 255.0.0.0 { option routers 10.0.0.256; }\n');
    await expect(start()).rejects.toThrow(/^Invalid IP Address 10.0.0.256 \(subnet 10.0.0.0 at .*subnets.conf:1\)$/);
    follower = undefined;
    fs.rmSync(leases);
    await expect(start()).rejects.toThrow(/ENOENT/);
    follower = undefined;
  });

  it('a reload that fails keeps the previous state, says so once, and recovers when the file is fixed', async () => {
    const f = await start({ watch: false });
    fs.writeFileSync(config, 'subnet 10.0.0.0 netmask 255.0.0.0 {\n');
    const replacement = path.join(dir, 'new');
    fs.writeFileSync(replacement, LEASE('192.168.122.172', 'aa:bb:cc:00:00:0a'));
    fs.renameSync(replacement, leases);
    await waitFor(() => f.stats.failures >= 3, 'repeated failed reloads');
    expect(names()).toHaveLength(11);
    expect(logged.filter((l) => l.startsWith('E '))).toEqual([expect.stringContaining('keeping the previous state')]);
    fs.writeFileSync(config, 'subnet 192.168.122.0 netmask 255.255.255.0 { }\n');
    await waitFor(() => leaseIps().join() === '192.168.122.172', 'the recovered reload');
  });

  it('damaged text in the leases file is skipped with a warning', async () => {
    const f = await start({ watch: false });
    fs.appendFileSync(leases, `}\n${LEASE('192.168.122.173', 'aa:bb:cc:00:00:0b')}`);
    f.poke();
    await f.settled();
    expect(leaseIps()).toContain('192.168.122.173');
    expect(logged).toContainEqual(expect.stringMatching(/^W Skipped damaged text in the leases file: .*dhcpd.leases:\d+: unexpected '}'/));
  });

  it('keeps answering while a large file loads: the load yields to the event loop between chunks', async () => {
    const big: string[] = [];
    for (let i = 0; i < 20000; i++) big.push(LEASE(`192.168.122.${(i % 250) + 1}`, `aa:bb:cc:00:${((i >> 8) & 255).toString(16)}:${(i & 255).toString(16)}`));
    fs.writeFileSync(leases, big.join(''));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await start({ chunkSize: 64 * 1024 });
    } finally {
      clearInterval(timer);
    }
    expect(state.index.allLeases()).toHaveLength(250);
    expect(ticks).toBeGreaterThan(0);
  });

  it('begin resolves once dhcpd.conf is loaded; the leases file is read after `after`, and loaded() waits for it', async () => {
    let release!: () => void;
    const after = new Promise<void>((resolve) => (release = resolve));
    const f = follower = new LeasesFollower({ configPath: config, leasesPath: leases, state, log, pollIntervalMs: 100, settleMs: 20 });
    await f.begin(after);
    let loaded = false;
    const waiting = f.loaded().then(() => (loaded = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(loaded).toBe(false);
    expect(f.stats.fullLoads).toBe(0);
    expect(names()).toEqual([]);
    release();
    await waiting;
    expect(names()).toHaveLength(11);
    expect(f.stats.fullLoads).toBe(1);
    await f.loaded(); // and at once from then on
  });

  it('begin rejects for a broken dhcpd.conf, as start does, and leaves nothing running', async () => {
    fs.writeFileSync(path.join(dir, 'subnets.conf'), 'subnet 10.0.0.0 netmask 255.0.0.0 {\n');
    const f = new LeasesFollower({ configPath: config, leasesPath: leases, state, log, pollIntervalMs: 50 });
    await expect(f.begin()).rejects.toThrow('block is not closed');
    fs.writeFileSync(path.join(dir, 'subnets.conf'), 'subnet 192.168.122.0 netmask 255.255.255.0 { }\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(f.stats.fullLoads).toBe(0);
  });

  it('a first read that fails makes loaded() reject with the reason; the poll retries and recovers', async () => {
    fs.rmSync(leases);
    fs.mkdirSync(leases); // opens, but reading it fails (EISDIR)
    const f = follower = new LeasesFollower({ configPath: config, leasesPath: leases, state, log, pollIntervalMs: 50, watch: false });
    await f.begin();
    await expect(f.loaded()).rejects.toThrow(`The DHCP leases file ${leases} could not be read: EISDIR`);
    expect(logged).toContainEqual(expect.stringMatching(/^E Reading the DHCP leases failed; retrying on every poll: EISDIR/));
    fs.rmdirSync(leases);
    fs.writeFileSync(leases, LEASE('192.168.122.175', 'aa:bb:cc:00:00:0d'));
    await waitFor(() => f.stats.fullLoads === 1, 'the retried load');
    await f.loaded();
    expect(leaseIps()).toEqual(['192.168.122.175']);
  });

  it('stop during a deferred read ends at once, without reading the file', async () => {
    const f = new LeasesFollower({ configPath: config, leasesPath: leases, state, log });
    await f.begin(new Promise<void>(() => undefined));
    const stopped = f.stop();
    await expect(Promise.race([stopped.then(() => 'stopped'), new Promise((r) => setTimeout(() => r('hung'), 1000))])).resolves.toBe('stopped');
  });

  it('stop closes everything: later changes are not applied', async () => {
    const f = await start();
    await f.stop();
    fs.appendFileSync(leases, HOST('late.example.com', 'aa:bb:cc:00:00:0c', '192.168.122.174'));
    await new Promise((r) => setTimeout(r, 300));
    expect(names()).not.toContain('late.example.com');
    follower = undefined;
  });
});
