import * as fs from 'fs';
import * as path from 'path';
import { parseConfig } from '../../../src/modules/dhcp/providers/isc/parser/conf';
import { LeasesStreamParser, parseLeases } from '../../../src/modules/dhcp/providers/isc/parser/leases';
import { FAR_FUTURE, ParsedHost, ParsedLease, ParsedRecord } from '../../../src/modules/dhcp/providers/isc/parser/types';

const FIXTURES = path.join(__dirname, '../../..', '..', 'shared', 'fixtures', 'isc');
const utc = (s: string) => Date.parse(`${s}Z`);

const lease = (body: string): ParsedLease => {
  const { records, errors } = parseLeases(`lease 192.168.10.1 {\n${body}\n}\n`);
  expect(errors).toEqual([]);
  expect(records).toHaveLength(1);
  return records[0] as ParsedLease;
};

describe('lease statements', () => {
  it.each([
    ['starts 2 2017/05/01 14:20:25;', { starts: utc('2017-05-01T14:20:25') }],
    ['starts epoch 1493734390;', { starts: 1493734390 * 1000 }],
    ['ends 2 2017/05/01 14:20:25;', { ends: utc('2017-05-01T14:20:25') }],
    ['ends never;', { ends: FAR_FUTURE }],
    ['tstp 2 2017/05/01 14:20:25;', { tstp: utc('2017-05-01T14:20:25') }],
    ['tsfp 2 2017/05/01 14:20:25;', { tsfp: utc('2017-05-01T14:20:25') }],
    ['atsfp 2 2017/05/01 14:20:25;', { atsfp: utc('2017-05-01T14:20:25') }],
    ['cltt 2 2017/05/01 14:20:25;', { cltt: utc('2017-05-01T14:20:25') }],
    ['binding state active;', { binding_state: 'active' }],
    ['binding state active ; ', { binding_state: 'active' }],
    ['next binding state free;', { next_binding_state: 'free' }],
    ['rewind binding state free;', {}],
    ['uid "\\000DELLX\\000\\020W\\200L\\310\\300O022";', { uid: '"\\000DELLX\\000\\020W\\200L\\310\\300O022"' }],
    ['uid "\\000\\001\\000\\001\\"L{\\010RT\\000A\\377\\305" ; ', { uid: '"\\000\\001\\000\\001\\"L{\\010RT\\000A\\377\\305"' }],
    ['client-hostname "testing.test";', { client_hostname: '"testing.test"' }],
    ['client-hostname testing.test; ', { client_hostname: 'testing.test' }],
    ['client-hostname "with space; and {braces}";', { client_hostname: '"with space; and {braces}"' }],
    ['hardware ethernet ec:f4:bb:c6:ca:fe;', { hardware_type: 'ethernet', hardware_address: 'ec:f4:bb:c6:ca:fe' }],
    ['set ddns-dhcid = "\\000\\000\\001lcD\\232Lq";', {}],
    ['set vendor-class-identifier = "MSFT 5.0";', {}],
    ['starts 2 2017/13/01 14:20:25;', {}],
    // Keywords are matched in the text, whole words only.
    ['starts epoch 0;', { starts: 0 }],
    ['startsx 2 2017/05/01 14:20:25;', {}],
    ['start 2 2017/05/01 14:20:25;', {}],
    ['ends 22 2017/05/01 14:20:25;', {}],
    ['ends 2 2017/05/01 14:20:25 extra;', {}],
    ['binding state active-x;', {}],
    ['binding states active;', {}],
    ['binding state backup_2;', { binding_state: 'backup_2' }],
    ['hardware ethernetx ec:f4:bb:c6:ca:fe;', {}],
    ['hardware token-ring ec:f4:bb:c6:ca:fe;', { hardware_type: 'token-ring', hardware_address: 'ec:f4:bb:c6:ca:fe' }],
    ['uidx "a";', {}],
    ['on expiry { set x = "y"; }', {}],
  ])('%s', (statement, attributes) => {
    expect(lease(statement).attributes).toEqual(attributes);
  });

  it('reads a whole lease, keeping the statements\' order', () => {
    const parsed = lease(`
    starts 2 2017/05/01 14:20:25;
    ends 2 2017/05/01 16:20:25;
    cltt 2 2017/05/01 14:20:25;
    binding state active;
    next binding state free;
    hardware ethernet ec:f4:bb:c6:ca:fe;
    client-hostname "testing";
    uid "123";
    set ddns-dhcid = "\\000\\000\\001lcD\\232Lq\\226J\\023R\\265\\336g?\\332D\\177h\\301 \\027\\017\\010r0\\306\\235\\314a\\302}\\200";
    set vendor-class-identifier = "MSFT 5.0";
    option agent.circuit-id "eth0";
    # a comment
    something_ignored;
    ignored {
    }`);
    expect(Object.keys(parsed.attributes)).toEqual(['starts', 'ends', 'cltt', 'binding_state', 'next_binding_state', 'hardware_type', 'hardware_address', 'client_hostname', 'uid']);
    expect(parsed.options).toEqual([{ name: 'agent.circuit-id', values: [['"eth0"']], supersede: false }]);
  });

  it('also parses an empty lease block through the config grammar', () => {
    expect(parseConfig('lease 192.168.1.1 { }').records).toEqual([{ kind: 'lease', ip: '192.168.1.1', line: 1, attributes: {}, options: [] }]);
  });
});

describe('leases file', () => {
  it('returns the fixture\'s hosts and leases in file order', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'dhcp.leases'), 'utf8');
    const { records, errors, consumed } = parseLeases(text);
    expect(errors).toEqual([]);
    expect(text.slice(consumed).trim()).toBe('');
    expect(records.map((r) => (r.kind === 'host' ? `host ${r.name}` : `lease ${r.ip}`)).slice(0, 6)).toEqual([
      'lease 192.168.122.2', 'host ten.example.com', 'host deleted.example.com', 'host deleted.example.com',
      'host undeleted.example.com', 'host undeleted.example.com',
    ]);
    expect(records).toHaveLength(29);
    const deleted = records[3] as ParsedHost;
    expect(deleted.attributes).toEqual({ dynamic: true, deleted: true });
    expect(deleted.line).toBe(22);
  });

  it('skips top-level declarations and blocks dhcpd writes', () => {
    const { records, errors } = parseLeases(`# The format of this file is documented in the dhcpd.leases(5) manual page.
# This lease file was written by isc-dhcp-4.4.3-P1

# authoring-byte-order entry is generated, DO NOT DELETE
authoring-byte-order little-endian;

server-duid "\\000\\001\\000\\001-\\234\\3242RT\\000\\022\\064V";

failover peer "dhcp" state {
  my state normal at 2 2024/01/02 10:00:00;
  partner state normal at 2 2024/01/02 10:00:00;
}
class "vendor" { match option vendor-class-identifier; }
subclass "vendor" "HTTPClient";
lease 10.0.0.5 { binding state active; hardware ethernet 00:11:22:33:44:55; }
`);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(1);
  });

  it('skips a stray closing brace and reports it', () => {
    const { records, errors } = parseLeases('}\nlease 10.0.0.5 { }\n');
    expect(records).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual(["dhcpd.leases:1: unexpected '}' with no block open; skipped"]);
  });
});

describe('incremental parsing', () => {
  const text = fs.readFileSync(path.join(FIXTURES, 'dhcp.leases'), 'utf8');
  const describeRecords = (records: ParsedRecord[]) => JSON.stringify(records);

  it('a text cut inside a block consumes only the complete statements', () => {
    const cut = text.indexOf('host ten.example.com') + 30;
    const first = parseLeases(text.slice(0, cut));
    expect(first.records).toHaveLength(1);
    expect(text.slice(first.consumed, cut).trim().startsWith('host ten.example.com')).toBe(true);
    const rest = parseLeases(text.slice(first.consumed), { firstLine: first.nextLine });
    expect(describeRecords([...first.records, ...rest.records])).toBe(describeRecords(parseLeases(text).records));
  });

  it('gives the same records whatever the chunk boundaries (every cut point of a block, strings and comments)', () => {
    const whole = describeRecords(parseLeases(text).records);
    const sample = text.slice(0, 2500);
    const expected = describeRecords(parseLeases(sample).records);
    for (let cut = 1; cut < sample.length; cut++) {
      const parser = new LeasesStreamParser();
      const got = [...parser.push(sample.slice(0, cut)), ...parser.push(sample.slice(cut))];
      expect(describeRecords(got)).toBe(expected);
    }
    const parser = new LeasesStreamParser();
    const got: ParsedRecord[] = [];
    for (let i = 0; i < text.length; i += 97) got.push(...parser.push(text.slice(i, i + 97)));
    expect(describeRecords(got)).toBe(whole);
    expect(parser.hasUnfinishedStatement()).toBe(false);
  });

  it('keeps line numbers across chunks', () => {
    const parser = new LeasesStreamParser();
    parser.push('lease 10.0.0.1 {\n}\nlease 10.0.0.2 {\n');
    const [second] = parser.push('}\n');
    expect(second.line).toBe(3);
  });

  it('a comment cut by the end of a chunk is not read as a word later', () => {
    const parser = new LeasesStreamParser();
    expect(parser.push('lease 10.0.0.1 { }\n# a comm')).toHaveLength(1);
    expect(parser.push('ent\nlease 10.0.0.2 { }\n').map((r) => (r as ParsedLease).ip)).toEqual(['10.0.0.2']);
  });

  it('an unfinished statement is pending, and an endless one is eventually skipped', () => {
    const parser = new LeasesStreamParser();
    parser.push('lease 10.0.0.1 { client-hostname "never closed');
    expect(parser.hasUnfinishedStatement()).toBe(true);
    const filler = `${'x'.repeat(64 * 1024 - 1)}\n`;
    let records: ParsedRecord[] = [];
    while (parser.errors.length === 0) records = records.concat(parser.push(filler));
    records = records.concat(parser.push('lease 10.0.0.9 { }\n'));
    expect(parser.takeErrors().map((e) => e.message)).toEqual([expect.stringMatching(/not terminated; skipped/)]);
    expect(records.map((r) => (r as ParsedLease).ip)).toEqual(['10.0.0.9']);
  });
});
