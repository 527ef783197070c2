import * as http from 'http';
import type { AddressInfo } from 'net';
import {
  KeaClient, KeaCommandError, KeaHttpError, KeaProtocolError, KeaUnreachableError, KeaUnsupportedError, parseKeaAnswer,
} from '../../../src/modules/dhcp/providers/kea/kea-client';

describe('parseKeaAnswer (texts as Kea 2.2 sends them)', () => {
  test('result 0 and 3 resolve with text and arguments', () => {
    expect(parseKeaAnswer('config-write', 200, '[ { "arguments": { "size": 5808 }, "result": 0, "text": "Configuration written" } ]'))
      .toEqual({ result: 0, text: 'Configuration written', arguments: { size: 5808 } });
    expect(parseKeaAnswer('lease4-get', 200, '[ { "result": 3, "text": "Lease not found." } ]'))
      .toEqual({ result: 3, text: 'Lease not found.', arguments: undefined });
  });

  test('result 1 is a KeaCommandError with Kea\'s text', () => {
    const body = '[ { "result": 1, "text": "boot file length must not exceed 127 (<wire>:0:3973)" } ]';
    expect(() => parseKeaAnswer('config-test', 200, body)).toThrow(KeaCommandError);
    expect(() => parseKeaAnswer('config-test', 200, body)).toThrow('boot file length must not exceed 127 (<wire>:0:3973)');
  });

  test('result 2 is a KeaUnsupportedError', () => {
    const body = '[ { "result": 2, "text": "\'reservation-add\' command not supported." } ]';
    let error: unknown;
    try {
      parseKeaAnswer('reservation-add', 200, body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeaUnsupportedError);
    expect((error as KeaUnsupportedError).command).toBe('reservation-add');
  });

  test('the agent reporting the daemon offline is KeaUnreachableError', () => {
    const body = '[ { "result": 1, "text": "unable to forward command to the dhcp4 service: No such file or directory. The server is likely to be offline" } ]';
    expect(() => parseKeaAnswer('config-get', 200, body)).toThrow(KeaUnreachableError);
  });

  test('HTTP errors keep their status (the agent answers 401 with an object)', () => {
    let error: unknown;
    try {
      parseKeaAnswer('version-get', 401, '{ "result": 401, "text": "Unauthorized" }');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeaHttpError);
    expect((error as KeaHttpError).status).toBe(401);
    expect((error as Error).message).toBe('HTTP 401 Unauthorized');
  });

  test('garbage is a KeaProtocolError', () => {
    expect(() => parseKeaAnswer('config-get', 200, '<html>')).toThrow(KeaProtocolError);
    expect(() => parseKeaAnswer('config-get', 200, '[]')).toThrow(KeaProtocolError);
    expect(() => parseKeaAnswer('config-get', 200, '[{"result": 7}]')).toThrow(KeaProtocolError);
  });
});

describe('KeaClient over HTTP', () => {
  let server: http.Server;
  let url: string;
  const seen: { headers: http.IncomingHttpHeaders; body: any }[] = [];
  let delayMs = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: JSON.parse(body) });
        setTimeout(() => {
          res.setHeader('Content-Type', 'application/json');
          res.end('[ { "result": 0, "text": "ok", "arguments": {"x": 1} } ]');
        }, delayMs);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('POSTs the command for the configured service, with basic auth', async () => {
    const client = new KeaClient({ url, username: 'foreman', password: 's3cret', timeoutMs: 2000, service: 'dhcp4' });
    const answer = await client.command('config-test', { Dhcp4: {} });
    client.close();
    expect(answer).toEqual({ result: 0, text: 'ok', arguments: { x: 1 } });
    const last = seen[seen.length - 1];
    expect(last.body).toEqual({ command: 'config-test', service: ['dhcp4'], arguments: { Dhcp4: {} } });
    expect(last.headers.authorization).toBe(`Basic ${Buffer.from('foreman:s3cret').toString('base64')}`);
    expect(last.headers['content-type']).toBe('application/json');
  });

  test('no arguments member when none are given; no Authorization without a user', async () => {
    const client = new KeaClient({ url, timeoutMs: 2000, service: 'dhcp4' });
    await client.command('config-write');
    client.close();
    const last = seen[seen.length - 1];
    expect(last.body).toEqual({ command: 'config-write', service: ['dhcp4'] });
    expect(last.headers.authorization).toBeUndefined();
  });

  test('a slow answer times out as KeaUnreachableError', async () => {
    delayMs = 500;
    const client = new KeaClient({ url, timeoutMs: 100, service: 'dhcp4' });
    await expect(client.command('config-get')).rejects.toThrow(new KeaUnreachableError('no answer within 0.1 s'));
    client.close();
    delayMs = 0;
  });

  test('nothing listening is KeaUnreachableError', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = new KeaClient({ url: `http://127.0.0.1:${port}/`, timeoutMs: 2000, service: 'dhcp4' });
    await expect(client.command('config-get')).rejects.toBeInstanceOf(KeaUnreachableError);
    client.close();
  });

  test('only http and https URLs', () => {
    expect(() => new KeaClient({ url: 'ftp://x/', timeoutMs: 1, service: 'dhcp4' })).toThrow('Kea URL must be http:// or https://');
  });
});
