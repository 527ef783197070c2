import * as fs from 'fs';
import * as path from 'path';
import { parseConfig, parseConfigAsync } from '../../../src/modules/dhcp/providers/isc/parser/conf';
import { Lexer, Tok } from '../../../src/modules/dhcp/providers/isc/parser/tokenizer';
import { ParsedHost, ParsedLease } from '../../../src/modules/dhcp/providers/isc/parser/types';

const FIXTURES = path.join(__dirname, '../../..', '..', 'shared', 'fixtures', 'isc');

const hosts = (text: string): ParsedHost[] => parseConfig(text).records.filter((r): r is ParsedHost => r.kind === 'host');
const host = (text: string): ParsedHost => {
  const all = hosts(text);
  expect(all).toHaveLength(1);
  return all[0];
};
const subnets = (text: string) => parseConfig(text).subnets;

describe('lexer', () => {
  it('keeps quoted strings raw, escapes included, and splits punctuation', () => {
    const lexer = new Lexer('uid "\\000DELLX\\"q";a=b,{c} # comment\nd');
    const seen: [Tok, string][] = [];
    while (lexer.next() !== Tok.Eof) seen.push([lexer.type, lexer.value]);
    expect(seen).toEqual([
      [Tok.Word, 'uid'], [Tok.String, '"\\000DELLX\\"q"'], [Tok.Semi, ';'], [Tok.Word, 'a'], [Tok.Equals, '='], [Tok.Word, 'b'],
      [Tok.Comma, ','], [Tok.LBrace, '{'], [Tok.Word, 'c'], [Tok.RBrace, '}'], [Tok.Word, 'd'],
    ]);
    expect(lexer.line).toBe(2);
  });

  it('reports an unterminated string', () => {
    const lexer = new Lexer('x "abc');
    lexer.next();
    expect(lexer.next()).toBe(Tok.UnterminatedString);
  });
});

describe('dhcpd.conf hosts', () => {
  it.each([
    ['1:1:1:1:1:1'], ['01:01:01:01:01:01'], ['f1:a1:b1:c1:d1:e1'],
    ['00:25:96:FF:FE:12:34:56'], ['80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:ff'],
  ])('accepts hardware address %s (6, 8 or 20 groups)', (mac) => {
    expect(host(`host h { hardware ethernet ${mac}; }`).attributes).toEqual({ hardware_type: 'ethernet', hardware_address: mac });
  });

  it('ignores hardware addresses of other lengths or with bad hex, and other hardware types', () => {
    expect(host('host h { hardware ethernet 1:2:3:4:5:6:7; }').attributes).toEqual({});
    expect(host('host h { hardware ethernet 1:2:3:4:5:zz; }').attributes).toEqual({});
    expect(host('host h { hardware fddi 1:2:3:4:5:6; }').attributes).toEqual({});
  });

  it('reads token-ring hardware', () => {
    expect(host('host testing { hardware token-ring 1:1:1:1:1:1; }').attributes).toEqual({ hardware_type: 'token-ring', hardware_address: '1:1:1:1:1:1' });
  });

  it('reads fixed-address as an IP or a name', () => {
    expect(host('host h { fixed-address 192.168.111.111; }').attributes.fixed_address).toBe('192.168.111.111');
    expect(host('host h { fixed-address a.b.c; }').attributes.fixed_address).toBe('a.b.c');
    expect(host('host h { fixed-address 1.2.3.4, 5.6.7.8; }').attributes.fixed_address).toBeUndefined();
  });

  it('reads dynamic; and deleted;', () => {
    expect(host('host testing { dynamic; }').attributes).toEqual({ dynamic: true });
    expect(host('host testing { deleted; }').attributes).toEqual({ deleted: true });
    expect(host('host testing { }')).toMatchObject({ name: 'testing', attributes: {}, options: [] });
  });

  it('reads a multi-line host with options, keeping statement order', () => {
    const h = host(`
      host testing {
        hardware token-ring 01:02:03:04:05:06;
        fixed-address 192.168.1.1;
        option domain-name "testing.test";
        option routers 204.254.239.1;
        filename "pxelinux.0";
      }`);
    expect(h.attributes).toEqual({ hardware_type: 'token-ring', hardware_address: '01:02:03:04:05:06', fixed_address: '192.168.1.1' });
    expect(h.options).toEqual([
      { name: 'domain-name', values: [['"testing.test"']], supersede: false },
      { name: 'routers', values: [['204.254.239.1']], supersede: false },
      { name: 'filename', values: [['"pxelinux.0"']], supersede: false },
    ]);
    expect(h.line).toBe(2);
  });

  it('reads what dhcpd writes for OMAPI hosts: supersede server.*, hex next-server, values on the next line', () => {
    const h = host(`host lab-host-a {
  dynamic;
  hardware ethernet 52:54:00:99:00:0a;
  fixed-address 10.99.0.50;
        supersede server.filename =
                "http://10.99.0.1:8000/httpboot/host-a/grubx64.efi";
        supersede server.next-server = 0a:63:00:01;
        supersede host-name = "lab-host-a";
        supersede vendor-class-identifier = "HTTPClient";
}`);
    expect(h.options).toEqual([
      { name: 'server.filename', values: [['"http://10.99.0.1:8000/httpboot/host-a/grubx64.efi"']], supersede: true },
      { name: 'server.next-server', values: [['0a:63:00:01']], supersede: true },
      { name: 'host-name', values: [['"lab-host-a"']], supersede: true },
      { name: 'vendor-class-identifier', values: [['"HTTPClient"']], supersede: true },
    ]);
  });

  it('ignores unknown statements and blocks inside a host, and comments', () => {
    const h = host(`host testing { #a comment
      unknown statement;
      on commit { set x = "y"; if a { b; } }
      hardware ethernet 01:02:03:04:05:06;
    }`);
    expect(h.attributes).toEqual({ hardware_type: 'ethernet', hardware_address: '01:02:03:04:05:06' });
  });

  it('reads host names with `_` (dhcpd reads them too); ignores host blocks whose name is not a plain host name', () => {
    expect(hosts('host "quoted name" { fixed-address 1.2.3.4; } host a_b { } host a:b { } host ok { }').map((h) => h.name))
      .toEqual(['a_b', 'ok']);
  });

  it('vendor-option-space keeps only SUNW', () => {
    expect(host('host s { vendor-option-space SUNW; }').attributes).toEqual({ vendor_option_space: 'SUNW' });
    expect(host('host s { vendor-option-space OTHER; }').attributes).toEqual({});
  });
});

describe('dhcpd.conf options', () => {
  const option = (text: string) => subnets(`subnet 10.0.0.0 netmask 255.0.0.0 { ${text} }`)[0].options;

  it.each([
    ['option domain-name "isc.org";', { name: 'domain-name', values: [['"isc.org"']], supersede: false }],
    ['supersede server.domain-name = "isc.org";', { name: 'server.domain-name', values: [['"isc.org"']], supersede: true }],
    ['option domain-name-servers ns1.isc.org, ns2.isc.org;', { name: 'domain-name-servers', values: [['ns1.isc.org'], ['ns2.isc.org']], supersede: false }],
    ['option domain-name-servers 204.254.239.1,204.254.239.2;', { name: 'domain-name-servers', values: [['204.254.239.1'], ['204.254.239.2']], supersede: false }],
    ['option routers  204.254.239.1,   204.254.239.2 ;', { name: 'routers', values: [['204.254.239.1'], ['204.254.239.2']], supersede: false }],
    ['option my-option-int 1234;', { name: 'my-option-int', values: [['1234']], supersede: false }],
    ['option my-option-bool off;', { name: 'my-option-bool', values: [['off']], supersede: false }],
    ['option my-option-string 01:02:03, 04:05:06;', { name: 'my-option-string', values: [['01:02:03'], ['04:05:06']], supersede: false }],
    ['option my-option-text "aaaa", "bbbb";', { name: 'my-option-text', values: [['"aaaa"'], ['"bbbb"']], supersede: false }],
    ['option my-option-record 10.0.0.0 255.255.255.0 net-0-rtr.example.com 1, 10.0.1.0 255.255.255.0 net-1-rtr.example.com 1;',
      { name: 'my-option-record', values: [['10.0.0.0', '255.255.255.0', 'net-0-rtr.example.com', '1'], ['10.0.1.0', '255.255.255.0', 'net-1-rtr.example.com', '1']], supersede: false }],
    ['option pxegrub code 150 = text ;', { name: 'pxegrub', values: [['text']], supersede: false }],
    ['option voip-tftp-server code 150 = { ip-address };', { name: 'voip-tftp-server', values: [['ip-address']], supersede: false }],
    ['option quoted "a; b, {c}";', { name: 'quoted', values: [['"a; b, {c}"']], supersede: false }],
    ['next-server 192.168.122.251;', { name: 'next-server', values: [['192.168.122.251']], supersede: false }],
    ['option x a=b;', { name: 'x', values: [['a=b']], supersede: false }],
  ])('%s', (text, expected) => {
    expect(option(text)).toEqual([expected]);
  });

  it('FQDN and IP lists spread over several lines', () => {
    expect(option('option domain-name-servers ns1.isc.org,\n  ns1.isc.org,\n   ns1.isc.org;')[0].values).toEqual([['ns1.isc.org'], ['ns1.isc.org'], ['ns1.isc.org']]);
    expect(option('option routers 204.254.239.1,\n 204.254.239.2,\n  204.254.239.3;')[0].values).toEqual([['204.254.239.1'], ['204.254.239.2'], ['204.254.239.3']]);
  });

  it('ignores options without a value or with an empty group', () => {
    expect(option('option foo; option bar a,,b; option baz a,;')).toEqual([]);
  });
});

describe('dhcpd.conf subnets and nesting', () => {
  it('reads an empty subnet', () => {
    expect(subnets('subnet 192.168.1.0 netmask 255.255.255.128 {}')).toEqual([
      { network: '192.168.1.0', netmask: '255.255.255.128', options: [], line: 1, file: 'dhcpd.conf' },
    ]);
  });

  it.each([
    ['range 1.1.1.1 1.1.1.100;', ['1.1.1.1', '1.1.1.100']],
    ['range 1.1.1.1;', ['1.1.1.1', '1.1.1.1']],
    ['range dynamic-bootp 1.1.1.1;', ['1.1.1.1', '1.1.1.1']],
    ['range dynamic-bootp 1.1.1.1 1.1.1.100;', ['1.1.1.1', '1.1.1.100']],
    ['range 1.1.1.1 1.1.1.5; range 1.1.1.10 1.1.1.20;', ['1.1.1.10', '1.1.1.20']],
  ])('%s', (text, range) => {
    expect(subnets(`subnet 1.1.1.0 netmask 255.255.255.0 { ${text} }`)[0].range).toEqual(range);
  });

  it('reads a subnet with comments, nested blocks and ignored items; a pool range is not the subnet\'s', () => {
    const parsed = parseConfig(`
  subnet 192.168.1.0 netmask 255.255.255.128 {
    # a comment
    option subnet-mask 255.255.255.192;
    option domain-name "isc.org";
    range dynamic-bootp 192.168.1.1 192.168.1.100;
    group nested-group {}
    pool { range 192.168.1.110 192.168.1.120; option routers 9.9.9.9; failover peer "x"; }
    host nested-host { }
    something_ignored;
    unknown {}
    class "pxeclients" { if option pxe-system-type = 00:02 { filename "xyz"; } }
  }`);
    expect(parsed.subnets).toHaveLength(1);
    expect(parsed.subnets[0].range).toEqual(['192.168.1.1', '192.168.1.100']);
    expect(parsed.subnets[0].options.map((o) => o.name)).toEqual(['subnet-mask', 'domain-name']);
    expect(parsed.records.map((r) => (r as ParsedHost).name)).toEqual(['nested-host']);
  });

  it('collects subnets and hosts from groups and shared networks, without inheriting options', () => {
    const parsed = parseConfig(`
    group ilom {
      default-lease-time 3600;
      option domain-name "isc.org";
      option routers 204.254.239.1, 204.254.239.2, 204.254.239.3;
      host nested-host { hardware ethernet 11:22:33:a9:61:09; fixed-address 192.168.1.200; }
      subnet 192.168.2.0 netmask 255.255.255.0 {
        option domain-name "nested.subnet.test";
      }
      group nested-group { option domain-name "nested.group.test"; host in-group { } }
      shared-network nested-shared-network {
        option domain-name "nested.shared.network.test";
        subnet 10.0.0.0 netmask 255.255.255.0 { pool { host in-pool {} } }
      }
    }
    group { }
    group "quoted" { }
    shared-network "testing" { deleted; pool {} }`);
    expect(parsed.subnets.map((s) => [s.network, s.options.map((o) => o.values[0][0])])).toEqual([
      ['192.168.2.0', ['"nested.subnet.test"']],
      ['10.0.0.0', []],
    ]);
    expect(parsed.records.map((r) => (r as ParsedHost).name)).toEqual(['nested-host', 'in-group', 'in-pool']);
  });

  it('an unrecognised declaration ends at a comment (as the baseline reads its fixture); known ones span comments', () => {
    const [subnet] = subnets(`subnet 10.0.0.0 netmask 255.0.0.0 {
      authoritative # no semicolon before this comment
      option routers 10.0.0.1;
      option domain-name-servers 10.0.0.2, # primary
                                 10.0.0.3; # secondary
    }`);
    expect(subnet.options).toEqual([
      { name: 'routers', values: [['10.0.0.1']], supersede: false },
      { name: 'domain-name-servers', values: [['10.0.0.2'], ['10.0.0.3']], supersede: false },
    ]);
    expect(hosts('1\n2\n# comment\nhost h { }').map((h) => h.name)).toEqual(['h']);
  });

  it('adds a subnet when its block closes (subnets nested in it come first)', () => {
    expect(subnets('subnet 10.0.0.0 netmask 255.0.0.0 { group { subnet 10.1.0.0 netmask 255.255.0.0 {} } }').map((s) => s.network))
      .toEqual(['10.1.0.0', '10.0.0.0']);
  });

  it('skips ignored declarations and blocks at every level, and stray semicolons', () => {
    const parsed = parseConfig(`
      aaa true;
      ;
      aaa bbb { fff true; }
      key omapi_key { algorithm hmac-md5; secret "abc=="; }
      failover peer "dhcp-failover" { primary; address 10.0.0.1; }
      zone example.com. { primary 127.0.0.1; key omapi_key; }
      if exists user-class and option user-class = "iPXE" { filename "x"; } else { filename "y"; }
      omapi-port 7911;
      subnet6 2001:db8::/64 { range6 2001:db8::1 2001:db8::ff; }
      subnet 10.0.0.0 { }
      host ok { }`);
    expect(parsed.subnets).toEqual([]);
    expect(parsed.records.map((r) => (r as ParsedHost).name)).toEqual(['ok']);
  });

  it.each([
    ['server-duid "\\000\\001\\000\\001\\"L{\\010RT\\000A\\377\\305";'],
    ['server-duid 00:01:00:01:1e:68:b3:db:0a:00:27:00:00:02;'],
    ['server-duid llt;'],
    ['server-duid llt ethernet 213982198 00:16:6F:49:7D:9B;'],
    ['server-duid ll fddi 00:16:6F:49:7D:9B;'],
    ['server-duid en 2495 "enterprise-specific-identifier-1234";'],
    ['server-duid 1234;'],
  ])('accepts %s', (text) => {
    expect(parseConfig(`${text}\nhost after { }`).records).toHaveLength(1);
  });

  it('reads lease blocks in the config file too', () => {
    const records = parseConfig('lease 192.168.1.1 { }').records as ParsedLease[];
    expect(records).toEqual([{ kind: 'lease', ip: '192.168.1.1', line: 1, attributes: {}, options: [] }]);
  });
});

describe('dhcpd.conf errors', () => {
  it.each([
    ['subnet 10.0.0.0 netmask 255.0.0.0 {\n option routers 1.1.1.1;\n', /dhcpd.conf:1: block is not closed/],
    ['host a {\n hardware ethernet 1:2:3:4:5:6;\n', /dhcpd.conf:1: block is not closed/],
    ['option routers 1.1.1.1;\n}\n', /dhcpd.conf:2: unexpected '}'/],
    ['option domain-name "abc;\n', /dhcpd.conf:1: unterminated string/],
    ['option routers 1.1.1.1', /dhcpd.conf:1: expected ';'/],
    ['class "x" {\n match if a;\n', /dhcpd.conf:1: block 'class "x"' is not closed/],
  ])('%j throws with file and line', (text, message) => {
    expect(() => parseConfig(text)).toThrow(message);
  });
});

describe('dhcpd.conf includes', () => {
  let dir: string;
  beforeAll(() => {
    // The fixtures' include paths assume the baseline's layout: <dir>/test/fixtures/dhcp/.
    dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'isc-include-'));
    const nested = path.join(dir, 'test', 'fixtures', 'dhcp');
    fs.mkdirSync(nested, { recursive: true });
    for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(nested, f));
    fs.copyFileSync(path.join(FIXTURES, 'dhcp.conf'), path.join(dir, 'dhcp.conf'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = (p: string) => fs.readFileSync(p, 'utf8');
  const names = (config: ReturnType<typeof parseConfig>) => ({
    subnets: config.subnets.map((s) => s.network),
    hosts: config.records.map((r) => (r as ParsedHost).name),
  });
  const expected = { subnets: ['192.168.122.0', '192.168.123.0', '192.168.124.0', '192.168.1.0'], hosts: ['test.example.com'] };

  it('resolves a relative include against the config file\'s directory', () => {
    const main = path.join(dir, 'dhcp.conf');
    expect(names(parseConfig(read(main), { path: main, readFile: read }))).toEqual(expected);
  });

  it('testcase 1: a bare file name next to the config', () => {
    const main = path.join(dir, 'test/fixtures/dhcp/dhcp_include_relative_testcase1.conf');
    expect(names(parseConfig(read(main), { path: main, readFile: read }))).toEqual(expected);
  });

  it('testcase 2: a ../ path', () => {
    const main = path.join(dir, 'test/fixtures/dhcp/dhcp_include_relative_testcase2.conf');
    expect(names(parseConfig(read(main), { path: main, readFile: read }))).toEqual(expected);
  });

  it('inside a shared-network, and with an absolute path', () => {
    const abs = path.join(dir, 'test/fixtures/dhcp/dhcp_subnets.conf');
    const main = path.join(dir, 'main.conf');
    expect(names(parseConfig(`shared-network "testing" { include "${abs}"; }`, { path: main, readFile: read }))).toEqual(expected);
  });

  it('resolves includes of included files against the main config\'s directory too', () => {
    const files: Record<string, string> = {
      '/etc/dhcp/dhcpd.conf': 'host first {}\ninclude "conf.d/a.conf";\nhost last {}',
      '/etc/dhcp/conf.d/a.conf': 'include "conf.d/b.conf";\nhost a {}',
      '/etc/dhcp/conf.d/b.conf': 'host b {}',
    };
    const readFake = (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return files[p];
    };
    expect(names(parseConfig(files['/etc/dhcp/dhcpd.conf'], { path: '/etc/dhcp/dhcpd.conf', readFile: readFake })).hosts)
      .toEqual(['first', 'b', 'a', 'last']);
  });

  it('reports a missing include and an include loop with the including file and line', async () => {
    const main = path.join(dir, 'main.conf');
    expect(() => parseConfig('\ninclude "nope.conf";', { path: main, readFile: read })).toThrow(`${main}:2: cannot include '${path.join(dir, 'nope.conf')}': ENOENT`);
    const loop = (p: string) => (p.endsWith('loop.conf') ? 'include "loop.conf";' : read(p));
    expect(() => parseConfig('include "loop.conf";', { path: main, readFile: loop })).toThrow(/nested more than 16 deep/);
    await expect(parseConfigAsync('include "nope.conf";', { path: main, readFile: (p) => fs.promises.readFile(p, 'utf8') })).rejects.toThrow(/ENOENT/);
  });

  it('parseConfigAsync gives the same result as parseConfig', async () => {
    const main = path.join(dir, 'dhcp.conf');
    const asyncResult = await parseConfigAsync(read(main), { path: main, readFile: (p) => fs.promises.readFile(p, 'utf8') });
    expect(asyncResult).toEqual(parseConfig(read(main), { path: main, readFile: read }));
  });
});
