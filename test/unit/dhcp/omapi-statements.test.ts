/**
 * Host statements sent over OMAPI: the baseline's observed strings (reference §7.8.4, without
 * omshell's \" escaping), the HTTPClient rule, and the F13 refusals.
 */
import { isHttpBootUrl, resolveIpv4 } from '../../../src/modules/dhcp/boot-options';
import {
  UnsafeValueError,
  assertSafeHostName,
  buildHostStatements,
  dhcpString,
  ipToHex,
  renderHostStatements,
  resolveNextServer,
} from '../../../src/modules/dhcp/providers/isc/omapi/statements';

const noDns = async () => null;

describe('baseline statements (observed examples)', () => {
  it('PXE host: filename, next-server as hex, host-name', async () => {
    const s = await buildHostStatements(
      { name: 'new.example.com', options: { filename: 'pxelinux.0', nextServer: '192.168.122.1', hostname: 'new.example.com' } },
      noDns,
    );
    expect(s).toBe('filename = "pxelinux.0"; next-server = c0:a8:7a:01; option host-name = "new.example.com";');
  });

  it('nothing but a name', async () => {
    expect(await buildHostStatements({ name: 'other', options: {} }, noDns)).toBe('option host-name = "other";');
  });

  it('hostname option wins over the record name; an empty one is still used (as in Ruby)', () => {
    expect(renderHostStatements({ name: 'rec', options: { hostname: 'h.example.com' } })).toBe('option host-name = "h.example.com";');
    expect(renderHostStatements({ name: 'rec', options: { hostname: '' } })).toBe('option host-name = "";');
  });

  it('Solaris JumpStart options, in posted order, then vendor-option-space', async () => {
    const s = await buildHostStatements(
      {
        name: 'sun.example.com',
        options: {
          filename: 'Solaris-inetboot',
          nextServer: '192.168.122.24',
          hostname: 'sun.example.com',
          '<SPARC-Enterprise-T5120>root_server_ip': '192.168.122.24',
          '<SPARC-Enterprise-T5120>install_path': '/Solaris/install',
        },
      },
      noDns,
    );
    expect(s).toBe(
      'filename = "Solaris-inetboot"; next-server = c0:a8:7a:18; option host-name = "sun.example.com"; option SUNW.root-server-ip-address 192.168.122.24; option SUNW.install-path "/Solaris/install"; vendor-option-space SUNW;',
    );
  });

  it('every Solaris attribute maps to its SUNW option; other vendors and attributes are ignored', () => {
    const s = renderHostStatements({
      name: 'n',
      options: {
        '<sun4v>jumpstart_server_path': '10.0.0.1:/js',
        '<Solaris>sysid_server_path': '10.0.0.1:/sysid',
        '<sparc>install_server_name': 'inst',
        '<sun>install_server_ip': '10.0.0.2',
        '<sun>install_path': '/inst',
        '<sun>root_server_hostname': 'root',
        '<sun>root_server_ip': '10.0.0.3',
        '<sun>root_path_name': '/root',
        '<sun>unknown_attr': 'x',
        '<Dell>install_path': '/no',
      },
    });
    expect(s).toBe(
      'option host-name = "n"; option SUNW.JumpStart-server "10.0.0.1:/js"; option SUNW.sysid-config-file-server "10.0.0.1:/sysid"; ' +
        'option SUNW.install-server-hostname "inst"; option SUNW.install-server-ip-address 10.0.0.2; option SUNW.install-path "/inst"; ' +
        'option SUNW.root-server-hostname "root"; option SUNW.root-server-ip-address 10.0.0.3; option SUNW.root-path-name "/root"; ' +
        'vendor-option-space SUNW;',
    );
  });

  it('Junos/Huawei ZTP', async () => {
    const s = await buildHostStatements(
      {
        name: 'ztp.example.com',
        options: {
          filename: 'ztp.cfg/00212886D62E9.cfg',
          nextServer: '192.168.122.1',
          hostname: 'ztp.example.com',
          ztp_vendor: 'huawei',
          ztp_firmware: { core: 'fw.cc', web: 'web.7z' },
        },
      },
      noDns,
    );
    expect(s).toBe(
      'filename = "ztp.cfg/00212886D62E9.cfg"; next-server = c0:a8:7a:01; option host-name = "ztp.example.com"; option option-150 = c0:a8:7a:01; option FM_ZTP.config-file-name = "ztp.cfg/00212886D62E9.cfg"; option option-143 = "vrpfile=fw.cc;webfile=web.7z;";',
    );
  });

  it('ZTP: flat ztp_firmware[...] keys, other vendors without option 143, case-insensitive prefix', () => {
    const flat = renderHostStatements(
      { name: 'z', options: { filename: 'ZTP.CFG/a', nextServer: '10.0.0.1', ztp_vendor: 'huawei', 'ztp_firmware[core]': 'c', 'ztp_firmware[web]': 'w' } },
      { hex: '0a:00:00:01' },
    );
    expect(flat).toContain('option option-143 = "vrpfile=c;webfile=w;";');
    const juniper = renderHostStatements({ name: 'z', options: { filename: 'ztp.cfg/a', nextServer: '10.0.0.1', ztp_vendor: 'juniper' } }, { hex: '0a:00:00:01' });
    expect(juniper).toBe(
      'filename = "ztp.cfg/a"; next-server = 0a:00:00:01; option host-name = "z"; option option-150 = 0a:00:00:01; option FM_ZTP.config-file-name = "ztp.cfg/a";',
    );
  });

  it('ZTP needs nextServer as an address, like the baseline (Invalid IP Address)', () => {
    expect(() => renderHostStatements({ name: 'z', options: { filename: 'ztp.cfg/a' } })).toThrow(/^Invalid IP Address $/);
    expect(() =>
      renderHostStatements({ name: 'z', options: { filename: 'ztp.cfg/a', nextServer: 'tftp.example.com' } }, { name: 'tftp.example.com' }),
    ).toThrow('Invalid IP Address tftp.example.com');
  });

  it('Cisco POAP', async () => {
    const s = await buildHostStatements(
      { name: 'poap.example.com', options: { filename: 'poap.cfg/script.py', nextServer: '192.168.122.1', hostname: 'poap.example.com' } },
      noDns,
    );
    expect(s).toBe(
      'filename = "poap.cfg/script.py"; next-server = c0:a8:7a:01; option host-name = "poap.example.com"; option tftp-server-name = "192.168.122.1"; option bootfile-name = "poap.cfg/script.py";',
    );
  });
});

describe('next-server', () => {
  it('an unresolvable name is written quoted (observed)', async () => {
    const s = await buildHostStatements({ name: 'h', options: { nextServer: 'tftp.example.invalid' } }, noDns);
    expect(s).toBe('next-server = "tftp.example.invalid"; option host-name = "h";');
  });

  it('a resolvable name is written as the hex of its IPv4 address', async () => {
    const s = await buildHostStatements({ name: 'h', options: { nextServer: 'tftp.example.com' } }, async (n) =>
      n === 'tftp.example.com' ? '10.99.0.1' : null,
    );
    expect(s).toBe('next-server = 0a:63:00:01; option host-name = "h";');
  });

  it('a resolver failure counts as unresolvable; addresses are never looked up', async () => {
    const failing = jest.fn(async () => {
      throw new Error('SERVFAIL');
    });
    expect(await resolveNextServer('boot.example.com', failing)).toEqual({ name: 'boot.example.com' });
    expect(await resolveNextServer('192.168.0.10', failing)).toEqual({ hex: 'c0:a8:00:0a' });
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('resolveIpv4 uses the system resolver and gives up after its timeout', async () => {
    expect(await resolveIpv4('localhost', 2000)).toBe('127.0.0.1');
    const t0 = Date.now();
    expect(await resolveIpv4('no-such-host.invalid', 300)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('ipToHex', () => {
    expect(ipToHex('192.168.122.1')).toBe('c0:a8:7a:01');
    expect(ipToHex('10.0.0.255')).toBe('0a:00:00:ff');
    expect(() => ipToHex('10.0.0.256')).toThrow(UnsafeValueError);
  });
});

describe('HTTP boot (compatibility.md: HTTPClient rule)', () => {
  it('an http:// or https:// filename adds option vendor-class-identifier "HTTPClient"', async () => {
    const s = await buildHostStatements(
      { name: 'uefi.example.com', options: { filename: 'http://10.99.0.1:8000/httpboot/grubx64.efi', nextServer: '10.99.0.1' } },
      noDns,
    );
    expect(s).toBe(
      'filename = "http://10.99.0.1:8000/httpboot/grubx64.efi"; next-server = 0a:63:00:01; option host-name = "uefi.example.com"; option vendor-class-identifier "HTTPClient";',
    );
    expect(renderHostStatements({ name: 'x', options: { filename: 'HTTPS://boot/x.efi' } })).toContain(
      'option vendor-class-identifier "HTTPClient";',
    );
  });

  it('not for TFTP file names', () => {
    for (const f of ['grubx64.efi', 'httpboot/grubx64.efi', 'tftp://x/y', 'http:/x']) {
      expect(isHttpBootUrl(f)).toBe(false);
      expect(renderHostStatements({ name: 'x', options: { filename: f } })).not.toContain('vendor-class-identifier');
    }
  });
});

describe('F13: values dhcpd cannot store are refused, never half-written', () => {
  it.each([
    ['a double quote', 'pxe"linux.0'],
    ['a backslash', 'boot\\file'],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['a non-ASCII character', 'café.efi'],
    ['DEL', 'a\x7fb'],
  ])('filename with %s', (_what, value) => {
    expect(() => renderHostStatements({ name: 'h', options: { filename: value } })).toThrow(UnsafeValueError);
    expect(() => renderHostStatements({ name: 'h', options: { filename: value } })).toThrow(
      /^Invalid filename ".*": dhcpd cannot store a double quote, backslash, control or non-ASCII character$/,
    );
  });

  it('keeps every other printable ASCII character, including ; { } #', () => {
    const all = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))
      .filter((c) => c !== '"' && c !== '\\')
      .join('');
    expect(dhcpString(all, 'x')).toBe(`"${all}"`);
  });

  it('checks hostname, quoted next-server names, Solaris values and ZTP firmware too', () => {
    expect(() => renderHostStatements({ name: 'h', options: { hostname: 'a"b' } })).toThrow(/Invalid hostname/);
    expect(() => renderHostStatements({ name: 'a"b', options: {} })).toThrow(/Invalid hostname/);
    expect(() => renderHostStatements({ name: 'h', options: {} }, { name: 'x"y' })).toThrow(/Invalid nextServer/);
    expect(() => renderHostStatements({ name: 'h', options: { '<sun>install_path': '/a"b' } })).toThrow(/Invalid <sun>install_path/);
    expect(() => renderHostStatements({ name: 'h', options: { '<sun>root_server_ip': '1.2.3.4; deny booting' } })).toThrow(
      /Invalid IP Address 1.2.3.4; deny booting in <sun>root_server_ip/,
    );
    expect(() =>
      renderHostStatements(
        { name: 'h', options: { filename: 'ztp.cfg/x', nextServer: '10.0.0.1', ztp_vendor: 'huawei', ztp_firmware: { core: 'a"', web: 'b' } } },
        { hex: '0a:00:00:01' },
      ),
    ).toThrow(/Invalid ztp_firmware/);
  });

  it('refuses lists and objects where one text value is expected', () => {
    expect(() => renderHostStatements({ name: 'h', options: { filename: ['a', 'b'] } })).toThrow(/Invalid filename: a single text value/);
  });

  it('control characters are shown escaped in the error text', () => {
    expect(() => dhcpString('a\nb', 'filename')).toThrow('Invalid filename "a\\x0ab"');
  });

  it('host names: only what dhcpd writes unquoted and reads back at its next start (see statements.ts)', () => {
    const ok = ['host.example.com', 'h_1', '1host', 'a-b', 'under_score.example.com', 'trail_', '-dash', '9', 'a.', 'a.-b', 'a_.b',
      'L'.repeat(1499), `x.${'D'.repeat(1499)}`];
    for (const name of ok) expect(() => assertSafeHostName(name)).not.toThrow();
    const bad = ['has space', 'brace{', 'semi;colon', 'quo"te', 'ünï', '', '_lead', '_', 'a._b', '.lead', 'a..b', 'b..', '.',
      'C'.repeat(1500), `${'E'.repeat(700)}_${'E'.repeat(799)}`];
    for (const name of bad) expect(() => assertSafeHostName(name)).toThrow(UnsafeValueError);
    expect(() => assertSafeHostName('_lead')).toThrow(
      `Invalid host name "_lead": dhcpd can only store names of letters, digits, '.', '-' and '_' `
      + "whose dot-separated labels are not empty, do not start with '_' and have at most 1499 characters",
    );
  });
});
