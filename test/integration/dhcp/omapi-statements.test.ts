/**
 * Host statements built by statements.ts, sent by the OMAPI client to a real dhcpd 4.4.3:
 * dhcpd accepts them, writes them to dhcpd.leases as expected, and reads them back intact
 * after a restart (the F13 check: nothing we send can corrupt the leases file); host names the
 * client refuses are ones dhcpd itself cannot read back.
 */
import * as fs from 'fs';
import { OmapiClient } from '../../../src/modules/dhcp/providers/isc/omapi/client';
import { UnsafeValueError, buildHostStatements } from '../../../src/modules/dhcp/providers/isc/omapi/statements';
import { checkLeasesText, DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { randomTestLan } from '../../support/netns';
import { omapiClientFor } from '../../support/omapi';

jest.setTimeout(60_000);

/** What Foreman's dhcpd.conf templates declare for the Solaris and ZTP options. */
const VENDOR_OPTION_DEFINITIONS = `
option space SUNW;
option SUNW.root-server-ip-address code 2 = ip-address;
option SUNW.root-server-hostname code 3 = text;
option SUNW.root-path-name code 4 = text;
option SUNW.install-server-ip-address code 10 = ip-address;
option SUNW.install-server-hostname code 11 = text;
option SUNW.install-path code 12 = text;
option SUNW.sysid-config-file-server code 13 = text;
option SUNW.JumpStart-server code 14 = text;
option space FM_ZTP;
option FM_ZTP.config-file-name code 1 = text;
option option-150 code 150 = ip-address;
option option-143 code 143 = text;
`;

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))
  .filter((c) => c !== '"' && c !== '\\')
  .join('');

/** The statement lines of the last `host NAME { … }` block (dhcpd may wrap long lines). */
function hostBlock(leases: string, name: string): string[] {
  const blocks = [...leases.matchAll(/^host (\S+) \{\n([\s\S]*?)^\}/gm)].filter((m) => m[1] === name);
  if (!blocks.length) throw new Error(`no host ${name} in dhcpd.leases:\n${leases}`);
  return blocks[blocks.length - 1][2]
    .replace(/=\s*\n\s+/g, '= ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

describe('host statements accepted and persisted by dhcpd', () => {
  const lan = randomTestLan();
  const ip = lan.ip;
  let dhcpd: DhcpdInstance;
  let client: OmapiClient;

  beforeAll(async () => {
    dhcpd = await startDhcpd({
      subnet: lan.cidr,
      serverIp: ip(1),
      confExtra: VENDOR_OPTION_DEFINITIONS,
      key: { algorithm: 'hmac-sha256' },
      prefix: 'omapist',
    });
    client = omapiClientFor(dhcpd);
  });
  afterAll(async () => {
    await client?.close();
    await dhcpd?.stop();
  });

  const noDns = async () => null;
  const cases = () => [
    {
      name: 'uefi-http.example.com',
      mac: '52:54:00:dd:00:01',
      options: { filename: `http://${ip(1)}:8000/httpboot/grubx64.efi`, nextServer: ip(1) },
      expected: [
        `supersede server.filename = "http://${ip(1)}:8000/httpboot/grubx64.efi";`,
        `supersede server.next-server = ${ip(1).split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')};`,
        'supersede host-name = "uefi-http.example.com";',
        'supersede vendor-class-identifier = "HTTPClient";',
      ],
    },
    {
      name: 'pxe.example.com',
      mac: '52:54:00:dd:00:02',
      options: { filename: 'pxelinux.0', nextServer: 'tftp.example.invalid', hostname: 'pxe' },
      expected: [
        'supersede server.filename = "pxelinux.0";',
        'supersede server.next-server = "tftp.example.invalid";',
        'supersede host-name = "pxe";',
      ],
    },
    {
      name: 'sun.example.com',
      mac: '52:54:00:dd:00:03',
      options: {
        filename: 'Solaris-inetboot',
        nextServer: '192.168.122.24',
        '<SPARC-Enterprise-T5120>root_server_ip': '192.168.122.24',
        '<SPARC-Enterprise-T5120>install_path': '/Solaris/install',
      },
      expected: [
        'supersede server.filename = "Solaris-inetboot";',
        'supersede server.next-server = c0:a8:7a:18;',
        'supersede host-name = "sun.example.com";',
        'supersede SUNW.root-server-ip-address = c0:a8:7a:18;',
        'supersede SUNW.install-path = "/Solaris/install";',
        'supersede server.vendor-option-space = "SUNW";',
      ],
    },
    {
      name: 'ztp.example.com',
      mac: '52:54:00:dd:00:04',
      options: { filename: 'ztp.cfg/00212886D62E9.cfg', nextServer: '192.168.122.1', ztp_vendor: 'huawei', ztp_firmware: { core: 'fw.cc', web: 'web.7z' } },
      expected: [
        'supersede server.filename = "ztp.cfg/00212886D62E9.cfg";',
        'supersede server.next-server = c0:a8:7a:01;',
        'supersede host-name = "ztp.example.com";',
        'supersede option-150 = c0:a8:7a:01;',
        'supersede FM_ZTP.config-file-name = "ztp.cfg/00212886D62E9.cfg";',
        'supersede option-143 = "vrpfile=fw.cc;webfile=web.7z;";',
      ],
    },
    {
      name: 'poap.example.com',
      mac: '52:54:00:dd:00:05',
      options: { filename: 'poap.cfg/script.py', nextServer: '192.168.122.1' },
      expected: [
        'supersede server.filename = "poap.cfg/script.py";',
        'supersede server.next-server = c0:a8:7a:01;',
        'supersede host-name = "poap.example.com";',
        'supersede tftp-server-name = "192.168.122.1";',
        'supersede bootfile-name = "poap.cfg/script.py";',
      ],
    },
    {
      name: 'odd_chars-1',
      mac: '52:54:00:dd:00:06',
      options: { filename: PRINTABLE },
      expected: [`supersede server.filename = "${PRINTABLE}";`, 'supersede host-name = "odd_chars-1";'],
    },
    // Host names at the edges of what dhcpd reads back (statements.ts): written unquoted, kept.
    ...['under_score.example.com', 'trail_', '-dash', '9', 'a.-b', 'dot.', 'L'.repeat(1499)].map((name, i) => ({
      name,
      mac: `52:54:00:dd:00:${(0x10 + i).toString(16)}`,
      options: { hostname: 'edge' },
      expected: ['supersede host-name = "edge";'],
    })),
  ];

  it('creates each kind of reservation; dhcpd.leases shows the expected statements', async () => {
    let n = 20;
    for (const c of cases()) {
      const statements = await buildHostStatements({ name: c.name, options: c.options }, noDns);
      await client.createHost({ name: c.name, ip: ip(n++), mac: c.mac, hardwareType: 1, statements });
      const block = hostBlock(fs.readFileSync(dhcpd.leasesFile, 'utf8'), c.name);
      expect(block).toEqual(['dynamic;', `hardware ethernet ${c.mac};`, `fixed-address ${ip(n - 1)};`, ...c.expected]);
    }
  });

  it('after a dhcpd restart (which rewrites dhcpd.leases) every host keeps its statements', async () => {
    await dhcpd.restart();
    expect(dhcpd.log()).not.toMatch(/expected|unexpected|eof in string|error/i);
    const leases = fs.readFileSync(dhcpd.leasesFile, 'utf8');
    for (const c of cases()) expect(hostBlock(leases, c.name).slice(3)).toEqual(c.expected);
  });

  it('the host names the client refuses are ones dhcpd cannot read back: it drops them at its next start', async () => {
    // What dhcpd writes for a host created over OMAPI, whatever its name.
    const block = (name: string) => `host ${name} {\n  dynamic;\n  hardware ethernet 52:54:00:dd:00:99;\n  fixed-address ${ip(99)};\n}\n`;
    const refused = ['_lead', '_', 'a._b', '.lead', 'a..b', 'b..', 'C'.repeat(1500)];
    for (const name of refused) {
      await expect(client.createHost({ name, ip: ip(99), mac: '52:54:00:dd:00:99', hardwareType: 1 })).rejects.toThrow(UnsafeValueError);
      expect([name, checkLeasesText(dhcpd.confFile, block(name))]).toEqual([name,
        expect.stringMatching(/dhcpd\.leases line \d+: (expecting a name for host declaration|expecting left brace|token larger than internal buffer)/)]);
    }
    expect(checkLeasesText(dhcpd.confFile, block('under_score.example.com'))).not.toMatch(/dhcpd\.leases line/);
    expect(await client.lookupHost({ mac: '52:54:00:dd:00:99' })).toBeNull();
  });

  it('unsafe values are refused before anything reaches dhcpd', async () => {
    const before = fs.readFileSync(dhcpd.leasesFile, 'utf8');
    await expect(buildHostStatements({ name: 'q', options: { filename: 'a"b' } }, noDns)).rejects.toThrow(UnsafeValueError);
    await expect(client.createHost({ name: 'has space', ip: ip(90), mac: '52:54:00:dd:00:90', hardwareType: 1 })).rejects.toThrow(
      UnsafeValueError,
    );
    expect(fs.readFileSync(dhcpd.leasesFile, 'utf8')).toBe(before);
    expect(await client.lookupHost({ mac: '52:54:00:dd:00:90' })).toBeNull();
  });
});
