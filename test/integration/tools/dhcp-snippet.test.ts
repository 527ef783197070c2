/**
 * `smart-proxy dhcp-snippet`: the command as operators run it (the build, a settings folder), the
 * syntax checks of the servers themselves (`dhcpd -t`, `kea-dhcp4 -t`), and then the snippets at
 * work: a real dhcpd, a real Kea and a real libvirtd network (its dnsmasq), each configured with
 * nothing but a subnet and the snippet, answer a real dhclient that announces itself as an x64
 * UEFI HTTP boot client with the proxy's boot URL and option 60 HTTPClient; other clients keep the
 * subnet's boot file (pxelinux.0) and get no option 60, and (dhcpd, Kea) a reservation's own boot
 * file wins over the class.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDhclient } from '../../support/dhclient';
import { DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { KeaInstance, startKea } from '../../support/kea';
import { LibvirtClientPort, Libvirtd, startLibvirtd } from '../../support/libvirtd';
import { randomTestSubnet, shortId } from '../../support/netns';
import { spawnProxy } from '../../support/process';

jest.setTimeout(120_000);

const PORT = 8123;
const UEFI_X64 = 'HTTPClient:Arch:00016:UNDI:003000';
let dir: string;

function settings(global: string, httpboot = ':enabled: true\n'): string {
  fs.writeFileSync(path.join(dir, 'settings.yml'), `:http_port: ${PORT}\n:log_file: STDOUT\n:settings_directory: settings.d\n${global}`);
  fs.mkdirSync(path.join(dir, 'settings.d'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.d', 'httpboot.yml'), httpboot);
  return path.join(dir, 'settings.yml');
}

async function snippet(args: string[]): Promise<{ code: number | null; stdout: string; all: string }> {
  const p = spawnProxy(['dhcp-snippet', ...args]);
  let stdout = '';
  p.child.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  const code = await p.exited;
  return { code, stdout, all: p.output() };
}

/** The Kea snippet is a `"client-classes": [...]` member with comment lines. */
function keaClasses(text: string): unknown[] {
  return JSON.parse(`{${text.split('\n').filter((l) => !l.startsWith('//')).join('\n')}}`)['client-classes'];
}

beforeAll(() => {
  for (const bin of ['/usr/sbin/dhcpd', '/usr/sbin/kea-dhcp4']) if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run scripts/install-deps.sh`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-snippet-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the command', () => {
  test('--isc: a class with the URL built from http_port and --host; dhcpd -t accepts it next to a subnet', async () => {
    const file = settings(":bind_host: '*'\n");
    const { code, stdout } = await snippet(['--isc', '--settings', file, '--host', '192.0.2.10']);
    expect(code).toBe(0);
    expect(stdout).toContain(`filename "http://192.0.2.10:${PORT}/httpboot/grub2/grubx64.efi";`);
    expect(stdout).toContain('option vendor-class-identifier "HTTPClient";');
    const conf = path.join(dir, 'dhcpd.conf');
    fs.writeFileSync(conf, `subnet 192.0.2.0 netmask 255.255.255.0 {\n  range 192.0.2.100 192.0.2.200;\n}\n${stdout}`);
    const ok = spawnSync('/usr/sbin/dhcpd', ['-t', '-cf', conf], { encoding: 'utf8' });
    expect(ok.status === 0 ? 'ok' : ok.stderr).toBe('ok');
    // The check is real: the same file with one semicolon missing is refused.
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('grubx64.efi";', 'grubx64.efi"'));
    expect(spawnSync('/usr/sbin/dhcpd', ['-t', '-cf', conf], { encoding: 'utf8' }).status).not.toBe(0);
  });

  test('--kea: a client class inside a minimal Dhcp4 passes kea-dhcp4 -t; the host comes from bind_host', async () => {
    const file = settings(':bind_host: 192.0.2.10\n');
    const { code, stdout } = await snippet(['--settings', file, '--kea']);
    expect(code).toBe(0);
    expect(stdout).toContain(`"boot-file-name": "http://192.0.2.10:${PORT}/httpboot/grub2/grubx64.efi"`);
    const conf = path.join(dir, 'kea-dhcp4.conf');
    const write = (classes: string) => fs.writeFileSync(conf, [
      '{ "Dhcp4": {',
      '  "interfaces-config": { "interfaces": [] },',
      '  "lease-database": { "type": "memfile", "persist": false },',
      `  ${classes},`,
      '  "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.200" } ] } ]',
      '} }',
    ].join('\n'));
    write(stdout.trim());
    const ok = spawnSync('/usr/sbin/kea-dhcp4', ['-t', conf], { encoding: 'utf8' });
    expect(ok.status === 0 ? 'ok' : `${ok.stdout}${ok.stderr}`).toBe('ok');
    write(stdout.trim().replace("== 'HTTPClient:Arch:00016'", "== 'HTTPClient:Arch:00016"));
    expect(spawnSync('/usr/sbin/kea-dhcp4', ['-t', conf], { encoding: 'utf8' }).status).not.toBe(0);
  });

  test('errors name the fix and exit 2: wildcard bind_host without --host, httpboot off', async () => {
    const wildcard = await snippet(['--isc', '--settings', settings(":bind_host: '*'\n")]);
    expect(wildcard.code).toBe(2);
    expect(wildcard.all).toMatch(/bind_host is \["\*"\]: give the address or name firmware reaches this proxy at with --host/);
    const off = await snippet(['--isc', '--settings', settings(':bind_host: 192.0.2.10\n', ':enabled: false\n')]);
    expect(off.code).toBe(2);
    expect(off.all).toMatch(/the httpboot module is not enabled for HTTP \(enabled: false in .*httpboot\.yml\)/);
    const none = await snippet(['--settings', settings(':bind_host: 192.0.2.10\n')]);
    expect(none.code).toBe(2);
    expect(none.all).toMatch(/give --isc, --kea or --libvirt/);
  });
});

describe('the snippets answer real UEFI-like clients', () => {
  let net: string;
  const ip = (n: number) => net.replace(/\d+$/, String(n));
  const url = () => `http://${ip(1)}:${PORT}/httpboot/grub2/grubx64.efi`;
  const reservedUrl = () => `http://${ip(1)}:${PORT}/httpboot/grub2/host-r/grubx64.efi`;
  const RESERVED_MAC = '52:54:00:5e:00:0a';

  async function snippetFor(kind: '--isc' | '--kea' | '--libvirt'): Promise<string> {
    const { code, stdout, all } = await snippet([kind, '--settings', settings(`:bind_host: ${ip(1)}\n`)]);
    if (code !== 0) throw new Error(all);
    return stdout;
  }

  /** `reservation`: also a reserved host with its own boot URL (not on libvirt, which has no per-host boot file). */
  async function expectClassWorks(ns: string, iface: string, reservation = true): Promise<void> {
    const uefi = await runDhclient({ ns, iface, mac: '52:54:00:5e:00:01', vendorClass: UEFI_X64, requestList: 'uefi' });
    expect(uefi.bound).toBe(true);
    expect(uefi.vars.new_filename).toBe(url());
    expect(uefi.vars.new_vendor_class_identifier).toBe('HTTPClient');

    // Legacy PXE clients keep the subnet's boot file: the class beats the subnet.
    const plain = await runDhclient({ ns, iface, mac: '52:54:00:5e:00:02', requestList: 'uefi' });
    expect(plain.bound).toBe(true);
    expect(plain.vars.new_filename).toBe('pxelinux.0');
    expect(plain.vars.new_vendor_class_identifier).toBeUndefined();

    const arm = await runDhclient({ ns, iface, mac: '52:54:00:5e:00:03', vendorClass: 'HTTPClient:Arch:00019:UNDI:003000', requestList: 'uefi' });
    expect(arm.bound).toBe(true);
    expect(arm.vars.new_filename).toBe('pxelinux.0'); // the x64 loader is not offered to ARM64 firmware

    if (!reservation) return;
    const reserved = await runDhclient({ ns, iface, mac: RESERVED_MAC, vendorClass: UEFI_X64, requestList: 'uefi' });
    expect(reserved.bound).toBe(true);
    expect(reserved.vars.new_ip_address).toBe(ip(60));
    expect(reserved.vars.new_filename).toBe(reservedUrl());
  }

  describe('ISC dhcpd', () => {
    let dhcpd: DhcpdInstance;
    beforeAll(async () => {
      net = randomTestSubnet().split('/')[0];
      const text = await snippetFor('--isc');
      dhcpd = await startDhcpd({
        subnet: `${net}/24`,
        serverIp: ip(1),
        prefix: 'snipisc',
        confExtra: [
          'ping-check false;',
          text,
          // What the dhcp_isc provider writes for a Foreman reservation with a URL boot file.
          `host host-r { hardware ethernet ${RESERVED_MAC}; fixed-address ${ip(60)}; filename "${reservedUrl()}"; option vendor-class-identifier "HTTPClient"; }`,
        ].join('\n'),
        subnetExtra: `range ${ip(100)} ${ip(150)};\n  filename "pxelinux.0";`,
      });
    });
    afterAll(async () => dhcpd?.stop());

    test('x64 HTTP clients get the URL and option 60; others keep the subnet boot file; a reservation keeps its own', async () => {
      await expectClassWorks(dhcpd.clientNs, dhcpd.clientIf);
    });
  });

  describe('Kea', () => {
    let kea: KeaInstance;
    beforeAll(async () => {
      net = randomTestSubnet().split('/')[0];
      const classes = keaClasses(await snippetFor('--kea'));
      kea = await startKea({
        subnet: `${net}/24`,
        serverIp: ip(1),
        prefix: 'snipkea',
        subnetExtra: { pools: [{ pool: `${ip(100)} - ${ip(150)}` }], 'boot-file-name': 'pxelinux.0' },
        dhcp4Extra: { 'client-classes': classes },
        // What the dhcp_kea provider writes for a Foreman reservation with a URL boot file.
        reservations: [{
          'hw-address': RESERVED_MAC, 'ip-address': ip(60), 'boot-file-name': reservedUrl(),
          'option-data': [{ name: 'vendor-class-identifier', data: 'HTTPClient', 'always-send': true }],
        }],
      });
    });
    afterAll(async () => kea?.stop());

    test('x64 HTTP clients get the URL and option 60; others keep the subnet boot file; a reservation keeps its own', async () => {
      await expectClassWorks(kea.clientNs, kea.clientIf);
    });
  });

  describe('libvirt network (dnsmasq options)', () => {
    const NETWORK = `snip${shortId(2)}`;
    const BRIDGE = 'snipbr0'; // inside libvirtd's own namespace
    let lv: Libvirtd;
    let client: LibvirtClientPort;
    beforeAll(async () => {
      net = randomTestSubnet().split('/')[0];
      const text = await snippetFor('--libvirt');
      // What the operator does with `virsh net-edit`: the network's own elements where the snippet
      // says they stay; its header comments and the namespace declaration as printed.
      const own = `<name>${NETWORK}</name>
  <bridge name='${BRIDGE}' stp='off' delay='0'/>
  <ip address='${ip(1)}' netmask='255.255.255.0'>
    <dhcp>
      <range start='${ip(100)}' end='${ip(150)}'/>
      <bootp file='pxelinux.0'/>
    </dhcp>
  </ip>`;
      const xml = text.replace(/<!-- the network's own elements [^>]*-->/, own);
      if (xml === text) throw new Error(`no place for the network's elements in:\n${text}`);
      lv = await startLibvirtd({ prefix: 'sniplv' });
      await lv.startNetwork(NETWORK, xml);
      client = await lv.attachClient(BRIDGE);
    });
    afterAll(async () => lv?.stop());

    test('libvirt keeps the options (the namespace declaration is there)', async () => {
      const live = await lv.virsh(['net-dumpxml', '--network', NETWORK]);
      expect(live).toContain(`<dnsmasq:option value='dhcp-boot=tag:efihttp-x64,${url()}'/>`);
      expect(live).toContain("<dnsmasq:option value='dhcp-option-force=tag:efihttp-x64,60,HTTPClient'/>");
    });

    test('x64 HTTP clients get the URL and option 60; others keep the network boot file', async () => {
      await expectClassWorks(client.ns, client.iface, false);
    });

    test('an x64 HTTP client that does not ask for option 60 still gets it (forced), with the URL', async () => {
      const r = await runDhclient({ ns: client.ns, iface: client.iface, mac: '52:54:00:5e:00:04', vendorClass: UEFI_X64, requestList: 'plain' });
      expect(r.bound).toBe(true);
      expect(r.vars.new_filename).toBe(url());
      expect(r.vars.new_vendor_class_identifier).toBe('HTTPClient');
    });
  });
});
