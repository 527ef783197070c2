/**
 * ping_free_ip for real (reference §7.6): a namespace holds addresses that answer in different
 * ways, and unused_ip, through the real module and core, must skip every one that answers and
 * offer the silent one. Policy routing inside the namespace makes each probe matter on its own:
 *   .2 answers ping, but its TCP replies (RST) are blackholed   -> only ICMP sees it
 *   .3 has a TCP listener on port 7, its ICMP replies blackholed -> TCP "connected"
 *   .4 has no listener (RST = refused), ICMP blackholed          -> TCP "refused" counts as alive
 *   .5 is not assigned anywhere                                  -> silent, must be offered
 */
import { ChildProcess, spawn } from 'child_process';
import request from 'supertest';
import { LocalOfferedAddresses } from '../../../src/modules/dhcp/offered-addresses';
import { TcpIcmpProber } from '../../../src/modules/dhcp/probe';
import { dhcpTestApp, DhcpTestApp } from '../../support/dhcp-app';
import { FakeDhcpProvider, subnet } from '../../support/fake-dhcp-provider';
import {
  createNamespace, createVethPair, deleteLink, deleteNamespace, requireRootAndCommands, run, runInNs, shortId,
} from '../../support/netns';

jest.setTimeout(60_000);

let ns = '';
let rootLink = '';
let prefix = '';
let listener: ChildProcess | undefined;
const addr = (n: number) => `${prefix}.${n}`;

/** A 10.a.b.0/24 that no address or route of the root namespace mentions. */
async function freeSlash24(): Promise<string> {
  const { stdout: routes } = await run('ip', ['-o', '-4', 'route', 'show', 'table', 'all']);
  const { stdout: addrs } = await run('ip', ['-o', '-4', 'addr', 'show']);
  for (let i = 0; i < 100; i++) {
    const candidate = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!routes.includes(`${candidate}.`) && !addrs.includes(`${candidate}.`)) return candidate;
  }
  throw new Error('no free 10.x.y.0/24 for the ping test');
}

beforeAll(async () => {
  requireRootAndCommands('ping', 'node');
  prefix = await freeSlash24();
  ns = await createNamespace('dhcpping');
  const id = shortId(3);
  rootLink = `v4pr${id}`;
  await createVethPair({ name: rootLink, address: `${addr(1)}/24` }, { ns, name: `v4pn${id}`, address: `${addr(2)}/24` });
  for (const n of [3, 4]) await run('ip', ['-n', ns, 'addr', 'add', `${addr(n)}/24`, 'dev', `v4pn${id}`]);
  await run('ip', ['-n', ns, 'route', 'add', 'blackhole', 'default', 'table', '100']);
  await run('ip', ['-n', ns, 'rule', 'add', 'from', addr(2), 'ipproto', 'tcp', 'lookup', '100', 'pref', '100']);
  await run('ip', ['-n', ns, 'rule', 'add', 'from', addr(3), 'ipproto', 'icmp', 'lookup', '100', 'pref', '101']);
  await run('ip', ['-n', ns, 'rule', 'add', 'from', addr(4), 'ipproto', 'icmp', 'lookup', '100', 'pref', '102']);
  // The port-7 listener, inside the namespace, killed by its PID in afterAll.
  listener = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e',
    `require('net').createServer((s) => s.destroy()).listen(7, '${addr(3)}', () => console.log('ready'))`],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    listener!.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
    listener!.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('ready')) resolve(); });
    listener!.once('exit', (code) => reject(new Error(`port-7 listener exited (${code}): ${err}`)));
  });
});

afterAll(async () => {
  if (listener?.pid && listener.exitCode === null) listener.kill('SIGKILL');
  if (rootLink) await deleteLink(rootLink);
  if (ns) await deleteNamespace(ns);
});

test('the namespace answers as designed, and each probe sees what it should', async () => {
  const p = new TcpIcmpProber();
  const seen: Record<string, [boolean, boolean]> = {};
  for (const n of [2, 3, 4, 5]) seen[`.${n}`] = [await p.tcpAlive(addr(n)), await p.icmpAlive(addr(n))];
  expect(seen).toEqual({
    '.2': [false, true], // ICMP only
    '.3': [true, false], // TCP listener
    '.4': [true, false], // TCP refused
    '.5': [false, false], // silent
  });
  // Sanity: the namespace really holds .2-.4 (the listener runs there).
  const { stdout } = await runInNs(ns, 'ip', ['-o', '-4', 'addr', 'show']);
  for (const n of [2, 3, 4]) expect(stdout).toContain(`${addr(n)}/24`);
});

describe('GET /dhcp/<net>/unused_ip with ping_free_ip: true', () => {
  let app: DhcpTestApp;
  let store: LocalOfferedAddresses;

  beforeEach(async () => {
    store = new LocalOfferedAddresses();
    app = await dhcpTestApp(new FakeDhcpProvider({ subnets: [subnet(`${prefix}.0`, '255.255.255.0')] }),
      { ping_free_ip: true }, { offeredStore: () => store });
  });
  afterEach(() => app.stop());

  test.each([1, 2, 3])('run %i: every answering address is skipped, the silent one offered; all stay marked', async () => {
    const path = `/dhcp/${prefix}.0/unused_ip?from=${addr(2)}&to=${addr(5)}`;
    const first = await request(app.listener).get(path);
    expect([first.status, first.text]).toEqual([200, `{"ip":"${addr(5)}"}`]);
    const offered = await Promise.all([2, 3, 4, 5].map((n) => store.isOffered(addr(n), Date.now())));
    // Alive addresses probed on the way stay marked; the order is random, so only .5 is certain.
    expect(offered[3]).toBe(true);
    const second = await request(app.listener).get(path);
    expect([second.status, second.text]).toEqual([200, '{"ip":null}']);
    expect(await Promise.all([2, 3, 4, 5].map((n) => store.isOffered(addr(n), Date.now())))).toEqual([true, true, true, true]);
  });

  test('with ping_free_ip: false the probes are not run and an answering address can be offered', async () => {
    const quiet = await dhcpTestApp(new FakeDhcpProvider({ subnets: [subnet(`${prefix}.0`, '255.255.255.0')] }), { ping_free_ip: false });
    try {
      const res = await request(quiet.listener).get(`/dhcp/${prefix}.0/unused_ip?from=${addr(2)}&to=${addr(2)}`);
      expect(res.text).toBe(`{"ip":"${addr(2)}"}`);
    } finally {
      await quiet.stop();
    }
  });
});
