/**
 * dhcp_kea when Kea has never answered since the proxy started (nothing listens on its URL):
 * the module still starts (Kea may come up later), and every request says why it cannot work.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { textBody } from '../../support/dhcp-app';
import { keaTestApp, KeaTestApp } from '../../support/kea-app';

let app: KeaTestApp;
let url: string;

beforeAll(async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
  await new Promise<void>((r) => closed.close(() => r()));
  app = await keaTestApp({ url, timeout: 2 });
});
afterAll(() => app?.stop());

test('the module starts', () => {
  expect(app.dhcp.state).toBe('running');
});

test('reads answer 400 "No response from DHCP server" with the reason', async () => {
  const res = await request(app.listener).get('/dhcp').buffer(true).parse(textBody);
  expect(res.status).toBe(400);
  expect(res.body).toMatch(/^No response from DHCP server \(Kea: connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
});

test('a POST is refused the same way, before anything could be written', async () => {
  const res = await request(app.listener).post('/dhcp/10.0.0.0').type('form').send('hostname=a&mac=52:54:00:00:00:01&ip=10.0.0.5')
    .buffer(true).parse(textBody);
  expect(res.status).toBe(400);
  expect(res.body).toMatch(/^No response from DHCP server \(Kea: connect ECONNREFUSED/);
});

test('a DELETE of an unknown subnet stays a 200 only when the subnet is known to be absent: here it is a 400', async () => {
  const res = await request(app.listener).delete('/dhcp/10.0.0.0/mac/52:54:00:00:00:01').buffer(true).parse(textBody);
  expect(res.status).toBe(400);
  expect(res.body).toMatch(/^No response from DHCP server/);
});
