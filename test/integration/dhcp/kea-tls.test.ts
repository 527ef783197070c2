/**
 * dhcp_kea's connection settings against a real Kea 2.2 Control Agent serving HTTPS with a
 * required client certificate and basic auth: ca_file, client_cert, client_key, username and
 * password work; a wrong password, an untrusted server or a missing client certificate are
 * reported clearly instead of being taken for data.
 */
import request from 'supertest';
import { logBuffer } from '../../../src/core/log';
import { makeTestPki, TestPki } from '../../support/certs';
import { textBody } from '../../support/dhcp-app';
import { KeaInstance, startKea } from '../../support/kea';
import { keaTestApp, KeaTestApp } from '../../support/kea-app';
import { randomTestLan } from '../../support/netns';

jest.setTimeout(90_000);

const USER = 'foreman';
const PASSWORD = 'tls-test-password';

let kea: KeaInstance;
let pki: TestPki;
const lan = randomTestLan();
const net = lan.network;
const ip = lan.ip;
const apps: KeaTestApp[] = [];

async function app(settings: Record<string, unknown>): Promise<KeaTestApp> {
  delete logBuffer().failedModules.dhcp;
  const a = await keaTestApp({ url: kea.url, timeout: 5, ...settings });
  apps.push(a);
  return a;
}

/** Why the dhcp module failed to start, as /logs reports it. */
const failure = () => logBuffer().failedModules.dhcp ?? '';

beforeAll(async () => {
  kea = await startKea({
    subnet: lan.cidr,
    serverIp: ip(1),
    prefix: 'keatls',
    auth: { user: USER, password: PASSWORD },
    subnetExtra: { pools: [{ pool: `${ip(100)} - ${ip(110)}` }] },
    tls: (agentHost) => {
      pki = makeTestPki(`IP:${agentHost}`);
      return { caFile: pki.caCert, certFile: pki.serverCert, keyFile: pki.serverKey, requireClientCert: true };
    },
  });
});

afterAll(async () => {
  for (const a of apps) await a.stop();
  await kea?.stop();
  pki?.cleanup();
});

test('HTTPS with the CA, a client certificate and basic auth: reads and writes work', async () => {
  expect(kea.url).toMatch(/^https:/);
  const a = await app({ username: USER, password: PASSWORD, ca_file: pki.caCert, client_cert: pki.clientCert, client_key: pki.clientKey });
  expect([a.dhcp.state, failure()]).toEqual(['running', '']);
  const list = await request(a.listener).get('/dhcp').buffer(true).parse(textBody);
  expect(JSON.parse(list.body)).toEqual([{ network: net, netmask: '255.255.255.0', options: { range: [ip(100), ip(110)] } }]);
  const add = await request(a.listener).post(`/dhcp/${net}`).type('form')
    .send(`hostname=tls.example.com&mac=52:54:00:77:00:01&ip=${ip(20)}`).buffer(true).parse(textBody);
  expect([add.status, add.body]).toEqual([200, '']);
  expect(kea.readDhcp4Conf().Dhcp4.subnet4[0].reservations.map((r: any) => r['hw-address'])).toEqual(['52:54:00:77:00:01']);
});

test('a wrong password fails the module at start with Kea\'s answer', async () => {
  const a = await app({ username: USER, password: 'wrong', ca_file: pki.caCert, client_cert: pki.clientCert, client_key: pki.clientKey });
  expect(a.dhcp.state).toBe('failed');
  expect(failure()).toBe(`Disabling all modules in the group ['dhcp_kea', 'dhcp'] due to a failure in one of them: Kea at ${kea.url}: HTTP 401 Unauthorized`);
  const features = a.registry.v2Features() as Record<string, any>;
  expect(features.dhcp.state).toBe('failed');
});

test('a server certificate from an untrusted CA fails the module with a TLS error', async () => {
  const a = await app({ username: USER, password: PASSWORD, ca_file: pki.otherCaCert, client_cert: pki.clientCert, client_key: pki.clientKey });
  expect(a.dhcp.state).toBe('failed');
  expect(failure()).toMatch(/: Kea at https:.*: TLS error talking to Kea: self-signed certificate in certificate chain$/);
});

test('without the client certificate Kea requires, the module fails with the TLS alert', async () => {
  const a = await app({ username: USER, password: PASSWORD, ca_file: pki.caCert });
  expect(a.dhcp.state).toBe('failed');
  expect(failure()).toMatch(/TLS error talking to Kea: .*alert certificate required/);
});

test('settings are validated: a URL without http(s), a client certificate without its key', async () => {
  const noScheme = await app({ url: 'kea.example.com:8000' });
  expect(noScheme.dhcp.state).toBe('failed');
  expect(failure()).toMatch(/: Setting 'url' is expected to be an http:\/\/ or https:\/\/ URL$/);
  const halfPair = await app({ ca_file: pki.caCert, client_cert: pki.clientCert });
  expect(halfPair.dhcp.state).toBe('failed');
  expect(failure()).toMatch(/: Settings 'client_cert' and 'client_key' must be set together$/);
});
