/**
 * dhcp_libvirt's virsh runner and provider declaration against a stand-in `virsh` script: the
 * exact argument vector (no shell), the environment (TZ=UTC, LC_ALL=C), libvirt's message taken
 * from stderr, timeouts, one update at a time; settings validation and the PATH check.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RuntimeInfo } from '../../../src/core/module';
import { ModuleRegistry } from '../../../src/core/registry';
import { logBuffer } from '../../../src/core/log';
import { globalSettingsFrom, Settings } from '../../../src/core/settings';
import { createDhcpModule } from '../../../src/modules/dhcp';
import { dhcpLibvirtProvider } from '../../../src/modules/dhcp/providers/libvirt';
import { findOnPath, lastErrorLine, Virsh, VirshError } from '../../../src/modules/dhcp/providers/libvirt/virsh';

let dir: string;
let record: string;

/** A fake virsh: records its argv (one per line) and selected environment, then acts per $FAKE_MODE. */
const FAKE = `#!/bin/sh
out="$FAKE_RECORD.$$"
{ for a in "$@"; do printf '%s\\n' "$a"; done; echo "TZ=$TZ LC_ALL=$LC_ALL"; } > "$out"
case "$FAKE_MODE" in
  fail) echo "error: Failed to update network lvlab" >&2
        echo "error: XML error: Cannot parse MAC address 'zz:54:00:98:01:04' in network 'lvlab'" >&2; exit 1 ;;
  xmlerr) printf 'error: Failed to update network lvlab\\nerror: (network_definition):19: attributes construct error\\n      <host mac=x/>\\n      ^\\n' >&2; exit 1 ;;
  noconn) printf "error: failed to connect to the hypervisor\\nerror: Failed to connect socket to '/run/x/libvirt-sock': No such file or directory\\n" >&2; exit 1 ;;
  nonet) printf "error: failed to get network 'lvlab'\\nerror: Network not found: no network with matching name 'lvlab'\\n" >&2; exit 1 ;;
  sleep) exec sleep 5 ;;
  slow) echo "start $*" >> "$FAKE_RECORD.log"; sleep 0.2; echo "end" >> "$FAKE_RECORD.log"
        case "$*" in *'n="2"'*) echo "error: refused" >&2; exit 1 ;; esac ;;
  dump) printf "<network><name>lvlab</name><ip address='10.98.0.1' prefix='24'/></network>\\n" ;;
  *) echo "ok" ;;
esac
`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-fake-virsh-'));
  fs.writeFileSync(path.join(dir, 'virsh'), FAKE, { mode: 0o755 });
  record = path.join(dir, 'rec');
  process.env.FAKE_RECORD = record;
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.FAKE_RECORD;
  delete process.env.FAKE_MODE;
});

function recordedArgs(): string[][] {
  return fs.readdirSync(dir).filter((f) => /^rec\.\d+$/.test(f))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(0, -1));
}

function clearRecords(): void {
  for (const f of fs.readdirSync(dir)) if (f.startsWith('rec')) fs.rmSync(path.join(dir, f));
}

beforeEach(() => {
  clearRecords();
  process.env.FAKE_MODE = 'ok';
});

const URL = 'qemu:///system?socket=/tmp/some dir/libvirt-sock';

describe('Virsh', () => {
  test('argument vector: -q -c URL, named options, values passed verbatim; TZ=UTC and LC_ALL=C', async () => {
    const virsh = new Virsh({ binary: path.join(dir, 'virsh'), url: URL });
    const xml = `<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50" name="a b $(id) \`x\` ;|&"/>`;
    await virsh.updateDhcpHost('net with space', 'add-last', xml);
    await virsh.dumpXml('-not-an-option');
    await virsh.dhcpLeases('lvlab');
    const calls = recordedArgs().sort((a, b) => a[3].localeCompare(b[3]));
    expect(calls).toEqual([
      ['-q', '-c', URL, 'net-dhcp-leases', '--network', 'lvlab', 'TZ=UTC LC_ALL=C'],
      ['-q', '-c', URL, 'net-dumpxml', '--network', '-not-an-option', 'TZ=UTC LC_ALL=C'],
      ['-q', '-c', URL, 'net-update', '--network', 'net with space', '--command', 'add-last', '--section', 'ip-dhcp-host',
        '--xml', xml, '--live', '--config', 'TZ=UTC LC_ALL=C'],
    ]);
  });

  test("a failure carries libvirt's message: the last 'error: ' line", async () => {
    const virsh = new Virsh({ binary: path.join(dir, 'virsh'), url: URL });
    process.env.FAKE_MODE = 'fail';
    const err = await virsh.updateDhcpHost('lvlab', 'add-last', '<host/>').catch((e) => e);
    expect(err).toBeInstanceOf(VirshError);
    expect(err.libvirtMessage).toBe("XML error: Cannot parse MAC address 'zz:54:00:98:01:04' in network 'lvlab'");
    expect(err.exitCode).toBe(1);
    process.env.FAKE_MODE = 'xmlerr';
    const xmlErr = await virsh.updateDhcpHost('lvlab', 'delete', '<host/>').catch((e) => e);
    expect(xmlErr.libvirtMessage).toBe('(network_definition):19: attributes construct error');
  });

  test('the failed libvirt function, named as ruby-libvirt names it in its messages', async () => {
    const virsh = new Virsh({ binary: path.join(dir, 'virsh'), url: URL });
    const failure = async (mode: string, op: () => Promise<unknown>) => {
      process.env.FAKE_MODE = mode;
      const err = (await op().catch((e) => e)) as VirshError;
      return [err.call, err.rubyLibvirtMessage];
    };
    expect(await failure('fail', () => virsh.updateDhcpHost('lvlab', 'add-last', '<host/>'))).toEqual(['virNetworkUpdate',
      "Call to virNetworkUpdate failed: XML error: Cannot parse MAC address 'zz:54:00:98:01:04' in network 'lvlab'"]);
    // virsh connects and looks the network up first; its first error line says which step failed.
    expect(await failure('noconn', () => virsh.dumpXml('lvlab'))).toEqual(['virConnectOpen',
      "Call to virConnectOpen failed: Failed to connect socket to '/run/x/libvirt-sock': No such file or directory"]);
    expect(await failure('nonet', () => virsh.dhcpLeases('lvlab'))).toEqual(['virNetworkLookupByName',
      "Call to virNetworkLookupByName failed: Network not found: no network with matching name 'lvlab'"]);
    expect(await failure('fail', () => virsh.dhcpLeases('lvlab'))).toEqual(['virNetworkGetDHCPLeases', expect.stringMatching(/^Call to virNetworkGetDHCPLeases failed: XML error/)]);
    expect(await failure('fail', () => virsh.dumpXml('lvlab'))).toEqual(['virNetworkGetXMLDesc', expect.stringMatching(/^Call to virNetworkGetXMLDesc failed: /)]);
    // virsh never got to libvirt: no function, the description alone.
    expect(await failure('ok', () => new Virsh({ binary: path.join(dir, 'nope'), url: URL }).dumpXml('x')))
      .toEqual([undefined, expect.stringMatching(/^cannot run .*nope: ENOENT$/)]);
  });

  test('a virsh that does not answer is killed after the timeout', async () => {
    process.env.FAKE_MODE = 'sleep';
    const virsh = new Virsh({ binary: path.join(dir, 'virsh'), url: URL, readTimeoutMs: 300 });
    const t0 = Date.now();
    const err = await virsh.dumpXml('lvlab').catch((e) => e);
    expect(err).toBeInstanceOf(VirshError);
    expect(err.timedOut).toBe(true);
    expect(err.libvirtMessage).toBe('virsh did not answer within 300 ms');
    expect([err.call, err.rubyLibvirtMessage]).toEqual([undefined, 'virsh did not answer within 300 ms']);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  test('a missing binary is an error, not a crash', async () => {
    const err = await new Virsh({ binary: path.join(dir, 'nope'), url: URL }).dumpXml('x').catch((e) => e);
    expect(err).toBeInstanceOf(VirshError);
    expect(err.libvirtMessage).toContain('ENOENT');
  });

  test('updates run one at a time, in call order, even after a failure', async () => {
    process.env.FAKE_MODE = 'slow';
    const virsh = new Virsh({ binary: path.join(dir, 'virsh'), url: URL });
    const results = await Promise.allSettled([1, 2, 3].map((i) => virsh.updateDhcpHost('lvlab', 'add-last', `<host n="${i}"/>`)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const lines = fs.readFileSync(`${record}.log`, 'utf8').trim().split('\n')
      .map((l) => (l === 'end' ? l : `start ${/n="(\d)"/.exec(l)![1]}`));
    expect(lines).toEqual(['start 1', 'end', 'start 2', 'end', 'start 3', 'end']);
  });

  test('the XML argument must be an element (virsh would read anything else as a file name)', async () => {
    const virsh = new Virsh({ binary: path.join(dir, 'virsh'), url: URL });
    await expect(virsh.updateDhcpHost('lvlab', 'add-last', '/etc/passwd')).rejects.toThrow('must be an element');
    expect(recordedArgs()).toEqual([]);
  });

  test('lastErrorLine and findOnPath', () => {
    expect(lastErrorLine('error: a\nerror: b\n  line\n  ^\n')).toBe('b');
    expect(lastErrorLine('something else\n')).toBe('something else');
    expect(findOnPath('virsh', `/nonexistent${path.delimiter}${dir}`)).toBe(path.join(dir, 'virsh'));
    expect(findOnPath('virsh', '/nonexistent')).toBeUndefined();
  });
});

describe('dhcp_libvirt declaration', () => {
  async function start(providerSettings: Settings, pathValue: string) {
    const global = globalSettingsFrom({ http_port: 8000, log_file: '/dev/null' }, '/tmp');
    const runtime: RuntimeInfo = { global, httpsConfigured: false };
    const registry = new ModuleRegistry([createDhcpModule()], [dhcpLibvirtProvider], runtime);
    const saved = process.env.PATH;
    process.env.PATH = pathValue;
    try {
      await registry.initialize((name) => (name === 'dhcp'
        ? { enabled: true, use_provider: 'dhcp_libvirt', ping_free_ip: false }
        : name === 'dhcp_libvirt' ? providerSettings : undefined));
    } finally {
      process.env.PATH = saved;
    }
    return registry;
  }

  test('defaults and settings as the baseline; no capabilities', async () => {
    expect(dhcpLibvirtProvider.defaultSettings).toEqual({ url: 'qemu:///system', network: 'default' });
    process.env.FAKE_MODE = 'dump';
    const registry = await start({ url: URL, network: 'lvlab' }, dir);
    expect(registry.modules[0].state).toBe('running');
    expect((registry.v2Features().dhcp as { capabilities: string[] }).capabilities).toEqual([]);
    expect(recordedArgs()[0].slice(0, 6)).toEqual(['-q', '-c', URL, 'net-dumpxml', '--network', 'lvlab']);
    await registry.stop();
  });

  test('a url without a scheme fails the group with the baseline text', async () => {
    const registry = await start({ url: '/var/run/libvirt/libvirt-sock' }, dir);
    expect(registry.modules[0].state).toBe('failed');
    expect(logBuffer().failedModules.dhcp_libvirt).toBe(
      "Disabling all modules in the group ['dhcp_libvirt', 'dhcp'] due to a failure in one of them: Setting 'url' is missing a scheme");
  });

  test('no virsh on PATH fails the group with a clear message', async () => {
    const registry = await start({}, '/nonexistent');
    expect(registry.modules[0].state).toBe('failed');
    expect(logBuffer().failedModules.dhcp).toMatch(/dhcp_libvirt needs the virsh command \(Debian\/Ubuntu package libvirt-clients\), not found on PATH/);
  });

  test('libvirt unreachable at start: the module still starts (it is read per request), as the baseline', async () => {
    process.env.FAKE_MODE = 'fail';
    const registry = await start({}, dir);
    expect(registry.modules[0].state).toBe('running');
    await registry.stop();
  });
});
