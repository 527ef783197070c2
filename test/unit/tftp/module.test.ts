/**
 * The tftp module in the core: settings, /v2/features entry, failure reporting, exposure and
 * authorization, and a replay of the real proxy's captured TFTP exchanges (reference-responses §4).
 */
import * as fs from 'fs';
import * as path from 'path';
import { makeTestPki } from '../../support/certs';
import { startTestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';
import { call, filesUnder, logs, startTftpProxy, tempDir, TftpProxy } from '../../support/tftp';

const HTML = 'text/html;charset=utf-8';
const JSON_TYPE = 'application/json';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('tftp-module-');
});
afterAll(() => tmp.cleanup());

async function withProxy(modules: Record<string, any>, fn: (tp: TftpProxy) => Promise<void>, global: Record<string, any> = {}, baseDir?: string) {
  const tp = await startTftpProxy(modules, {}, global, baseDir);
  try {
    await fn(tp);
  } finally {
    await tp.stop();
  }
}

async function v2(tp: TftpProxy) {
  const res = await call(tp.base, 'get', '/v2/features');
  expect(res.status).toBe(200);
  return JSON.parse(res.body);
}

describe('/v2/features and /features entry (reference §3.3)', () => {
  test('running with a server name', async () => {
    await withProxy({ tftp: { enabled: true, tftproot: tmp.dir, tftp_servername: 'tftp.example.com' } }, async (tp) => {
      const body = await v2(tp);
      expect(Object.keys(body.tftp)).toEqual(['http_enabled', 'https_enabled', 'settings', 'state', 'capabilities']);
      expect(body.tftp).toEqual({
        http_enabled: true, https_enabled: true, settings: { tftp_servername: 'tftp.example.com' }, state: 'running', capabilities: [],
      });
      expect(JSON.parse((await call(tp.base, 'get', '/features')).body)).toContain('tftp');
      const version = JSON.parse((await call(tp.base, 'get', '/version')).body);
      expect(version.modules.tftp).toBe(version.version.replace(/-develop$/, ''));
    });
  });

  test('running without tftp_servername: null in v2 (no presence check), "" from /serverName', async () => {
    await withProxy({ tftp: { enabled: 'http', tftproot: tmp.dir } }, async (tp) => {
      const body = await v2(tp);
      expect(body.tftp).toEqual({ http_enabled: true, https_enabled: false, settings: { tftp_servername: null }, state: 'running', capabilities: [] });
      const res = await call(tp.base, 'get', '/tftp/serverName');
      expect([res.status, res.headers['content-type'], res.headers['content-length'], res.body]).toEqual([200, HTML, '17', '{"serverName":""}']);
    });
  });

  test('registered right after templates and before puppetca', async () => {
    await withProxy({ tftp: { enabled: true, tftproot: tmp.dir } }, async (tp) => {
      const names = Object.keys(await v2(tp));
      expect(names.indexOf('tftp')).toBe(names.indexOf('templates') + 1);
      expect(names.indexOf('tftp')).toBeLessThan(names.indexOf('puppetca'));
    });
  });

  test('disabled (no settings): state disabled, settings null, /tftp is 404', async () => {
    await withProxy({}, async (tp) => {
      const body = await v2(tp);
      expect(body.tftp).toEqual({ http_enabled: false, https_enabled: false, settings: { tftp_servername: null }, state: 'disabled', capabilities: [] });
      expect((await call(tp.base, 'get', '/tftp/serverName')).status).toBe(404);
    });
  });

  test('enabled: https only -> not served on the HTTP port', async () => {
    await withProxy({ tftp: { enabled: 'https', tftproot: tmp.dir } }, async (tp) => {
      const res = await call(tp.base, 'get', '/tftp/serverName');
      expect([res.status, res.body]).toEqual([404, 'Requested url was not found']);
    });
  });
});

describe('settings validation (reference §1.3, §1.5)', () => {
  const message = "Disabling all modules in the group ['tftp'] due to a failure in one of them: Setting 'verify_server_cert' is expected to be true/false";

  test.each(['yes', 'true', 1, 'false', null])('verify_server_cert %j fails the module with the baseline message', async (value) => {
    await withProxy({ tftp: { enabled: true, tftproot: tmp.dir, verify_server_cert: value } }, async (tp) => {
      const body = await v2(tp);
      expect(body.tftp).toEqual({ http_enabled: false, https_enabled: false, settings: { tftp_servername: null }, state: 'failed', capabilities: [] });
      const l = await logs(tp.base);
      if (value === null) {
        expect(l.info.failed_modules.tftp).toBe("Disabling all modules in the group ['tftp'] due to a failure in one of them: Parameter 'verify_server_cert' is expected to have a non-empty value");
      } else {
        expect(l.info.failed_modules.tftp).toBe(message);
        expect(l.logs.some((e) => e.level === 'ERROR' && e.message === message)).toBe(true);
      }
      expect((await call(tp.base, 'post', '/tftp/00:11:22:33:44:55', { pxeconfig: 'x' })).status).toBe(404);
    });
  });

  test('verify_server_cert false is accepted', async () => {
    await withProxy({ tftp: { enabled: true, tftproot: tmp.dir, verify_server_cert: false } }, async (tp) => {
      expect((await v2(tp)).tftp.state).toBe('running');
    });
  });

  test.each(['tftproot', 'tftp_connect_timeout'])('an empty %s fails the presence check', async (key) => {
    await withProxy({ tftp: { enabled: true, tftproot: tmp.dir, [key]: '' } }, async (tp) => {
      expect((await v2(tp)).tftp.state).toBe('failed');
      expect((await logs(tp.base)).info.failed_modules.tftp)
        .toBe(`Disabling all modules in the group ['tftp'] due to a failure in one of them: Parameter '${key}' is expected to have a non-empty value`);
    });
  });

  test('a relative tftproot resolves against the settings folder', async () => {
    const base = path.join(tmp.dir, 'etc');
    fs.mkdirSync(base, { recursive: true });
    await withProxy({ tftp: { enabled: true, tftproot: 'boot-tree' } }, async (tp) => {
      expect((await call(tp.base, 'post', '/tftp/00:11:22:33:44:55', { pxeconfig: 'x' })).status).toBe(200);
      expect(filesUnder(path.join(base, 'boot-tree'))).toEqual(['pxelinux.cfg/01-00-11-22-33-44-55']);
    }, {}, base);
  });
});

describe('authorization (reference §2): every /tftp route is protected', () => {
  test.each([
    ['get', '/tftp/serverName', '/serverName'],
    ['post', '/tftp/00:11:22:33:44:55', '/00:11:22:33:44:55'],
    ['put', '/tftp/serverName', '/serverName'],
    ['get', '/tftp/no/such/route', '/no/such/route'],
    ['post', '/tftp/fetch_boot_file', '/fetch_boot_file'],
  ] as const)('trusted_hosts [] denies %s %s before routing', async (method, p, rel) => {
    await withProxy({ tftp: { enabled: true, tftproot: tmp.dir } }, async (tp) => {
      const res = await call(tp.base, method, p, method === 'post' ? { pxeconfig: 'x' } : undefined);
      expect(res.status).toBe(403);
      expect(res.body).toMatch(new RegExp(`^(Untrusted client .* attempted to access ${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Check :trusted_hosts: in settings.yml|unable to resolve hostname for ip address 127\\.0\\.0\\.1)`));
    }, { trusted_hosts: [] });
  });
});

describe('replay of the captured TFTP exchanges (reference-responses.md §4)', () => {
  test('the sequence gives the same statuses, headers and bodies', async () => {
    const root = path.join(tmp.dir, 'replay');
    await withProxy({ tftp: { enabled: true, tftproot: root } }, async (tp) => {
      const accept = { Accept: '*/*' };
      const steps: [string, string, string | undefined, number, string, string][] = [
        ['get', '/tftp/serverName', undefined, 200, HTML, '{"serverName":""}'],
        ['post', '/tftp/pxegrub2/00:11:22:33:44:55', `syslinux_config=${encodeURIComponent('set timeout=1\nmenuentry "x" {}\n')}`, 200, HTML, ''],
        ['get', '/tftp/pxegrub2/00:11:22:33:44:55', undefined, 200, HTML, 'set timeout=1\nmenuentry "x" {}\n'],
        ['post', '/tftp/pxegrub2/00:11:22:33:44:55', `pxeconfig=${encodeURIComponent('# via pxeconfig')}`, 200, HTML, ''],
        ['post', '/tftp/pxegrub2/00:11:22:33:44:55', '', 400, JSON_TYPE, 'TFTP: Failed to create pxe config file: Invalid parameters received'],
        ['post', '/tftp/pxegrub2/zz:11', 'syslinux_config=x', 403, JSON_TYPE, 'Invalid MAC address: zz:11'],
        ['post', '/tftp/foo/00:11:22:33:44:55', 'syslinux_config=x', 403, JSON_TYPE, 'Unrecognized pxeboot config type: foo'],
        ['post', '/tftp/00:11:22:33:44:66', 'syslinux_config=DEFAULT local', 200, HTML, ''],
        ['get', '/tftp/syslinux/00:11:22:33:44:66', undefined, 200, HTML, 'DEFAULT local'],
        ['get', '/tftp/pxegrub2/00:11:22:33:44:77', undefined, 404, JSON_TYPE,
          `TFTP: Failed to retrieve pxe config file: File ${root}/grub2/grub.cfg-01-00-11-22-33-44-77 not found`],
        ['post', '/tftp/pxegrub2/create_default', 'menu=set default=0', 200, HTML, ''],
        ['post', '/tftp/pxegrub2/create_default', '', 400, JSON_TYPE, 'TFTP: Failed to create PXE default file: Default config not supplied'],
        ['delete', '/tftp/pxegrub2/00:11:22:33:44:55', undefined, 200, HTML, ''],
        ['delete', '/tftp/pxegrub2/00:11:22:33:44:55', undefined, 200, HTML, ''],
      ];
      for (const [method, p, form, status, type, body] of steps) {
        const res = await call(tp.base, method as 'get', p, form, accept);
        const where = `${method.toUpperCase()} ${p}`;
        expect({ where, status: res.status, type: res.headers['content-type'], body: res.body }).toEqual({ where, status, type, body });
        expect(res.headers['content-length']).toBe(String(Buffer.byteLength(body)));
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-xss-protection']).toBe(type === HTML ? '1; mode=block' : undefined);
        expect(res.headers['x-frame-options']).toBe(type === HTML ? 'SAMEORIGIN' : undefined);
      }
      expect(filesUnder(root)).toEqual(['grub2/grub.cfg', 'pxelinux.cfg/01-00-11-22-33-44-66']);
      expect(fs.readFileSync(path.join(root, 'grub2/grub.cfg'), 'utf8')).toBe('set default=0');
    });
  });
});

describe('over HTTPS (reference §2.3): the client certificate filter applies to /tftp', () => {
  test('no client certificate -> 403; a certificate from the CA -> 200', async () => {
    const pki = makeTestPki();
    const tp = await startTestProxy({
      http_port: 'auto', https_port: 'auto', ssl_certificate: pki.serverCert, ssl_private_key: pki.serverKey, ssl_ca_file: pki.caCert,
    }, { tftp: { enabled: true, tftproot: tmp.dir, tftp_servername: 'boot.example.com' } });
    try {
      const ca = fs.readFileSync(pki.caCert);
      const anonymous = await rawRequest(tp.https!, '/tftp/serverName', { tls: { ca } });
      expect([anonymous.status, anonymous.body.toString()]).toEqual([403, 'No client SSL certificate supplied']);
      const client = await rawRequest(tp.https!, '/tftp/serverName', {
        tls: { ca, cert: fs.readFileSync(pki.clientCert), key: fs.readFileSync(pki.clientKey) },
      });
      expect([client.status, client.body.toString()]).toEqual([200, '{"serverName":"boot.example.com"}']);
    } finally {
      await tp.stop();
      pki.cleanup();
    }
  });
});
