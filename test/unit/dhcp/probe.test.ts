/**
 * The prober's decisions on loopback: a listener and a refused port both mean "alive" (the
 * baseline's service check); ICMP follows ping's exit status. Real pings into a namespace are in
 * test/integration/dhcp/ping-free-ip.test.ts.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { TcpIcmpProber } from '../../../src/modules/dhcp/probe';

let server: net.Server;
let openPort: number;
let closedPort: number;
let dir: string;

beforeAll(async () => {
  server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  openPort = (server.address() as net.AddressInfo).port;
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPort = (tmp.address() as net.AddressInfo).port;
  await new Promise((r) => tmp.close(r));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhcp-probe-'));
  // Stand-ins for ping: record their argv, exit 0 or 1.
  for (const [name, code] of [['ping-yes', 0], ['ping-no', 1]] as const) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\necho "$@" > "${dir}/${name}.args"\nexit ${code}\n`, { mode: 0o755 });
  }
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('TCP: an accepting port is alive', async () => {
  expect(await new TcpIcmpProber({ tcpPort: openPort }).tcpAlive('127.0.0.1')).toBe(true);
});

test('TCP: a refused connection also counts as alive (a host answered)', async () => {
  expect(await new TcpIcmpProber({ tcpPort: closedPort }).tcpAlive('127.0.0.1')).toBe(true);
});

test('ICMP: ping -c 1 -W 1 <ip>, alive when it exits 0', async () => {
  const yes = new TcpIcmpProber({ pingCommand: path.join(dir, 'ping-yes') });
  expect(await yes.icmpAlive('192.0.2.7')).toBe(true);
  expect(fs.readFileSync(path.join(dir, 'ping-yes.args'), 'utf8').trim()).toBe('-c 1 -W 1 192.0.2.7');
  expect(await new TcpIcmpProber({ pingCommand: path.join(dir, 'ping-no') }).icmpAlive('192.0.2.7')).toBe(false);
});

test('ICMP: a missing ping program reads as no answer (as the baseline shelling out)', async () => {
  expect(await new TcpIcmpProber({ pingCommand: path.join(dir, 'no-such-ping') }).icmpAlive('192.0.2.7')).toBe(false);
});

test('isAlive: TCP first, ICMP only when TCP saw nothing', async () => {
  const p = new TcpIcmpProber({ tcpPort: openPort, pingCommand: path.join(dir, 'ping-no') });
  fs.rmSync(path.join(dir, 'ping-no.args'), { force: true });
  expect(await p.isAlive('127.0.0.1')).toBe(true);
  expect(fs.existsSync(path.join(dir, 'ping-no.args'))).toBe(false);
});
