import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { setHostResolver, systemResolver } from '../../../src/core/auth';
import { makeBootTree } from '../../support/boot-tree';
import { issueClientCert, makeTestPki, TestPki } from '../../support/certs';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { spawnProxy, waitFor } from '../../support/process';
import { rawRequest } from '../../support/raw-http';

let pki: TestPki;
let tree: ReturnType<typeof makeBootTree>;

beforeAll(() => {
  pki = makeTestPki();
  tree = makeBootTree();
});
afterAll(() => {
  pki.cleanup();
  tree.cleanup();
});

function ssl(extra: Record<string, unknown> = {}) {
  return {
    http_port: 'auto', https_port: 'auto', ssl_certificate: pki.serverCert, ssl_private_key: pki.serverKey, ssl_ca_file: pki.caCert, ...extra,
  };
}

const modules = () => ({ httpboot: { enabled: true, root_dir: tree.root }, logs: { enabled: 'https' } });

function tlsOpts(client?: 'good' | 'bad') {
  const o: Record<string, unknown> = { ca: fs.readFileSync(pki.caCert) };
  if (client === 'good') Object.assign(o, { cert: fs.readFileSync(pki.clientCert), key: fs.readFileSync(pki.clientKey) });
  if (client === 'bad') Object.assign(o, { cert: fs.readFileSync(pki.badClientCert), key: fs.readFileSync(pki.badClientKey) });
  return o;
}

/** Runs `openssl s_client` against the listener; resolves with its output and exit code. */
function sClient(port: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-ign_eof', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.caCert, ...args],
      { timeout: 10_000 }, (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, out: stdout + stderr }));
    child.stdin!.end('HEAD /features HTTP/1.0\r\n\r\n');
  });
}

describe('HTTPS listener with a test CA (reference §2.3, §2.4, §8)', () => {
  let tp: TestProxy;
  beforeAll(async () => { tp = await startTestProxy(ssl(), modules()); });
  afterAll(() => tp.stop());

  test('HTTP and HTTPS listen at the same time; each exposes only its modules', async () => {
    expect((await rawRequest(tp.http!, '/features')).status).toBe(200);
    expect((await rawRequest(tp.https!, '/features', { tls: tlsOpts() })).status).toBe(200);
    expect((await rawRequest(tp.http!, '/logs')).status).toBe(404);
    expect((await rawRequest(tp.https!, '/logs', { tls: tlsOpts('good') })).status).toBe(200);
  });

  test('public routes answer without a client certificate; protected ones say so', async () => {
    expect((await rawRequest(tp.https!, '/version', { tls: tlsOpts() })).status).toBe(200);
    expect((await rawRequest(tp.https!, '/httpboot/grub2/grub.cfg', { tls: tlsOpts() })).status).toBe(200);
    const v2 = await rawRequest(tp.https!, '/v2/features', { tls: tlsOpts() });
    expect([v2.status, v2.body.toString()]).toEqual([403, 'No client SSL certificate supplied']);
    const logs = await rawRequest(tp.https!, '/logs', { tls: tlsOpts() });
    expect([logs.status, logs.body.toString()]).toEqual([403, 'No client SSL certificate supplied']);
  });

  test('a good client certificate is accepted; v2 reports https_port when HTTPS is configured', async () => {
    const res = await rawRequest(tp.https!, '/v2/features', { tls: tlsOpts('good') });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.httpboot.settings).toEqual({ http_port: Number(new URL(tp.http!).port), https_port: Number(new URL(tp.https!).port) });
    expect(body.logs).toMatchObject({ http_enabled: false, https_enabled: true });
  });

  test('a certificate from another CA is refused at the TLS level, no HTTP answer', async () => {
    await expect(rawRequest(tp.https!, '/v2/features', { tls: tlsOpts('bad') })).rejects.toThrow();
    await expect(rawRequest(tp.https!, '/features', { tls: tlsOpts('bad') })).rejects.toThrow();
  });

  test('UEFI firmware suites: TLS 1.2 with DHE-RSA and with plain RSA key exchange', async () => {
    const port = new URL(tp.https!).port;
    for (const cipher of ['DHE-RSA-AES128-GCM-SHA256', 'AES128-GCM-SHA256', 'AES256-SHA']) {
      const r = await sClient(port, ['-tls1_2', '-cipher', cipher]);
      expect(r.out).toMatch(new RegExp(`Cipher is ${cipher}`));
      expect(r.out).toMatch(/HTTP\/1\.1 200 OK/);
    }
  });

  test('TLS 1.1 is refused; TLS 1.3 works', async () => {
    const old = await sClient(new URL(tp.https!).port, ['-tls1_1']);
    expect(old.out).not.toMatch(/HTTP\/1\.1 200/);
    const v13 = await sClient(new URL(tp.https!).port, ['-tls1_3']);
    expect(v13.out).toMatch(/TLSv1\.3/);
    expect(v13.out).toMatch(/HTTP\/1\.1 200 OK/);
  });
});

describe('TLS policy settings', () => {
  test('ssl_disabled_ciphers removes suites; tls_disabled_versions disables 1.2', async () => {
    const tp = await startTestProxy(ssl({ ssl_disabled_ciphers: ['AES128-GCM-SHA256'], tls_disabled_versions: ['1.3'] }), modules());
    try {
      const port = new URL(tp.https!).port;
      expect((await sClient(port, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).out).not.toMatch(/HTTP\/1\.1 200/);
      expect((await sClient(port, ['-tls1_2', '-cipher', 'AES256-GCM-SHA384'])).out).toMatch(/HTTP\/1\.1 200/);
      expect((await sClient(port, ['-tls1_3'])).out).not.toMatch(/HTTP\/1\.1 200/);
    } finally {
      await tp.stop();
    }
    const only13 = await startTestProxy(ssl({ tls_disabled_versions: ['1.2'] }), modules());
    try {
      expect((await sClient(new URL(only13.https!).port, ['-tls1_2'])).out).not.toMatch(/HTTP\/1\.1 200/);
    } finally {
      await only13.stop();
    }
  });

  test('without the three SSL files only HTTP listens', async () => {
    const tp = await startTestProxy({ http_port: 'auto', ssl_certificate: pki.serverCert }, modules());
    try {
      expect(tp.https).toBeUndefined();
      expect(tp.proxy.listeners.every((l) => l.scheme === 'http')).toBe(true);
    } finally {
      await tp.stop();
    }
  });
});

describe('an unreadable ssl_ca_file trusts no client certificate (reference §1.2, §2.4)', () => {
  // The process trusts another CA system-wide (NODE_EXTRA_CA_CERTS joins Node's built-in roots):
  // with the CA file unreadable, that CA must still not let its certificates through. Run as a
  // separate process because Node reads NODE_EXTRA_CA_CERTS only when it starts; two serving
  // processes (`:workers: 2`), so both the primary's and a worker's TLS setup are exercised.
  const port = 30000 + Math.floor(Math.random() * 10000);
  const https = `https://127.0.0.1:${port + 1}`;
  let proc: ReturnType<typeof spawnProxy>;
  let log: string;

  beforeAll(async () => {
    log = path.join(pki.dir, 'no-ca.log');
    const settings = path.join(pki.dir, 'no-ca.yml');
    fs.writeFileSync(settings, [
      `:http_port: ${port}`, `:https_port: ${port + 1}`, ':bind_host: 127.0.0.1', ':workers: 2', `:log_file: ${log}`,
      `:ssl_certificate: ${pki.serverCert}`, `:ssl_private_key: ${pki.serverKey}`, `:ssl_ca_file: ${pki.dir}/missing-ca.pem`, '',
    ].join('\n'));
    proc = spawnProxy(['--settings', settings], { NODE_EXTRA_CA_CERTS: pki.otherCaCert });
    await waitFor(() => fs.existsSync(log) && /launched on 2 socket/.test(fs.readFileSync(log, 'utf8')), 15_000, 'launch');
  }, 30_000);

  afterAll(async () => {
    proc.child.kill('SIGTERM');
    await proc.exited;
  });

  test('the error is logged and HTTPS still serves clients without a certificate', async () => {
    // The baseline's text, then what it means here.
    expect(fs.readFileSync(log, 'utf8')).toMatch(/\[E\] Unable to read \S+\/missing-ca\.pem\. Are the values correct in settings\.yml and do permissions allow reading\?\n/);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/\[W\] No client certificate will be accepted until \S+\/missing-ca\.pem is readable \(ENOENT/);
    expect((await rawRequest(https, '/features', { tls: tlsOpts() })).status).toBe(200);
    const v2 = await rawRequest(https, '/v2/features', { tls: tlsOpts() });
    expect([v2.status, v2.body.toString()]).toEqual([403, 'No client SSL certificate supplied']);
  });

  test('a certificate from a CA the process trusts system-wide is refused, on every connection', async () => {
    for (let i = 0; i < 6; i++) {
      await expect(rawRequest(https, '/v2/features', { tls: tlsOpts('bad') })).rejects.toThrow();
      await expect(rawRequest(https, '/features', { tls: tlsOpts('bad') })).rejects.toThrow();
    }
  });

  test('so is one from the CA that signed the server certificate: nothing is trusted', async () => {
    await expect(rawRequest(https, '/v2/features', { tls: tlsOpts('good') })).rejects.toThrow();
  });
});

describe('trusted_hosts over HTTPS uses the certificate CN only', () => {
  afterEach(() => setHostResolver(systemResolver));

  test('a certificate of the CA without a CN: 403 with the baseline text under trusted_hosts, accepted without', async () => {
    const noCn = issueClientCert(pki, 'nocn', '/O=Example/OU=provisioning');
    const tls = { ...tlsOpts(), cert: fs.readFileSync(noCn.cert), key: fs.readFileSync(noCn.key) };
    const checked = await startTestProxy(ssl({ trusted_hosts: ['client.example.com'] }), modules());
    try {
      const res = await rawRequest(checked.https!, '/v2/features', { tls });
      expect([res.status, res.body.toString()]).toEqual([403, 'could not read CN from the client certificate']);
    } finally {
      await checked.stop();
    }
    // authorize_with_ssl_client only wants a certificate; the CN matters to trusted_hosts alone.
    const unchecked = await startTestProxy(ssl(), modules());
    try {
      expect((await rawRequest(unchecked.https!, '/v2/features', { tls })).status).toBe(200);
    } finally {
      await unchecked.stop();
    }
  });

  test.each([
    [['client.example.com'], 'good', 200, ''],
    [['other.example.com'], 'good', 403, 'Untrusted client client.example.com attempted to access /features. Check :trusted_hosts: in settings.yml'],
    [['client.example.com'], undefined, 403, 'could not read client cert from environment'],
  ])('trusted_hosts %p with %p certificate -> %i', async (hosts, client, status, text) => {
    const tp = await startTestProxy(ssl({ trusted_hosts: hosts }), modules());
    try {
      const res = await rawRequest(tp.https!, '/v2/features', { tls: tlsOpts(client as 'good' | undefined) });
      expect(res.status).toBe(status);
      if (text) expect(res.body.toString()).toBe(text);
    } finally {
      await tp.stop();
    }
  });
});
