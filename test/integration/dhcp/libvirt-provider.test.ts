/**
 * The DHCP API over dhcp_libvirt against a REAL libvirtd (Debian libvirt-daemon 9.0, started by
 * test/support/libvirtd.ts in its own network and mount namespaces, no systemd), a libvirt network
 * with DHCP (libvirt's own dnsmasq) and a real dhclient on a port of the network's bridge.
 *
 * The proxy runs whole (core, listeners, routes) with `dhcp: use_provider dhcp_libvirt` and
 * `dhcp_libvirt: url qemu:///system?socket=<that libvirtd's socket>` (the QEMU driver is loaded
 * so Foreman's default URL scheme is the one tested). The test process runs with TZ=Asia/Kolkata
 * (UTC+05:30) so that a lease time read in the wrong zone would show.
 */
import * as fs from 'fs';
import * as path from 'path';
import request from 'supertest';
import { startProxy } from '../../../src/core/proxy';
import { globalSettingsFrom, Settings } from '../../../src/core/settings';
import { MODULES, PROVIDERS } from '../../../src/modules';
import { dhcpModule } from '../../../src/modules/dhcp';
import { findOnPath, Virsh, VirshError } from '../../../src/modules/dhcp/providers/libvirt/virsh';
import { leaseTime } from '../../../src/modules/dhcp/records-json';
import { renderSnippet } from '../../../src/tools/dhcp-snippet-render';
import { runDhclient } from '../../support/dhclient';
import { textBody } from '../../support/dhcp-app';
import { Libvirtd, LibvirtClientPort, startLibvirtd } from '../../support/libvirtd';
import { randomTestLan, run, shortId } from '../../support/netns';
import { startTestProxy, TestProxy } from '../../support/proxy';

jest.setTimeout(120_000);

const NETWORK = `sp${shortId(2)}`;
const BRIDGE = 'spbr0'; // inside the test's own namespace
const MAC_A = '52:54:00:5a:00:0a';
const MAC_B = '52:54:00:5a:00:0b';
const MAC_PRE = '52:54:00:5a:00:99';
const MAC20 = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:01';

let lv: Libvirtd;
let client: LibvirtClientPort;
let dnsmasqPid: number;
let tp: TestProxy;
let savedTz: string | undefined;
const lan = randomTestLan();
const net = lan.network;
const ip = lan.ip;
const bootUrl = () => `http://${ip(1)}:8000/httpboot/grub2/grubx64.efi`;
/** Milliseconds of each POST that created a reservation one at a time (no concurrency). */
const createTimes: number[] = [];
let concurrentMs = 0;

/**
 * The documented way to give a libvirt network UEFI HTTP boot (docs/dhcp-libvirt.md): the
 * `dhcp-snippet --libvirt` text with the network's own elements, among them one host made by the operator.
 */
function networkXml(): string {
  const snippet = renderSnippet({ server: 'libvirt', url: bootUrl(), arch: 'x64', source: 'the test' });
  return snippet.replace(/<!-- the network's own elements [^>]*-->/, `<name>${NETWORK}</name>
  <bridge name='${BRIDGE}' stp='off' delay='0'/>
  <domain name='libvirt.test'/>
  <ip address='${ip(1)}' netmask='255.255.255.0'>
    <dhcp>
      <range start='${ip(100)}' end='${ip(150)}'/>
      <host mac='${MAC_PRE}' name='pre' ip='${ip(40)}'/>
    </dhcp>
  </ip>`);
}

/** The whole proxy on loopback; the dhcp module is added when the registry does not list it (yet). */
async function startProxyWithDhcp(modules: Record<string, Settings>): Promise<TestProxy> {
  if (MODULES.some((m) => m.name === 'dhcp')) return startTestProxy({ http_port: 'auto' }, modules);
  const global = globalSettingsFrom({ bind_host: ['127.0.0.1'], log_file: '/dev/null', http_port: 0 }, '/tmp');
  const proxy = await startProxy({ global, modules: [...MODULES, dhcpModule], providers: PROVIDERS, settingsSource: (n) => modules[n] });
  const l = proxy.listeners.find((x) => x.scheme === 'http')!;
  return { proxy, http: `http://127.0.0.1:${l.address.port}`, stop: () => proxy.stop() };
}

const get = (p: string) => request(tp.http!).get(p).set('Accept', 'application/json').buffer(true).parse(textBody);
const del = (p: string) => request(tp.http!).delete(p).buffer(true).parse(textBody);
const post = (fields: Record<string, string>) => request(tp.http!).post(`/dhcp/${net}`).set('Accept', 'application/json')
  .type('form').send(new URLSearchParams(fields).toString()).buffer(true).parse(textBody);
async function timedCreate(fields: Record<string, string>): Promise<request.Response> {
  const t0 = process.hrtime.bigint();
  const res = await post(fields);
  createTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  return res;
}
const json = (res: request.Response) => JSON.parse(res.body);

/** What libvirt itself holds: live and persistent definitions, and dnsmasq's hosts file. */
async function libvirtState(): Promise<{ live: string; config: string; hostsfile: string }> {
  const hostsfile = path.join(lv.runDir, 'ov', 'var-up', 'lib', 'libvirt', 'dnsmasq', `${NETWORK}.hostsfile`);
  return {
    live: await lv.virsh(['net-dumpxml', '--network', NETWORK]),
    config: await lv.virsh(['net-dumpxml', '--network', NETWORK, '--inactive']),
    hostsfile: fs.existsSync(hostsfile) ? fs.readFileSync(hostsfile, 'utf8') : '',
  };
}
/** No such process, or only a zombie waiting for PID 1 (dnsmasq daemonizes). */
function gone(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] === 'Z';
  } catch {
    return true;
  }
}
const hostLines = (xml: string) => xml.split('\n').filter((l) => l.includes('<host ')).map((l) => l.trim());

beforeAll(async () => {
  savedTz = process.env.TZ;
  process.env.TZ = 'Asia/Kolkata';
  lv = await startLibvirtd({ prefix: 'splv', qemuDriver: true });
  dnsmasqPid = await lv.startNetwork(NETWORK, networkXml());
  client = await lv.attachClient(BRIDGE);
  tp = await startProxyWithDhcp({
    dhcp: { enabled: true, use_provider: 'dhcp_libvirt', ping_free_ip: false },
    dhcp_libvirt: { url: lv.uri, network: NETWORK },
  });
  const state = tp.proxy.registry.modules.find((m) => m.decl.name === 'dhcp');
  if (state?.state !== 'running') throw new Error(`dhcp module did not start (${state?.state}): ${state?.failure ?? ''}\n${lv.log()}`);
});

afterAll(async () => {
  await tp?.stop();
  await lv?.stop();
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

test('GET /dhcp: the network\'s subnet', async () => {
  const res = await get('/dhcp');
  expect([res.status, json(res)]).toEqual([200, [{ network: net, netmask: '255.255.255.0', options: {} }]]);
});

test('GET /dhcp/<net>: the host the operator defined; no lease yet', async () => {
  expect(json(await get(`/dhcp/${net}`))).toEqual({
    reservations: [{ name: 'pre', ip: ip(40), mac: MAC_PRE, subnet: `${net}/255.255.255.0`, type: 'reservation', deleteable: true, hostname: 'pre' }],
    leases: [],
  });
});

test('create, read back, and a real client gets the reserved address (with HTTP boot from the network options)', async () => {
  const res = await timedCreate({ hostname: 'h1.libvirt.test', name: 'h1', mac: MAC_A, ip: ip(50), network: net });
  expect([res.status, res.body]).toEqual([200, '']);
  const state = await libvirtState();
  expect(hostLines(state.live)).toContain(`<host mac='${MAC_A}' name='h1' ip='${ip(50)}'/>`);
  expect(hostLines(state.config)).toContain(`<host mac='${MAC_A}' name='h1' ip='${ip(50)}'/>`);
  expect(state.hostsfile).toContain(`${MAC_A},${ip(50)},h1`);
  expect(json(await get(`/dhcp/${net}/mac/${MAC_A}`))).toEqual({
    name: 'h1', ip: ip(50), mac: MAC_A, subnet: `${net}/255.255.255.0`, type: 'reservation', deleteable: true, hostname: 'h1',
  });
  expect(json(await get(`/dhcp/${net}/ip/${ip(50)}`))).toHaveLength(1);

  const dhcp = await runDhclient({ ns: client.ns, iface: client.iface, mac: MAC_A, vendorClass: 'HTTPClient:Arch:00016:UNDI:003000', requestList: 'uefi' });
  expect(dhcp.bound).toBe(true);
  expect(dhcp.vars.new_ip_address).toBe(ip(50));
  expect(dhcp.vars.new_filename).toBe(bootUrl());
  expect(dhcp.vars.new_vendor_class_identifier).toBe('HTTPClient');
  expect(process.kill(dnsmasqPid, 0)).toBe(true); // the SIGHUP of each update did not kill dnsmasq
});

test('the lease: ends is libvirt\'s expiry in UTC, whatever the proxy\'s time zone', async () => {
  const statusFile = path.join(lv.runDir, 'ov', 'var-up', 'lib', 'libvirt', 'dnsmasq', `${BRIDGE}.status`);
  const status = JSON.parse(fs.readFileSync(statusFile, 'utf8')) as { 'mac-address': string; 'expiry-time': number }[];
  const expiry = status.find((s) => s['mac-address'] === MAC_A)!['expiry-time'];
  await new Promise((r) => setTimeout(r, 1100)); // past the provider's read cache
  const leases = json(await get(`/dhcp/${net}`)).leases;
  expect(leases).toEqual([expect.objectContaining({
    name: `lease-${MAC_A.replace(/:/g, '')}`, ip: ip(50), mac: MAC_A, ends: leaseTime(new Date(expiry * 1000)), state: 'active', type: 'lease',
  })]);
  expect(new Date(expiry * 1000).getTime() - Date.now()).toBeGreaterThan(50 * 60_000); // libvirt's default: 1 h
  // The reservation wins over the lease for a MAC lookup.
  expect(json(await get(`/dhcp/${net}/mac/${MAC_A}`)).type).toBe('reservation');
});

test('re-POST of the same host is 200 and changes nothing; a colliding one is 409', async () => {
  const before = await libvirtState();
  expect((await post({ hostname: 'h1', mac: MAC_A, ip: ip(50) })).status).toBe(200);
  const collide = await post({ hostname: 'other', mac: MAC_B, ip: ip(50) });
  expect([collide.status, collide.body]).toEqual([409, `Record ${net}/${ip(50)} already exists`]);
  const sameMac = await post({ hostname: 'h1', mac: MAC_A, ip: ip(51) });
  expect(sameMac.status).toBe(409);
  expect(await libvirtState()).toEqual(before);
});

test('vendor options are refused', async () => {
  const res = await post({ hostname: 'sun', mac: MAC_B, ip: ip(51), '<SPARC-Enterprise-T5120>root_path_name': '/export/root' });
  expect([res.status, res.body]).toEqual([400, 'DHCP implementation does not support Vendor Options']);
});

test.each([
  `x' ip='10.0.0.72'/><host mac='52:54:00:98:01:13' name='injected`,
  `a"/><host mac="52:54:00:98:01:13" ip="10.0.0.73" name="injected`,
  "o'brien", 'a&b', 'a,ignore',
])('host name %j: 400, and the network is unchanged', async (name) => {
  const before = await libvirtState();
  const res = await post({ hostname: 'x.libvirt.test', name, mac: MAC_B, ip: ip(72) });
  expect(res.status).toBe(400);
  expect(res.body).toMatch(/^Invalid host name "/);
  expect(await libvirtState()).toEqual(before);
});

test('libvirt refusing an update is the bare "Error adding DHCP record" (400), as the baseline 3.11', async () => {
  const res = await post({ hostname: 'ib', mac: MAC20, ip: ip(73) });
  expect([res.status, res.body]).toEqual([400, 'Error adding DHCP record']);
});

test('filename/nextServer are accepted but not applied (no per-host boot file in libvirt)', async () => {
  const res = await timedCreate({ hostname: 'pxe', mac: MAC_B, ip: ip(51), filename: 'pxelinux.0', nextServer: ip(1) });
  expect(res.status).toBe(200);
  const { live } = await libvirtState();
  expect(hostLines(live)).toContain(`<host mac='${MAC_B}' name='pxe' ip='${ip(51)}'/>`);
  expect(live).not.toContain('pxelinux.0');
});

test('unused_ip offers a free address, never a reserved or leased one', async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) seen.add(json(await get(`/dhcp/${net}/unused_ip?from=${ip(40)}&to=${ip(53)}`)).ip);
  for (const a of seen) expect([ip(41), ip(42), ip(43), ip(44), ip(45), ip(46), ip(47), ip(48), ip(49), ip(52), ip(53)]).toContain(a);
  expect(json(await get(`/dhcp/${net}/unused_ip?mac=${MAC_A}`))).toEqual({ ip: ip(50) });
});

test('concurrent POSTs: every one created, each live and persistent', async () => {
  const hosts = [60, 61, 62, 63, 64].map((n) => ({ hostname: `c${n}`, mac: `52:54:00:5a:01:${n}`, ip: ip(n) }));
  const t0 = Date.now();
  const results = await Promise.all(hosts.map((h) => post(h)));
  concurrentMs = Date.now() - t0;
  expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  const { live, config } = await libvirtState();
  for (const h of hosts) {
    expect(hostLines(live)).toContain(`<host mac='${h.mac}' name='${h.hostname}' ip='${h.ip}'/>`);
    expect(hostLines(config)).toContain(`<host mac='${h.mac}' name='${h.hostname}' ip='${h.ip}'/>`);
  }
  for (const h of hosts) expect((await del(`/dhcp/${net}/ip/${h.ip}`)).status).toBe(200);
  expect(hostLines((await libvirtState()).live).filter((l) => l.includes(':5a:01:'))).toEqual([]);
});

test('delete by MAC and by IP; the client then gets a pool address', async () => {
  expect((await del(`/dhcp/${net}/mac/${MAC_A.toUpperCase()}`)).status).toBe(200);
  expect((await del(`/dhcp/${net}/ip/${ip(51)}`)).status).toBe(200);
  const state = await libvirtState();
  expect(hostLines(state.live)).toEqual([`<host mac='${MAC_PRE}' name='pre' ip='${ip(40)}'/>`]);
  expect(hostLines(state.config)).toEqual([`<host mac='${MAC_PRE}' name='pre' ip='${ip(40)}'/>`]);
  expect(state.hostsfile).not.toContain(MAC_A);
  // The lease outlives the reservation (libvirt keeps it until it expires).
  expect(json(await get(`/dhcp/${net}/mac/${MAC_A}`)).type).toBe('lease');
  expect((await del(`/dhcp/${net}/mac/${MAC_A}`)).body).toBe(`${ip(50)} / ${MAC_A} is static - unable to delete`);

  const dhcp = await runDhclient({ ns: client.ns, iface: client.iface, mac: MAC_B, requestList: 'plain' });
  expect(dhcp.bound).toBe(true);
  const got = Number(dhcp.vars.new_ip_address.split('.')[3]);
  expect(got).toBeGreaterThanOrEqual(100);
  expect(got).toBeLessThanOrEqual(150);
  expect(dhcp.vars.new_vendor_class_identifier).toBeUndefined();
});

test('libvirt refusing a delete is "Error removing DHCP record" (network stopped: no live update)', async () => {
  expect((await timedCreate({ hostname: 'late', mac: MAC_A, ip: ip(55) })).status).toBe(200);
  await lv.virsh(['net-destroy', '--network', NETWORK]);
  const res = await del(`/dhcp/${net}/mac/${MAC_A}`);
  expect([res.status, res.body]).toEqual([400, 'Error removing DHCP record']);
  await lv.virsh(['net-start', '--network', NETWORK]);
});

test('a host libvirt accepts but the proxy cannot show (IP outside the subnet): the baseline text for every listing, 400', async () => {
  const outside = `<host mac='52:54:00:5a:00:77' ip='10.255.0.7'/>`;
  await lv.virsh(['net-update', '--network', NETWORK, '--command', 'add-last', '--section', 'ip-dhcp-host', '--xml', outside, '--live', '--config']);
  try {
    await new Promise((r) => setTimeout(r, 1100)); // past the provider's read cache
    const res = await get(`/dhcp/${net}`);
    expect([res.status, res.body]).toEqual([400, 'Unable to parse reservations XML: Invalid Subnet ']);
  } finally {
    await lv.virsh(['net-update', '--network', NETWORK, '--command', 'delete', '--section', 'ip-dhcp-host', '--xml', outside, '--live', '--config']);
  }
});

test('libvirt not reachable: virsh names the failed step as ruby-libvirt does (virConnectOpen)', async () => {
  const virsh = new Virsh({ binary: findOnPath('virsh')!, url: `qemu:///system?socket=${lv.runDir}/no-such-sock` });
  const err = (await virsh.dumpXml(NETWORK).catch((e) => e)) as VirshError;
  expect(err.rubyLibvirtMessage).toBe(`Call to virConnectOpen failed: Failed to connect socket to '${lv.runDir}/no-such-sock': No such file or directory`);
});

test('the network gone from libvirt: the baseline text with ruby-libvirt\'s reason, 400', async () => {
  await lv.virsh(['net-undefine', '--network', NETWORK]).catch(() => undefined);
  await lv.virsh(['net-destroy', '--network', NETWORK]);
  await new Promise((r) => setTimeout(r, 1100));
  const res = await get('/dhcp');
  expect([res.status, res.body]).toEqual([400,
    `Unable to parse subnets XML: Call to virNetworkLookupByName failed: Network not found: no network with matching name '${NETWORK}'`]);
});

test('teardown removes everything the test started', async () => {
  const { ns, pid, runDir } = lv;
  const clientNs = client.ns;
  await tp.stop();
  await lv.stop();
  const { stdout } = await run('ip', ['netns', 'list']);
  expect(stdout).not.toContain(ns);
  expect(stdout).not.toContain(clientNs);
  expect(gone(pid)).toBe(true);
  expect(gone(dnsmasqPid)).toBe(true);
  expect(fs.existsSync(runDir)).toBe(false);
  console.log(`POST /dhcp creating a reservation (net-update --live --config): ${createTimes.map((t) => t.toFixed(0)).join(', ')} ms;`
    + ` 5 concurrent creations: ${concurrentMs} ms in all`);
});
