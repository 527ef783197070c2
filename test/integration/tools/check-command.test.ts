/**
 * `smart-proxy check`: loads the settings as `run` does, prints each module's state and failure,
 * exits 1 when a module failed, and opens no listener (the test holds the configured port
 * itself while check runs: a listener would fail with EADDRINUSE).
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { spawnProxy } from '../../support/process';

jest.setTimeout(30_000);

let dir: string;
let port: number;
let holder: net.Server;

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

async function check(): Promise<{ code: number | null; out: string }> {
  const p = spawnProxy(['check', '--settings', path.join(dir, 'settings.yml')]);
  const code = await p.exited;
  return { code, out: p.output() };
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-check-'));
  holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
  port = (holder.address() as net.AddressInfo).port;
  fs.mkdirSync(path.join(dir, 'tftpboot'));
  write('settings.yml', `:http_port: ${port}\n:bind_host: 127.0.0.1\n:log_file: ${path.join(dir, 'proxy.log')}\n:settings_directory: settings.d\n`);
  write('settings.d/tftp.yml', ':enabled: true\n:tftproot: ../tftpboot\n');
  write('settings.d/httpboot.yml', ':enabled: http\n:root_dir: ../tftpboot\n');
});

afterEach(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('all modules good: each state printed, exit 0, no listener opened', async () => {
  const { code, out } = await check();
  expect(out).toContain('tftp: running\n');
  expect(out).toContain('httpboot: running\n');
  expect(out).toContain('logs: running\n');
  expect(out).toContain('dhcp: disabled\n');
  expect(out).not.toMatch(/facts|registration/); // listed-but-not-provided modules stay quiet
  expect(code).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'proxy.log'), 'utf8')).not.toMatch(/Smart proxy has launched/);
});

test('a failing module: its failure message is printed and the exit code is 1', async () => {
  write('settings.d/dhcp.yml', ':enabled: true\n:use_provider: dhcp_isc\n');
  write('settings.d/dhcp_isc.yml', ':config: /nonexistent/dhcpd.conf\n:leases: /nonexistent/dhcpd.leases\n');
  write('settings.d/tftp.yml', ':enabled: true\n:tftproot: ../tftpboot\n:verify_server_cert: "yes"\n');
  const { code, out } = await check();
  expect(out).toContain(
    "dhcp: failed - Disabling all modules in the group ['dhcp_isc', 'dhcp'] due to a failure in one of them: " +
      "File at '/nonexistent/dhcpd.conf' defined in 'config' parameter doesn't exist or is unreadable\n",
  );
  expect(out).toContain(
    "tftp: failed - Disabling all modules in the group ['tftp'] due to a failure in one of them: Setting 'verify_server_cert' is expected to be true/false\n",
  );
  expect(out).toContain('httpboot: running\n');
  expect(code).toBe(1);
});

test('an unknown provider and a module this proxy does not provide both fail', async () => {
  write('settings.d/dhcp.yml', ':enabled: true\n:use_provider: dhcp_foo\n');
  write('settings.d/dns.yml', ':enabled: true\n');
  const { code, out } = await check();
  expect(out).toContain("dhcp: failed - Disabling all modules in the group ['dhcp']: following providers are not available ['dhcp_foo']\n");
  expect(out).toContain("dns: failed - Disabling all modules in the group ['dns'] due to a failure in one of them: module 'dns' is not provided by this smart proxy\n");
  expect(code).toBe(1);
});

test('global settings that cannot start the proxy: the reason, exit 1', async () => {
  write('settings.yml', `:log_file: ${path.join(dir, 'proxy.log')}\n`);
  const { code, out } = await check();
  expect(out).toContain('settings: Both http and https are disabled, unable to start.');
  expect(code).toBe(1);
});
