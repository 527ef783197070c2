/**
 * The dhcp_isc provider over the fixture state with a scripted OMAPI client: what is sent,
 * the state after a confirmed write (F4), the baseline's error texts, and that a failed write
 * changes nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { logBuffer } from '../../../src/core/log';
import { FreeIps } from '../../../src/modules/dhcp/free-ips';
import { LocalOfferedAddresses } from '../../../src/modules/dhcp/offered-addresses';
import { DhcpError } from '../../../src/modules/dhcp/provider';
import { OmapiError } from '../../../src/modules/dhcp/providers/isc/omapi/errors';
import type { HostAttributes, HostSpec } from '../../../src/modules/dhcp/providers/isc/omapi/messages';
import { parseConfig } from '../../../src/modules/dhcp/providers/isc/parser/conf';
import { parseLeases } from '../../../src/modules/dhcp/providers/isc/parser/leases';
import { IscDhcpProvider, IscOmapi } from '../../../src/modules/dhcp/providers/isc/provider';
import { IscState } from '../../../src/modules/dhcp/providers/isc/state';
import { recordToJson } from '../../../src/modules/dhcp/records-json';
import { DhcpService } from '../../../src/modules/dhcp/service';

const FIXTURES = path.join(__dirname, '../../..', '..', 'shared', 'fixtures', 'isc');
const NET = '192.168.122.0';

class ScriptedOmapi implements IscOmapi {
  readonly sent: { op: 'create' | 'delete'; arg: HostSpec | string }[] = [];
  /** Failures for the next calls, in order (undefined = success). */
  failures: (Error | undefined)[] = [];

  async createHost(host: HostSpec): Promise<HostAttributes> {
    this.sent.push({ op: 'create', arg: host });
    const f = this.failures.shift();
    if (f) throw f;
    return { handle: 1, name: host.name, ip: host.ip, mac: host.mac };
  }

  async deleteHostByMac(mac: string): Promise<void> {
    this.sent.push({ op: 'delete', arg: mac });
    const f = this.failures.shift();
    if (f) throw f;
  }
}

function setup() {
  const state = new IscState(undefined, { now: () => new Date('2026-11-25T10:56:12Z') });
  state.loadConfig(parseConfig(fs.readFileSync(path.join(FIXTURES, 'dhcp_subnets.conf'), 'utf8')));
  state.applyRecords(parseLeases(fs.readFileSync(path.join(FIXTURES, 'dhcp.leases'), 'utf8')).records);
  const omapi = new ScriptedOmapi();
  let writes = 0;
  const provider = new IscDhcpProvider({
    state, omapi, blacklistDurationSeconds: 1800, afterWrite: () => writes++, resolveName: async () => null,
  });
  const service = new DhcpService(provider, new FreeIps({ store: new LocalOfferedAddresses(), ttlSeconds: 1800, ping: false, prober: { isAlive: async () => false } }));
  const snapshot = () => JSON.stringify(state.index.allReservations(NET).map(recordToJson));
  return { state, omapi, provider, service, snapshot, writes: () => writes };
}

/** Messages of the ERROR lines in the /logs ring. */
const errorLines = () => logBuffer().entries().filter((e) => e.level === 'ERROR').map((e) => e.message);

async function failure(p: Promise<unknown>): Promise<DhcpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DhcpError);
    return e as DhcpError;
  }
  throw new Error('expected a failure');
}

const NEW_HOST = {
  hostname: 'new-host.example.com', name: 'new-host.example.com', ip: '192.168.122.77', mac: 'aa:bb:cc:dd:ee:01',
  network: NET, filename: 'pxelinux.0', nextServer: '192.168.122.251',
};

describe('dhcp_isc provider: create', () => {
  it('sends the baseline statements, then shows the host at once (F4)', async () => {
    const t = setup();
    await expect(t.service.addRecord({ ...NEW_HOST })).resolves.toBe('created');
    expect(t.omapi.sent).toEqual([{
      op: 'create',
      arg: {
        name: 'new-host.example.com', ip: '192.168.122.77', mac: 'aa:bb:cc:dd:ee:01', hardwareType: 1,
        statements: 'filename = "pxelinux.0"; next-server = c0:a8:7a:fb; option host-name = "new-host.example.com";',
      },
    }]);
    expect(t.writes()).toBe(1);
    const found = await t.service.findRecordByMac(NET, 'aa:bb:cc:dd:ee:01');
    expect(recordToJson(found!)).toEqual({
      name: 'new-host.example.com', ip: '192.168.122.77', mac: 'aa:bb:cc:dd:ee:01', subnet: '192.168.122.0/255.255.255.0',
      type: 'reservation', deleteable: true, hostname: 'new-host.example.com', hardware_type: 'ethernet',
      filename: 'pxelinux.0', nextServer: '192.168.122.251',
    });
    expect((await t.service.findRecordsByIp(NET, '192.168.122.77')).length).toBe(1);
    // A retry of the same POST is a no-op: nothing more is sent.
    await expect(t.service.addRecord({ ...NEW_HOST })).resolves.toBe('already_exists');
    expect(t.omapi.sent.length).toBe(1);
  });

  it('an upper-case MAC is the same host (F12)', async () => {
    const t = setup();
    await t.service.addRecord({ ...NEW_HOST });
    await expect(t.service.addRecord({ ...NEW_HOST, mac: 'AA:BB:CC:DD:EE:01' })).resolves.toBe('already_exists');
    expect(t.omapi.sent.length).toBe(1);
  });

  it('an HTTP boot URL adds option 60 HTTPClient; the read-back host still equals the POST (F3)', async () => {
    const t = setup();
    const url = 'http://192.168.122.1:8000/httpboot/grub2/grubx64.efi';
    await t.service.addRecord({ ...NEW_HOST, filename: url });
    expect((t.omapi.sent[0].arg as HostSpec).statements).toBe(
      `filename = "${url}"; next-server = c0:a8:7a:fb; option host-name = "new-host.example.com"; option vendor-class-identifier "HTTPClient";`,
    );
    // What dhcpd 4.4.3 appends to dhcpd.leases for that host.
    t.state.applyRecords(parseLeases([
      'host new-host.example.com {',
      '  dynamic;',
      '  hardware ethernet aa:bb:cc:dd:ee:01;',
      '  fixed-address 192.168.122.77;',
      `        supersede server.filename = "${url}";`,
      '        supersede server.next-server = c0:a8:7a:fb;',
      '        supersede host-name = "new-host.example.com";',
      '        supersede vendor-class-identifier = "HTTPClient";',
      '}', '',
    ].join('\n')).records);
    const json = recordToJson((await t.service.findRecordByMac(NET, 'aa:bb:cc:dd:ee:01'))!);
    expect(json.vendor_class_identifier).toEqual([['HTTPClient']]);
    await expect(t.service.addRecord({ ...NEW_HOST, filename: url })).resolves.toBe('already_exists');
  });

  it.each([
    ['unreachable', new OmapiError('unreachable', 'Cannot connect to OMAPI server 127.0.0.1:7911: ECONNREFUSED'), 400,
      'Failed to add DHCP reservation for new-host.example.com (192.168.122.77 / aa:bb:cc:dd:ee:01): No response from DHCP server'],
    ['timeout', new OmapiError('timeout', 'OMAPI server 127.0.0.1:7911 did not answer within 10000 ms'), 400,
      'Failed to add DHCP reservation for new-host.example.com (192.168.122.77 / aa:bb:cc:dd:ee:01): No response from DHCP server'],
    ['conflict', new OmapiError('conflict', 'Create host: key conflict', 0x60007), 409, 'Hardware address conflict.'],
    ['exists', new OmapiError('exists', 'Create host: already exists', 18), 400,
      'Failed to add DHCP reservation for new-host.example.com (192.168.122.77 / aa:bb:cc:dd:ee:01): Entry already exists'],
    ['server', new OmapiError('server', 'Create host: parse error', 0x60008), 400,
      'Failed to add DHCP reservation for new-host.example.com (192.168.122.77 / aa:bb:cc:dd:ee:01)'],
  ])('%s: the baseline text, and the state is unchanged', async (_kind, err, status, text) => {
    const t = setup();
    const before = t.snapshot();
    t.omapi.failures = [err];
    const e = await failure(t.service.addRecord({ ...NEW_HOST }));
    expect([e.status ?? 400, e.message]).toEqual([status, text]);
    expect(t.snapshot()).toBe(before);
    expect(t.writes()).toBe(0);
  });

  it('a refused key: the baseline text (omshell only saw a reset connection); the reason is in the ERROR log line', async () => {
    const t = setup();
    const before = t.snapshot();
    t.omapi.failures = [
      new OmapiError('auth', 'OMAPI server 127.0.0.1:7911 refused key "omapi_key" (hmac-md5): OMAPI key unknown to the server', 0x6000a),
      new OmapiError('auth', 'OMAPI reply from 127.0.0.1:7911 has an invalid signature (wrong key secret?)'),
    ];
    const failed = 'Failed to add DHCP reservation for new-host.example.com (192.168.122.77 / aa:bb:cc:dd:ee:01)';
    const first = await failure(t.service.addRecord({ ...NEW_HOST }));
    expect([first.status ?? 400, first.message]).toEqual([400, failed]);
    expect(errorLines()).toContain(`${failed}: OMAPI key refused by the DHCP server: `
      + 'OMAPI server 127.0.0.1:7911 refused key "omapi_key" (hmac-md5): OMAPI key unknown to the server');
    expect((await failure(t.service.addRecord({ ...NEW_HOST }))).message).toBe(failed);
    expect(errorLines()).toContain(`${failed}: OMAPI key refused by the DHCP server: `
      + 'OMAPI reply from 127.0.0.1:7911 has an invalid signature (wrong key secret?)');
    expect(t.snapshot()).toBe(before);

    t.omapi.failures = [new OmapiError('auth', 'Delete host 10:10:10:10:10:10: message signature refused by the server (wrong key secret?)', 0x6000b)];
    const del = await failure(t.service.deleteRecordByMac(NET, '10:10:10:10:10:10'));
    expect(del.message).toBe('Failed to remove DHCP reservation for ten.example.com => ten.example.com (192.168.122.10 / 10:10:10:10:10:10)');
    expect(t.snapshot()).toBe(before);
  });

  it('a value dhcpd cannot store is refused before anything is sent (F13)', async () => {
    const t = setup();
    const before = t.snapshot();
    const e = await failure(t.service.addRecord({ ...NEW_HOST, filename: 'pxe"linux.0' }));
    expect(e.message).toMatch(/^Invalid filename "pxe"linux.0": dhcpd cannot store a double quote/);
    expect(e.status ?? 400).toBe(400);
    const bad = await failure(t.service.addRecord({ ...NEW_HOST, name: 'bad name', hostname: 'bad' }));
    expect(bad.message).toMatch(/^Invalid host name "bad name"/);
    expect(t.omapi.sent).toEqual([]);
    expect(t.snapshot()).toBe(before);
  });
});

describe('dhcp_isc provider: delete', () => {
  it('by MAC: removed from dhcpd, then from the state (F4)', async () => {
    const t = setup();
    await t.service.deleteRecordByMac(NET, '10:10:10:10:10:10');
    expect(t.omapi.sent).toEqual([{ op: 'delete', arg: '10:10:10:10:10:10' }]);
    expect(await t.service.findRecordByMac(NET, '10:10:10:10:10:10')).toBeUndefined();
    expect(t.writes()).toBe(1);
  });

  it('by IP: every reservation with the IP (F11)', async () => {
    const t = setup();
    await t.service.deleteRecordsByIp(NET, '192.168.122.43');
    expect(t.omapi.sent.map((s) => s.arg)).toEqual(['44:1e:a1:73:36:10', '44:1e:a1:73:36:11']);
    expect(await t.service.findRecordsByIp(NET, '192.168.122.43')).toEqual([]);
  });

  it('by IP, failing on the second: the first is gone, the second stays, the failure is reported', async () => {
    const t = setup();
    t.omapi.failures = [undefined, new OmapiError('unreachable', 'OMAPI server closed the connection')];
    const e = await failure(t.service.deleteRecordsByIp(NET, '192.168.122.43'));
    expect(e.message).toBe('Failed to remove DHCP reservation for bond.example.com-02 => bond.example.com-02 '
      + '(192.168.122.43 / 44:1e:a1:73:36:11): No response from DHCP server');
    expect((await t.service.findRecordsByIp(NET, '192.168.122.43')).map((r) => r.mac)).toEqual(['44:1e:a1:73:36:11']);
  });

  it('unreachable: the captured baseline text, nothing removed', async () => {
    const t = setup();
    const before = t.snapshot();
    t.omapi.failures = [new OmapiError('unreachable', 'Cannot connect')];
    const e = await failure(t.service.deleteRecordByMac(NET, '10:10:10:10:10:10'));
    expect(e.message).toBe('Failed to remove DHCP reservation for ten.example.com => ten.example.com '
      + '(192.168.122.10 / 10:10:10:10:10:10): No response from DHCP server');
    expect(t.snapshot()).toBe(before);
  });

  it('a host dhcpd does not know: the baseline body Proxy::DHCP::InvalidRecord, nothing removed', async () => {
    const t = setup();
    const before = t.snapshot();
    t.omapi.failures = [new OmapiError('not_found', 'Delete host 10:10:10:10:10:10: not found', 23)];
    const e = await failure(t.service.deleteRecordByMac(NET, '10:10:10:10:10:10'));
    expect([e.status ?? 400, e.message]).toEqual([400, 'Proxy::DHCP::InvalidRecord']);
    expect(t.snapshot()).toBe(before);
  });

  it('static hosts and leases are never sent to dhcpd', async () => {
    const t = setup();
    await expect(t.service.deleteRecordsByIp(NET, '192.168.122.1')).rejects.toThrow(
      'test.example.com (192.168.122.1 / 00:11:bb:cc:dd:ee) is static - unable to delete',
    );
    await expect(t.service.deleteRecordByMac(NET, '00:aa:bb:cc:dd:ee')).rejects.toThrow('192.168.122.2 / 00:aa:bb:cc:dd:ee is static - unable to delete');
    expect(t.omapi.sent).toEqual([]);
  });
});

describe('dhcp_isc provider: while the leases file is still being read', () => {
  const gated = () => {
    let open!: () => void;
    let gate = new Promise<void>((resolve) => (open = resolve));
    const t = setup();
    const omapi = new ScriptedOmapi();
    const provider = new IscDhcpProvider({ state: t.state, omapi, blacklistDurationSeconds: 1800, resolveName: async () => null, ready: () => gate });
    const fail = (err: Error) => {
      gate = Promise.reject(err);
      gate.catch(() => undefined);
    };
    return { provider, omapi, open: () => open(), fail };
  };

  it('reads and writes wait for the load, then answer from the loaded state', async () => {
    const g = gated();
    const settled: string[] = [];
    const subnets = g.provider.subnets().then((s) => { settled.push('subnets'); return s; });
    const leases = g.provider.leases(NET).then((l) => { settled.push('leases'); return l; });
    const add = g.provider.addReservation({ type: 'reservation', name: 'h', ip: '192.168.122.78', mac: 'aa:bb:cc:dd:ee:02', subnet: (await setup().provider.findSubnet(NET))!, options: {} })
      .then(() => settled.push('add'));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toEqual([]);
    expect(g.omapi.sent).toEqual([]); // nothing reaches dhcpd before the state is known
    g.open();
    expect((await subnets).length).toBeGreaterThan(0);
    expect((await leases).length).toBeGreaterThan(0);
    await add;
    expect(g.omapi.sent.map((s) => s.op)).toEqual(['create']);
  });

  it('a load that failed fails the request with its reason, and sends nothing', async () => {
    const g = gated();
    g.fail(new Error('The DHCP leases file /x could not be read: EIO'));
    await expect(g.provider.subnets()).rejects.toThrow('could not be read: EIO');
    await expect(g.provider.deleteRecord({ type: 'reservation', name: 'h', ip: '192.168.122.78', mac: 'aa:bb:cc:dd:ee:02', subnet: (await setup().provider.findSubnet(NET))!, options: {} }))
      .rejects.toThrow('could not be read: EIO');
    expect(g.omapi.sent).toEqual([]);
  });
});
