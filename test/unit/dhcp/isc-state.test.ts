import * as fs from 'fs';
import * as path from 'path';
import { Lease, Reservation, Subnet } from '../../../src/modules/dhcp/provider';
import { parseConfig } from '../../../src/modules/dhcp/providers/isc/parser/conf';
import { parseLeases } from '../../../src/modules/dhcp/providers/isc/parser/leases';
import { convertOption } from '../../../src/modules/dhcp/providers/isc/records';
import { IscState } from '../../../src/modules/dhcp/providers/isc/state';
import { recordToJson, subnetToJson } from '../../../src/modules/dhcp/records-json';
import { createSubnet, SubnetIndex } from '../../../src/modules/dhcp/subnet-index';

const SHARED = path.join(__dirname, '../../..', '..', 'shared');
const FIXTURES = path.join(SHARED, 'fixtures', 'isc');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** The JSON body captured from the Ruby proxy under a `### <title>` heading of reference-responses.md. */
function referenceBody(title: string): string {
  const md = fs.readFileSync(path.join(SHARED, 'reference', 'reference-responses.md'), 'utf8');
  const start = md.indexOf(`### ${title}\n`);
  if (start < 0) throw new Error(`no section ${title}`);
  const match = /\n\n(.*)\n<no trailing newline>/.exec(md.slice(start));
  if (!match) throw new Error(`no body in ${title}`);
  return match[1];
}

function loadState(config: string, leases: string, now?: Date): IscState {
  const state = new IscState(new SubnetIndex(), now ? { now: () => now } : {});
  state.loadConfig(parseConfig(config));
  state.applyRecords(parseLeases(leases).records);
  return state;
}

/** A state with one subnet and the given leases-file text applied (the baseline's unit-test setup). */
function withSubnet(network: string, leases: string, now?: Date): IscState {
  return loadState(`subnet ${network} netmask 255.255.255.0 {}`, leases, now);
}

describe('the fixtures give exactly the captured responses', () => {
  const state = loadState(fixture('dhcp_subnets.conf'), fixture('dhcp.leases'), new Date('2026-11-25T10:56:12Z'));
  const body = (network: string) => JSON.stringify({
    reservations: state.index.allReservations(network).map(recordToJson),
    leases: state.index.allLeases(network).map(recordToJson),
  });

  it('GET /dhcp', () => {
    expect(JSON.stringify(state.index.subnets().map(subnetToJson))).toBe(referenceBody('GET /dhcp'));
  });

  it('GET /dhcp/192.168.122.0', () => {
    expect(body('192.168.122.0')).toBe(referenceBody('GET /dhcp/192.168.122.0'));
  });

  it('GET /dhcp/192.168.1.0 (empty subnet), and an inner address finds no records', () => {
    expect(body('192.168.1.0')).toBe(referenceBody('GET /dhcp/192.168.1.0 (empty subnet)'));
    expect(body('192.168.122.5')).toBe('{"reservations":[],"leases":[]}');
  });

  it('GET /dhcp/192.168.122.0/ip/192.168.122.43 (two reservations) and mac lookups', () => {
    const ip = JSON.stringify(state.index.findReservationsByIp('192.168.122.0', '192.168.122.43').map(recordToJson));
    expect(ip).toBe(referenceBody('GET /dhcp/192.168.122.0/ip/192.168.122.43 (two reservations)'));
    const lease = state.index.findLeaseByMac('192.168.122.0', '00:aa:bb:cc:dd:ee') as Lease;
    expect(JSON.stringify(recordToJson(lease))).toBe(referenceBody('GET /dhcp/192.168.122.0/mac/00:aa:bb:cc:dd:ee (lease)'));
    const reservation = state.index.findReservationByMac('192.168.122.0', '10:10:10:10:10:10') as Reservation;
    expect(JSON.stringify(recordToJson(reservation))).toBe(referenceBody('GET /dhcp/192.168.122.0/mac/10:10:10:10:10:10 (reservation)'));
  });
});

describe('loading dhcpd.conf', () => {
  const CONFIG = `# global settings the proxy does not report
omapi-port 7911;
default-lease-time 600;
option domain-name "global.example.com";
option domain-name-servers 10.9.9.9;
option ntp-servers none;
option fqdn.no-client-update on;
option arch code 93 = unsigned integer 16;
option voip-tftp-server code 150 = { ip-address };
authoritative # a bare statement ended by a comment
option routers 10.9.9.1;

subnet 192.168.122.0 netmask 255.255.255.0 {
  option interface-mtu 9000;
  option voip-tftp-server 1.2.3.4;
  option routers 192.168.122.250; # inline comment
  option ntp-servers 192.168.122.3;
  next-server 192.168.122.251;
}
subnet 192.168.123.0 netmask 255.255.255.192 {
  option routers 192.168.123.1;
  option domain-name-servers 192.168.123.1;
  option domain-name example.com;
  range 192.168.123.2 192.168.123.62;
}
shared-network wire {
  subnet 192.168.124.0 netmask 255.255.255.0 {
    pool { range 192.168.124.200 192.168.124.254; }
    option routers 192.168.124.1, 192.168.124.2;
  }
  group { subnet 192.168.1.0 netmask 255.255.255.128 {
    class "pxeclients" { if option pxe-system-type = 00:02 { filename "xyz"; } }
    host inside { server-name "inside"; hardware ethernet 00:18:dd:01:9e:2e; fixed-address 10.253.2.127; }
  } }
}
host test.example.com {
  hardware ethernet 00:11:bb:cc:dd:ee;
  fixed-address 192.168.122.1;
  supersede server.next-server = ac:17:23:1d;
}`;
  const state = loadState(CONFIG, '');
  const subnets = state.index.subnets();

  it('reads the subnets in order, with netmasks', () => {
    expect(subnets.map((s) => `${s.network}/${s.netmask}`)).toEqual([
      '192.168.122.0/255.255.255.0', '192.168.123.0/255.255.255.192', '192.168.124.0/255.255.255.0', '192.168.1.0/255.255.255.128',
    ]);
  });

  it('keeps only the six subnet options, converted; no inheritance; range only outside a pool', () => {
    expect(subnets.map((s) => s.options)).toEqual([
      { interface_mtu: 9000, routers: ['192.168.122.250'], ntp_servers: [['192.168.122.3']] },
      { routers: ['192.168.123.1'], domain_name_servers: ['192.168.123.1'], domain_name: [['example.com']], range: ['192.168.123.2', '192.168.123.62'] },
      { routers: ['192.168.124.1', '192.168.124.2'] },
      {},
    ]);
    expect(JSON.stringify(subnetToJson(subnets[0]))).toBe(
      '{"network":"192.168.122.0","netmask":"255.255.255.0","options":{"routers":["192.168.122.250"],"ntp_servers":[["192.168.122.3"]],"interface_mtu":9000}}');
  });

  it('config hosts are static, and hosts outside every subnet are skipped', () => {
    expect(state.index.allReservations().map(recordToJson)).toEqual([{
      name: 'test.example.com', ip: '192.168.122.1', mac: '00:11:bb:cc:dd:ee', subnet: '192.168.122.0/255.255.255.0', type: 'reservation',
      deleteable: false, hostname: 'test.example.com', hardware_type: 'ethernet', nextServer: '172.23.35.29',
    }]);
  });

  it.each([
    ['subnet 10.0.0.0 netmask 255.255.255.0 { option routers 10.0.0.300; }', 'Invalid IP Address 10.0.0.300'],
    ['subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.1.1 10.0.1.5; }', 'Range does not belong to provided subnet'],
    ['subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.9 10.0.0.5; }', "10.0.0.9 can't be lower IP address than 10.0.0.5 - change the order?"],
    ['subnet 10.0.0.0 netmask 255.255.255.0 { }\nsubnet 10.0.0.0 netmask 255.255.0.0 { }', 'Unable to add subnet 10.0.0.0/255.255.0.0'],
    ['subnet 10.0.0.0 netmask 255.255.255.300 { }', 'Invalid IP Address 255.255.255.300'],
  ])('%j fails the load', (config, message) => {
    expect(() => loadState(config, '')).toThrow(message);
  });

  it('interface-mtu is the integer of its first value, as Ruby\'s to_i reads it', () => {
    expect(createSubnet('10.0.0.0', '255.0.0.0', { interface_mtu: [['1500abc']] }).options.interface_mtu).toBe(1500);
    expect(createSubnet('10.0.0.0', '255.0.0.0', { interface_mtu: [['jumbo']] }).options.interface_mtu).toBe(0);
  });
});

describe('applying the leases file', () => {
  const leases = fixture('dhcp.leases');
  const state = withSubnet('192.168.122.0', leases);
  const index = state.index;
  const byName = (name: string) => index.findReservationByName(name);

  it('gives 13 records', () => {
    expect(index.allReservations().length + index.allLeases().length).toBe(13);
  });

  it('a deleted host is removed; deleted then re-added comes back', () => {
    expect(byName('deleted.example.com')).toBeUndefined();
    expect(byName('undeleted.example.com')?.ip).toBe('192.168.122.35');
  });

  it('bonded hosts share an IP', () => {
    expect(byName('bond.example.com-01')?.options.hostname).toBe('bond.example.com');
    expect(byName('bond.example.com-02')?.options.hostname).toBe('bond.example.com');
    expect(index.findReservationsByIp('192.168.122.0', '192.168.122.43')).toHaveLength(2);
  });

  it('option host-name overrides the hostname; dynamic is deleteable, static is not', () => {
    expect(byName('bravo2.example.com')?.options).toMatchObject({ hostname: 'bravo.example.com', deleteable: true });
    expect(byName('static.example.com')?.options.deleteable).toBe(false);
  });

  it('a free lease never overrides a reservation, by IP or by MAC', () => {
    expect(index.findLeaseByMac('192.168.122.0', '00:1d:60:a5:b1:2a')).toBeUndefined();
    expect(index.findLeaseByIp('192.168.122.0', '192.168.122.53')).toBeUndefined();
    expect(byName('quux.example.org')?.name).toBe('quux.example.org');
    expect(index.findLeaseByIp('192.168.122.0', '192.168.122.55')).toBeUndefined();
    expect(byName('quax.example.org')?.name).toBe('quax.example.org');
  });

  it('a host with the MAC of an existing reservation replaces it', () => {
    const s = withSubnet('192.168.0.0', 'host test { fixed-address 192.168.0.10; hardware ethernet 00:11:22:33:44:55; }');
    s.applyRecords(parseLeases('host testing { fixed-address 192.168.0.11; hardware ethernet 00:11:22:33:44:55; }').records);
    expect(s.index.findReservationByMac('192.168.0.0', '00:11:22:33:44:55')?.ip).toBe('192.168.0.11');
    expect(s.index.allReservations()).toHaveLength(1);
  });

  it('a host named with `_`, exactly as dhcpd 4.4.3 wrote it (created, then deleted, over OMAPI): listed, then removed', () => {
    // dhcpd writes the name unquoted and reads it back itself; the baseline's grammar skipped it.
    const created = [
      '# The format of this file is documented in the dhcpd.leases(5) manual page.',
      '# This lease file was written by isc-dhcp-4.4.3-P1',
      '',
      '# authoring-byte-order entry is generated, DO NOT DELETE',
      'authoring-byte-order little-endian;',
      '',
      'server-duid "\\000\\001\\000\\0012\\245\\332\\006\\236E\\267z\\025\\005";',
      '',
      'host under_score.example.com {',
      '  dynamic;',
      '  hardware ethernet 52:54:00:aa:00:30;',
      '  fixed-address 192.168.122.30;',
      '        supersede server.filename = "pxelinux.0";',
      '        supersede server.next-server = c0:a8:7a:01;',
      '        supersede host-name = "under_score.example.com";',
      '}',
      '',
    ].join('\n');
    const deleted = 'host under_score.example.com {\n  dynamic;\n  deleted;\n}\n';
    const parsed = parseLeases(created + deleted);
    expect(parsed.errors).toEqual([]);
    expect(parsed.records.map((r) => (r.kind === 'host' ? r.name : r.ip))).toEqual(['under_score.example.com', 'under_score.example.com']);

    const s = withSubnet('192.168.122.0', created);
    expect(recordToJson(s.index.findReservationByMac('192.168.122.0', '52:54:00:aa:00:30')!)).toEqual({
      name: 'under_score.example.com', ip: '192.168.122.30', mac: '52:54:00:aa:00:30', subnet: '192.168.122.0/255.255.255.0',
      type: 'reservation', deleteable: true, hardware_type: 'ethernet', filename: 'pxelinux.0', nextServer: '192.168.122.1',
      hostname: 'under_score.example.com',
    });
    s.applyRecords(parseLeases(deleted).records);
    expect(s.index.findReservationByMac('192.168.122.0', '52:54:00:aa:00:30')).toBeUndefined();
    expect(s.index.findReservationByName('under_score.example.com')).toBeUndefined();
  });

  const activeLease = 'lease 192.168.0.1 { hardware ethernet 00:11:22:33:44:55; binding state active; }';
  const stamp = (d: Date) => `${d.getUTCDay()} ${d.toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/')}`;

  it('adds an active lease', () => {
    const s = withSubnet('192.168.0.0', `lease 192.168.0.1 {
      hardware ethernet 00:11:22:33:44:55;
      starts 2 2017/05/02 12:53:16;
      ends 2 2017/05/02 13:03:16;
      cltt 2 2017/05/02 12:53:16;
      binding state active;
    }`);
    expect(s.index.findLeaseByMac('192.168.0.0', '00:11:22:33:44:55')?.ip).toBe('192.168.0.1');
  });

  it('a free lease deletes the lease with its IP', () => {
    const s = withSubnet('192.168.0.0', `${activeLease}\nlease 192.168.0.1 { hardware ethernet 00:11:22:33:44:55; binding state free; }`);
    expect(s.index.findLeaseByMac('192.168.0.0', '00:11:22:33:44:55')).toBeUndefined();
  });

  it('an expired lease (next state free, ends in the past) deletes the lease with its IP; not yet expired stays', () => {
    const now = new Date();
    const expired = `lease 192.168.0.1 { hardware ethernet 00:11:22:33:44:55; starts ${stamp(new Date(now.getTime() - 120e3))}; ends ${stamp(new Date(now.getTime() - 1e3))}; next binding state free; }`;
    expect(withSubnet('192.168.0.0', `${activeLease}\n${expired}`).index.allLeases()).toEqual([]);
    const current = expired.replace(/ends [^;]*;/, `ends ${stamp(new Date(now.getTime() + 60e3))};`);
    expect(withSubnet('192.168.0.0', `${activeLease}\n${current}`).index.allLeases()).toHaveLength(1);
  });

  it('a lease with the MAC of another lease replaces it; so does one with its IP', () => {
    const window = (d: number) => `starts ${stamp(new Date(Date.now() - 60e3))}; ends ${stamp(new Date(Date.now() + d))}; binding state active; next binding state free;`;
    const byMac = withSubnet('192.168.0.0', `${activeLease}\nlease 192.168.0.2 { hardware ethernet 00:11:22:33:44:55; ${window(60e3)} }`);
    expect(byMac.index.allLeases().map((l) => l.ip)).toEqual(['192.168.0.2']);
    const byIp = withSubnet('192.168.0.0', `${activeLease}\nlease 192.168.0.1 { hardware ethernet 00:11:22:33:44:66; ${window(60e3)} }`);
    expect(byIp.index.findLeaseByMac('192.168.0.0', '00:11:22:33:44:55')).toBeUndefined();
    expect(byIp.index.findLeaseByMac('192.168.0.0', '00:11:22:33:44:66')?.ip).toBe('192.168.0.1');
  });

  it('keeps other states and reports them', () => {
    const s = withSubnet('192.168.0.0', 'lease 192.168.0.7 { hardware ethernet 00:11:22:33:44:77; binding state abandoned; }');
    expect(s.index.allLeases().map((l) => l.state)).toEqual(['abandoned']);
  });

  it('lease JSON: name from the MAC, ends never, quoted uid and client-hostname kept raw, 20-byte MAC', () => {
    const s = withSubnet('192.168.122.0', `lease 192.168.122.9 {
  starts 3 2024/01/03 10:00:00;
  ends never;
  binding state active;
  hardware ethernet aa:bb:cc:dd:ee:09;
  uid "\\001\\252\\273\\314\\335\\356\\011";
  client-hostname "pxe-client";
}
lease 192.168.122.2 { starts 6 2014/07/12 10:08:29; binding state active; hardware ethernet 80:00:02:08:fe:80:00:00:00:00:00:00:00:02:AA:bb:cc:dd:ee:ff; }`);
    expect(JSON.stringify(s.index.allLeases().map(recordToJson))).toBe(
      '[{"name":"lease-aabbccddee09","ip":"192.168.122.9","mac":"aa:bb:cc:dd:ee:09","subnet":"192.168.122.0/255.255.255.0",' +
      '"starts":"2024-01-03 10:00:00 UTC","ends":"2038-01-19 03:14:07 UTC","state":"active","type":"lease","hardware_type":"ethernet",' +
      '"uid":"\\"\\\\001\\\\252\\\\273\\\\314\\\\335\\\\356\\\\011\\"","client_hostname":"\\"pxe-client\\""},' +
      '{"name":"lease-80000208fe800000000000000002AAbbccddeeff","ip":"192.168.122.2","mac":"80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:ff",' +
      '"subnet":"192.168.122.0/255.255.255.0","starts":"2014-07-12 10:08:29 UTC","ends":null,"state":"active","type":"lease","hardware_type":"ethernet"}]');
  });

  it('skips (with a warning) an 8-byte MAC the API cannot carry, and ignores records outside subnets', () => {
    const warnings: string[] = [];
    const s = new IscState(new SubnetIndex(), { warn: (m) => warnings.push(m) });
    s.loadConfig(parseConfig('subnet 10.0.0.0 netmask 255.255.255.0 {}'));
    s.applyRecords(parseLeases(`host eui64 { hardware ethernet 00:25:96:FF:FE:12:34:56; fixed-address 10.0.0.5; }
host far { hardware ethernet 00:25:96:FF:FE:12; fixed-address 10.9.0.5; }
host named { hardware ethernet 00:25:96:FF:FE:12; fixed-address host1.sub.domain.com; }
lease 10.9.9.9 { hardware ethernet 00:25:96:FF:FE:12; binding state active; }`).records);
    expect(s.index.allReservations()).toEqual([]);
    expect(s.index.allLeases()).toEqual([]);
    expect(warnings).toEqual(['Ignoring host eui64 (line 1): hardware address 00:25:96:FF:FE:12:34:56 is neither 6 nor 20 bytes long']);
  });

  it('the Solaris example: vendor, SUNW keys, unknown options as nested arrays, in statement order', () => {
    const s = withSubnet('192.168.122.0', `host sun.example.com {
  dynamic;
  hardware ethernet 00:11:22:33:44:66;
  fixed-address 192.168.122.24;
  vendor-option-space SUNW;
  filename "Solaris-inetboot";
  next-server c0:a8:7a:18;
  option host-name "sun.example.com";
  option SUNW.root-server-ip-address 192.168.122.24;
  option SUNW.install-path "/Solaris/install";
  option domain-name-servers 1.1.1.1, 8.8.8.8;
  option my-option a "b", c;
}`);
    expect(JSON.stringify(recordToJson(s.index.allReservations()[0]))).toBe(
      '{"name":"sun.example.com","ip":"192.168.122.24","mac":"00:11:22:33:44:66","subnet":"192.168.122.0/255.255.255.0","type":"reservation",' +
      '"deleteable":true,"hostname":"sun.example.com","hardware_type":"ethernet","vendor":"sun","filename":"Solaris-inetboot","nextServer":"192.168.122.24",' +
      '"root_server_ip":"192.168.122.24","install_path":"/Solaris/install","domain_name_servers":["1.1.1.1","8.8.8.8"],"my_option":[["a","b"],["c"]]}');
  });
});

describe('option conversions', () => {
  it.each([
    ['routers', [['192.168.1.1'], ['192.168.1.2']], ['routers', ['192.168.1.1', '192.168.1.2']]],
    ['routers', [['"192.168.1.1"'], ['"192.168.1.2"']], ['routers', ['192.168.1.1', '192.168.1.2']]],
    ['domain-name-servers', [['192.168.1.1']], ['domain_name_servers', ['192.168.1.1']]],
    ['domain-name-servers', [['"a.b.c"'], ['"a.b.d"']], ['domain_name_servers', ['a.b.c', 'a.b.d']]],
    ['next-server', [['192.168.1.1']], ['nextServer', '192.168.1.1']],
    ['next-server', [['"192.168.1.1"']], ['nextServer', '192.168.1.1']],
    ['server.next-server', [['192.168.1.1']], ['nextServer', '192.168.1.1']],
    ['next-server', [['c0:a8:00:01']], ['nextServer', '192.168.0.1']],
    ['filename', [['"pxelinux.0"']], ['filename', 'pxelinux.0']],
    ['server.filename', [['"pxelinux.0"']], ['filename', 'pxelinux.0']],
    ['host-name', [['"a.b.c"']], ['hostname', 'a.b.c']],
    ['SUNW.root-server-ip-address', [['"192.168.1.1"']], ['root_server_ip', '192.168.1.1']],
    ['SUNW.root-server-hostname', [['a.b.c']], ['root_server_hostname', 'a.b.c']],
    ['SUNW.root-path-name', [['"a/b/c"']], ['root_path_name', 'a/b/c']],
    ['SUNW.install-server-ip-address', [['192.168.1.1']], ['install_server_ip', '192.168.1.1']],
    ['SUNW.install-server-hostname', [['"a.b.c"']], ['install_server_name', 'a.b.c']],
    ['SUNW.install-path', [['a/b/c']], ['install_path', 'a/b/c']],
    ['SUNW.sysid-config-file-server', [['"192.168.1.1:/export/sysids/web"']], ['sysid_server_path', '192.168.1.1:/export/sysids/web']],
    ['SUNW.JumpStart-server', [['192.168.1.1:/export/jumpstart']], ['jumpstart_server_path', '192.168.1.1:/export/jumpstart']],
    ['a-b-c', [['something'], ['or'], ['another']], ['a_b_c', [['something'], ['or'], ['another']]]],
    ['a-b.c', [['"something"'], ['"or"']], ['a_b_c', [['something'], ['or']]]],
  ])('%s %j', (name, values, expected) => {
    expect(convertOption(name, values)).toEqual(expected);
  });
});

describe('SubnetIndex', () => {
  const make = (...specs: string[]): [SubnetIndex, Subnet[]] => {
    const index = new SubnetIndex();
    const subnets = specs.map((s) => createSubnet(...(s.split('/') as [string, string])));
    subnets.forEach((s) => index.addSubnet(s));
    return [index, subnets];
  };

  it('finds by exact network and by an inner address', () => {
    const [index, s] = make('192.168.0.0/255.255.255.0', '192.168.1.0/255.255.255.0');
    expect(index.findSubnet('192.168.0.0')).toBe(s[0]);
    expect(index.findSubnet('192.168.0.254')).toBe(s[0]);
    expect(index.findSubnet('192.168.2.1')).toBeUndefined();
    expect(index.findSubnet('not-an-ip')).toBeUndefined();
  });

  it('/26 subnets, including an undefined gap', () => {
    const [index, s] = make('192.168.0.0/255.255.255.192', '192.168.0.64/255.255.255.192', '192.168.0.128/255.255.255.192', '192.168.0.192/255.255.255.192');
    expect(index.findSubnet('192.168.0.131')).toBe(s[2]);
    const [gapped] = make('192.168.0.0/255.255.255.192', '192.168.0.64/255.255.255.192', '192.168.0.192/255.255.255.192');
    expect(gapped.findSubnet('192.168.0.131')).toBeUndefined();
  });

  it('mixed sizes: the /27 holding the address, and a /6', () => {
    const [index, s] = make('192.0.0.0/255.128.0.0', '192.169.0.0/255.255.0.0', '192.168.0.0/255.255.255.192', '192.168.0.64/255.255.255.224',
      '192.168.0.96/255.255.255.224', '192.168.0.128/255.255.255.192', '192.168.0.192/255.255.255.192');
    expect(index.findSubnet('192.168.0.100')).toBe(s[4]);
    const [wide, w] = make('188.0.0.0/252.0.0.0', '196.168.0.0/255.255.255.192', '196.168.0.64/255.255.255.224', '196.168.0.96/255.255.255.224',
      '192.0.0.0/252.0.0.0', '196.168.0.128/255.255.255.192', '196.168.0.192/255.255.255.192');
    expect(wide.findSubnet('192.168.0.100')).toBe(w[4]);
  });

  it('rejects a duplicate network', () => {
    const [index] = make('192.168.0.0/255.255.255.0');
    expect(() => index.addSubnet(createSubnet('192.168.0.0', '255.255.0.0'))).toThrow('Unable to add subnet 192.168.0.0/255.255.0.0');
  });

  it('adds and deletes records in every index', () => {
    const [index, [subnet]] = make('192.168.0.0/255.255.255.0');
    const lease: Lease = { type: 'lease', name: 'lease-001122334455', ip: '192.168.0.1', mac: '00:11:22:33:44:55', subnet, starts: null, ends: null, state: null, options: {} };
    const reservation: Reservation = { type: 'reservation', name: 'test', ip: '192.168.0.1', mac: '00:11:22:33:44:55', subnet, options: {} };
    index.addLease(lease);
    index.addReservation(reservation);
    expect(index.findLeaseByIp('192.168.0.0', '192.168.0.1')).toBe(lease);
    expect(index.findLeaseByMac('192.168.0.0', '00:11:22:33:44:55')).toBe(lease);
    expect(index.findReservationsByIp('192.168.0.0', '192.168.0.1')).toEqual([reservation]);
    expect(index.findReservationByMac('192.168.0.0', '00:11:22:33:44:55')).toBe(reservation);
    expect(index.findReservationByName('test')).toBe(reservation);
    index.deleteLease(lease);
    index.deleteReservation(reservation);
    expect(index.size()).toEqual({ subnets: 1, reservations: 0, leases: 0 });
    expect(index.findReservationByName('test')).toBeUndefined();
  });
});

describe('writes confirmed by the DHCP server (F4)', () => {
  const reservation = (state: IscState, ip: string, mac: string, name = 'new.example.com'): Reservation => ({
    type: 'reservation', name, ip, mac, subnet: state.index.findSubnet(ip) as Subnet,
    options: { deleteable: true, hostname: name, hardware_type: 'ethernet' },
  });

  it('addReservation shows the host at once and replaces the one with the same MAC; removeReservation drops it', () => {
    const state = withSubnet('192.168.122.0', fixture('dhcp.leases'));
    const before = state.index.allReservations().length;
    state.addReservation(reservation(state, '192.168.122.150', 'aa:bb:cc:dd:ee:01'));
    expect(state.index.findReservationsByIp('192.168.122.0', '192.168.122.150').map((r) => r.name)).toEqual(['new.example.com']);
    state.addReservation(reservation(state, '192.168.122.151', 'aa:bb:cc:dd:ee:01'));
    expect(state.index.findReservationsByIp('192.168.122.0', '192.168.122.150')).toEqual([]);
    expect(state.index.allReservations()).toHaveLength(before + 1);
    // dhcpd then appends the same host to the leases file: applying it changes nothing visible.
    state.applyRecords(parseLeases('host new.example.com { dynamic; hardware ethernet aa:bb:cc:dd:ee:01; fixed-address 192.168.122.151; }').records);
    expect(state.index.allReservations()).toHaveLength(before + 1);
    const stored = state.index.findReservationByMac('192.168.122.0', 'aa:bb:cc:dd:ee:01') as Reservation;
    state.removeReservation({ ...stored });
    expect(state.index.findReservationByMac('192.168.122.0', 'aa:bb:cc:dd:ee:01')).toBeUndefined();
    expect(state.index.findReservationByName('new.example.com')).toBeUndefined();
    // …and the deleted stanza dhcpd appends afterwards is harmless.
    state.applyRecords(parseLeases('host new.example.com { dynamic; deleted; }').records);
    expect(state.index.allReservations()).toHaveLength(before);
  });

  it('writes made while a full reload is built are replayed onto the reloaded index', () => {
    const state = withSubnet('192.168.122.0', '');
    state.beginRebuild();
    state.addReservation(reservation(state, '192.168.122.150', 'aa:bb:cc:dd:ee:01'));
    const fresh = state.spawnEmpty();
    fresh.loadConfig(parseConfig('subnet 192.168.122.0 netmask 255.255.255.0 {}'));
    fresh.applyRecords(parseLeases('host old { dynamic; hardware ethernet aa:bb:cc:dd:ee:02; fixed-address 192.168.122.152; }').records);
    state.removeReservation(reservation(state, '192.168.122.152', 'aa:bb:cc:dd:ee:02', 'old'));
    state.adopt(fresh);
    expect(state.index).toBe(fresh.index);
    const names = state.index.allReservations().map((r) => r.name);
    expect(names).toEqual(['new.example.com']);
    expect(state.index.allReservations()[0].subnet).toBe(state.index.subnets()[0]);
  });
});
