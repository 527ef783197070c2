/**
 * dhcp_kea's host_cmds path, which Debian's Kea 2.2 cannot exercise (the hook was a paid add-on
 * until Kea 2.7.7/3.0): a fake Control Agent on loopback answers like a Kea with host_cmds, and
 * the test checks which commands the provider sends for each Kea version and configuration.
 */
import request from 'supertest';
import { logBuffer } from '../../../src/core/log';
import { textBody } from '../../support/dhcp-app';
import { agentState, FakeAgent, HOST_CMDS, LEASE_CMDS, startFakeAgent } from '../../support/kea-agent-fake';
import { keaTestApp, KeaTestApp } from '../../support/kea-app';
import { decideWriteMode, versionAtLeast } from '../../../src/modules/dhcp/providers/kea/provider';

let agent: FakeAgent;
let url: string;
let app: KeaTestApp;

function reset(version: string, hostCmds: boolean, dhcp4Extra: Record<string, any> = {}): void {
  agent.state = agentState(version, hostCmds, dhcp4Extra);
}

beforeAll(async () => {
  agent = await startFakeAgent();
  url = agent.url;
});
afterEach(() => app?.stop());
afterAll(() => agent.close());

const writes = () => agent.writes();
const post = (body: string) => request(app.listener).post('/dhcp/192.168.50.0').type('form').send(body).buffer(true).parse(textBody);

test('write mode: host_cmds only where Kea can store the reservation with it', () => {
  expect(versionAtLeast('2.7.7', [2, 7, 7])).toBe(true);
  expect(versionAtLeast('3.0.1', [2, 7, 7])).toBe(true);
  expect(versionAtLeast('2.6.3', [2, 7, 7])).toBe(false);
  expect(decideWriteMode(HOST_CMDS, '3.0.1', false)).toEqual({ hostCmds: true, target: 'primary', paged: false, version: '3.0.1' });
  expect(decideWriteMode([...HOST_CMDS, 'reservation-get-page'], '2.2.0', true)).toEqual({ hostCmds: true, paged: true, version: '2.2.0' });
  expect(decideWriteMode(HOST_CMDS, '2.2.0', false)).toEqual({ hostCmds: false, version: '2.2.0' });
  expect(decideWriteMode([], '3.0.1', false)).toEqual({ hostCmds: false, version: '3.0.1' });
});

test('Kea 3.0 with host_cmds: reservation-add/-del on the configuration, then config-write; reads by reservation-get-all', async () => {
  reset('3.0.1', true);
  app = await keaTestApp({ url });
  expect(app.dhcp.state).toBe('running');
  const res = await post('hostname=h1.example.com&mac=52:54:00:00:50:01&ip=192.168.50.10&filename=http://192.168.50.1/boot.efi&nextServer=192.168.50.1');
  expect([res.status, res.body]).toEqual([200, '']);
  expect(writes()).toEqual(['reservation-add', 'config-write']);
  const add = agent.state.received.find((r) => r.command === 'reservation-add')!;
  expect(add.arguments).toMatchObject({
    'operation-target': 'primary',
    reservation: {
      'subnet-id': 5, 'hw-address': '52:54:00:00:50:01', 'ip-address': '192.168.50.10', hostname: 'h1.example.com',
      'next-server': '192.168.50.1', 'boot-file-name': 'http://192.168.50.1/boot.efi',
      'option-data': [{ name: 'vendor-class-identifier', data: 'HTTPClient', 'always-send': true }],
    },
  });

  const back = await request(app.listener).get('/dhcp/192.168.50.0/mac/52:54:00:00:50:01').buffer(true).parse(textBody);
  expect(JSON.parse(back.body)).toEqual({
    name: 'h1.example.com', ip: '192.168.50.10', mac: '52:54:00:00:50:01', subnet: '192.168.50.0/255.255.255.0', type: 'reservation',
    deleteable: true, hostname: 'h1.example.com', filename: 'http://192.168.50.1/boot.efi', nextServer: '192.168.50.1',
  });
  expect(agent.state.received.some((r) => r.command === 'reservation-get-all' && r.arguments['subnet-id'] === 5)).toBe(true);

  // Identical re-POST: nothing sent; a conflicting one: 409 before Kea is asked.
  expect((await post('hostname=h1.example.com&mac=52:54:00:00:50:01&ip=192.168.50.10&filename=http://192.168.50.1/boot.efi&nextServer=192.168.50.1')).status).toBe(200);
  expect((await post('hostname=h2&mac=52:54:00:00:50:02&ip=192.168.50.10')).status).toBe(409);
  expect(writes()).toEqual(['reservation-add', 'config-write']);

  const del = await request(app.listener).delete('/dhcp/192.168.50.0/mac/52:54:00:00:50:01');
  expect(del.status).toBe(200);
  expect(writes()).toEqual(['reservation-add', 'config-write', 'reservation-del', 'config-write']);
  expect(agent.state.received.find((r) => r.command === 'reservation-del')!.arguments).toEqual({
    'subnet-id': 5, 'identifier-type': 'hw-address', identifier: '52:54:00:00:50:01', 'operation-target': 'primary',
  });
  expect(agent.state.hosts).toEqual([]);
});

test('host_cmds with a hosts database: the default target (the database), no config-write', async () => {
  reset('2.2.0', true, { 'hosts-databases': [{ type: 'postgresql', name: 'kea' }] });
  app = await keaTestApp({ url });
  expect((await post('hostname=db.example.com&mac=52:54:00:00:50:03&ip=192.168.50.12')).status).toBe(200);
  expect(writes()).toEqual(['reservation-add']);
  expect(agent.state.received.find((r) => r.command === 'reservation-add')!.arguments['operation-target']).toBeUndefined();
});

test('Kea 2.2 with the paid host_cmds but no hosts database: the configuration is edited instead', async () => {
  reset('2.2.0', true);
  app = await keaTestApp({ url });
  expect((await post('hostname=cfg.example.com&mac=52:54:00:00:50:04&ip=192.168.50.13')).status).toBe(200);
  expect(writes()).toEqual(['config-set', 'config-write']);
  expect(agent.state.dhcp4.subnet4[0].reservations.map((r: any) => r['hw-address'])).toEqual(['52:54:00:00:50:04']);
});

test('with reservation-get-page, reservations are read in pages of 500 until Kea answers "empty"', async () => {
  reset('3.0.1', true);
  agent.state.paged = true;
  agent.state.hosts = Array.from({ length: 1201 }, (_, i) => ({
    'subnet-id': 5, 'hw-address': `52:54:00:01:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    'ip-address': `192.168.50.${(i % 250) + 1}`, hostname: `h${i}`,
  }));
  app = await keaTestApp({ url });
  const res = await request(app.listener).get('/dhcp/192.168.50.0').buffer(true).parse(textBody);
  expect(JSON.parse(res.body).reservations).toHaveLength(1201);
  const pages = agent.state.received.filter((r) => r.command === 'reservation-get-page').map((r) => r.arguments.from ?? 0);
  expect(pages).toEqual([0, 500, 1000, 1201]);
  expect(agent.state.received.some((r) => r.command === 'reservation-get-all')).toBe(false);
});

test('no lease_cmds hook: the module does not start, and says which hook is missing', async () => {
  reset('2.2.0', false);
  const original = LEASE_CMDS.splice(0);
  try {
    app = await keaTestApp({ url });
  } finally {
    LEASE_CMDS.push(...original);
  }
  expect(app.dhcp.state).toBe('failed');
  expect(logBuffer().failedModules.dhcp).toMatch(/: Kea's dhcp4 has no lease commands: load the lease_cmds hook \(libdhcp_lease_cmds\.so\)$/);
});
