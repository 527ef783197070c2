/**
 * dhcp_kea's two write failures that have their own status codes (docs/dhcp-kea.md "Changes behind
 * the proxy's back"), through the routes: the configuration changing behind the proxy's back
 * during every attempt (503, nothing written) and config-write failing after config-set (500, the
 * change is live). A fake Control Agent (Kea 2.2 without host_cmds: the configuration is edited)
 * produces both on demand, which a real Kea cannot.
 */
import request from 'supertest';
import { textBody } from '../../support/dhcp-app';
import { agentState, FakeAgent, startFakeAgent } from '../../support/kea-agent-fake';
import { keaTestApp, KeaTestApp } from '../../support/kea-app';

const NET = '192.168.50.0';
const MAC = '52:54:00:00:50:01';
const KEPT = { 'hw-address': '52:54:00:00:50:09', 'ip-address': '192.168.50.19', hostname: 'kept.example.com' };
const WRITE_REFUSED = 'Unable to open file /etc/kea/kea-dhcp4.conf for writing';

let agent: FakeAgent;
let app: KeaTestApp;

beforeAll(async () => {
  agent = await startFakeAgent();
});
beforeEach(async () => {
  agent.state = agentState('2.2.0', false);
  agent.state.dhcp4.subnet4[0].reservations.push({ ...KEPT });
  app = await keaTestApp({ url: agent.url });
  expect(app.dhcp.state).toBe('running');
});
afterEach(() => app.stop());
afterAll(() => agent.close());

const post = () => request(app.listener).post(`/dhcp/${NET}`).type('form').send(`hostname=h1.example.com&mac=${MAC}&ip=192.168.50.10`)
  .buffer(true).parse(textBody);
const del = () => request(app.listener).delete(`/dhcp/${NET}/mac/${KEPT['hw-address']}`).buffer(true).parse(textBody);
const reservedMacs = () => agent.state.dhcp4.subnet4[0].reservations.map((r: any) => r['hw-address']);

/** Someone else edits Kea's configuration between every two reads of it. */
function changeOnEveryRead(): void {
  let edits = 0;
  agent.state.override = (command, _args, s) => {
    if (command === 'config-get') s.dhcp4['user-context'] = { 'edited-by-someone-else': ++edits };
    return undefined;
  };
}

function failConfigWrite(): void {
  agent.state.override = (command) => (command === 'config-write' ? { result: 1, text: WRITE_REFUSED } : undefined);
}

describe('the configuration changes behind the proxy\'s back during each of the 3 attempts: 503, nothing written', () => {
  test('POST', async () => {
    changeOnEveryRead();
    const res = await post();
    expect([res.status, res.body]).toEqual([503, `Failed to add DHCP reservation for h1.example.com (192.168.50.10 / ${MAC}): `
      + "Kea's configuration was changed by someone else during each of 3 attempts; nothing was written"]);
    expect(agent.writes()).toEqual([]);
    expect(reservedMacs()).toEqual([KEPT['hw-address']]);
  });

  test('DELETE', async () => {
    changeOnEveryRead();
    const res = await del();
    expect([res.status, res.body]).toEqual([503, `Failed to remove DHCP reservation for kept.example.com => kept.example.com (192.168.50.19 / ${KEPT['hw-address']}): `
      + "Kea's configuration was changed by someone else during each of 3 attempts; nothing was written"]);
    expect(agent.writes()).toEqual([]);
    expect(reservedMacs()).toEqual([KEPT['hw-address']]);
  });
});

describe('config-write fails after config-set: 500, the change is live; a retry is a 200', () => {
  test('POST', async () => {
    failConfigWrite();
    const res = await post();
    expect([res.status, res.body]).toEqual([500, `Failed to add DHCP reservation for h1.example.com (192.168.50.10 / ${MAC}): `
      + `the change is active in Kea but config-write failed: ${WRITE_REFUSED}`]);
    expect(agent.writes()).toEqual(['config-set', 'config-write']);
    expect(reservedMacs()).toEqual([KEPT['hw-address'], MAC]);
    agent.state.override = undefined;
    const again = await post();
    expect([again.status, again.body]).toEqual([200, '']);
  });

  test('DELETE', async () => {
    failConfigWrite();
    const res = await del();
    expect([res.status, res.body]).toEqual([500, `Failed to remove DHCP reservation for kept.example.com => kept.example.com (192.168.50.19 / ${KEPT['hw-address']}): `
      + `the change is active in Kea but config-write failed: ${WRITE_REFUSED}`]);
    expect(reservedMacs()).toEqual([]);
    agent.state.override = undefined;
    expect((await del()).status).toBe(200);
  });
});
