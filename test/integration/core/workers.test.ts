import * as fs from 'fs';
import * as path from 'path';
import { makeTestPki, TestPki } from '../../support/certs';
import { rawRequest } from '../../support/raw-http';
import { ProxyProcess, ProxyTree, startProxyTree, waitFor } from '../../support/process';

/*
 * The proxy as operators run it, with two processes on the public sockets (`:workers: 2`):
 * whichever process accepts a connection, answers and authorization must be the same.
 */
let dir: string;
let pki: TestPki;
const port = 30000 + Math.floor(Math.random() * 10000);
let tree: ProxyTree;
let proc: ProxyProcess;

beforeAll(async () => {
  pki = makeTestPki();
  tree = await startProxyTree('sp-workers-', [
    `:http_port: ${port}`, `:https_port: ${port + 1}`, ':bind_host: 127.0.0.1', ':workers: 2',
    `:ssl_certificate: ${pki.serverCert}`, `:ssl_private_key: ${pki.serverKey}`, `:ssl_ca_file: ${pki.caCert}`, ':trusted_hosts: [client.example.com]',
  ], 2);
  ({ dir, proc } = tree);
}, 30_000);

afterAll(async () => {
  await tree.stop();
  pki.cleanup();
});

const http = `http://127.0.0.1:${port}`;
const https = `https://127.0.0.1:${port + 1}`;
const tls = (withCert: boolean) => ({
  ca: fs.readFileSync(pki.caCert),
  ...(withCert ? { cert: fs.readFileSync(pki.clientCert), key: fs.readFileSync(pki.clientKey) } : {}),
});

/** PIDs whose parent is `pid`, from /proc. */
function childrenOf(pid: number): string[] {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid);
    } catch {
      return false;
    }
  });
}

describe('two serving processes', () => {
  test('two processes serve: the primary and one worker', () => {
    expect(childrenOf(proc.child.pid!)).toHaveLength(1);
  });

  test('every connection gets the same authorization answers (fresh connection each time)', async () => {
    for (let i = 0; i < 16; i++) {
      const none = await rawRequest(https, '/v2/features', { tls: tls(false) });
      expect([none.status, none.body.toString()]).toEqual([403, 'could not read client cert from environment']);
      const denied = await rawRequest(http, '/v2/features');
      expect(denied.status).toBe(403);
      expect(denied.body.toString()).toMatch(/^Untrusted client .* attempted to access \/features/);
      const file = await rawRequest(https, '/httpboot/a.cfg', { tls: tls(false) });
      expect([file.status, file.body.toString()]).toEqual([200, 'A']);
    }
  }, 30_000);

  test('a forged forwarding header from a client is not trusted', async () => {
    const forged = Buffer.from(JSON.stringify({ https: false, peer: '127.0.0.1', cert: { subject: { CN: 'x' } }, scheme: 'https' })).toString('base64');
    for (let i = 0; i < 8; i++) {
      const res = await rawRequest(http, '/v2/features', { headers: { 'X-Smart-Proxy-Forwarded-Client': `guess ${forged}` } });
      expect(res.status).toBe(403);
    }
  });

  test('requests served by either process reach the /logs ring and the log file', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `cafe${String(i).padStart(4, '0')}`);
    for (const id of ids) await rawRequest(http, '/httpboot/a.cfg', { headers: { 'X-Request-Id': `${id}-x` } });
    await waitFor(() => ids.every((id) => fs.readFileSync(path.join(dir, 'proxy.log'), 'utf8').includes(`${id} [I] Started GET /httpboot/a.cfg`)), 5_000, 'log lines');
    await waitFor(async () => {
      const res = await rawRequest(https, '/logs', { tls: tls(true) });
      const seen = new Set(JSON.parse(res.body.toString()).logs.filter((e: { message: string }) => e.message.startsWith('Started GET /httpboot/a.cfg')).map((e: { request_id: string }) => e.request_id));
      return ids.every((id) => seen.has(id));
    }, 5_000, 'ring entries');
    const good = await rawRequest(https, '/v2/features', { tls: tls(true) });
    expect(good.status).toBe(200);
  });

  test('a worker does not outlive its primary: killed with SIGKILL, the port is free again', async () => {
    const [worker] = childrenOf(proc.child.pid!);
    expect(worker).toBeDefined();
    proc.child.kill('SIGKILL');
    await proc.exited;
    await waitFor(() => !fs.existsSync(`/proc/${worker}`), 5_000, 'the worker to exit');
    const after = await rawRequest(http, '/httpboot/a.cfg').then(() => 'answered', (err: Error) => err.message);
    expect(after).toMatch(/ECONNREFUSED/);
  });
});
