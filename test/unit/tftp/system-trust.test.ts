/**
 * The system CA store for HTTPS boot-file downloads: where it is looked for (curl's and OpenSSL's
 * variables, the Debian defaults), what is read from it, and that a change to it is picked up.
 * Trust is checked with real TLS handshakes against a loopback server.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { logBuffer } from '../../../src/core/log';
import {
  DEFAULT_CA_DIR, DEFAULT_CA_FILE, pemCertificates, readSystemCertificates, SystemTrust, trustLocations,
} from '../../../src/modules/tftp/system-trust';
import { selfSignedCertificate } from '../../support/boot-file-origin';
import { tempDir } from '../../support/tftp';

let t: ReturnType<typeof tempDir>;
let identity: { key: Buffer; cert: Buffer };
let other: { key: Buffer; cert: Buffer };
let server: tls.Server;
let port: number;

beforeAll(async () => {
  t = tempDir('tftp-trust-');
  // Self-signed for 127.0.0.1: trusting this certificate is trusting the server's "CA".
  identity = selfSignedCertificate();
  other = selfSignedCertificate();
  server = tls.createServer(identity, (s) => s.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  t.cleanup();
});

/** Whether a handshake with `context` verifies the loopback server; the error code when not. */
function handshake(context: tls.SecureContext): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, secureContext: context, rejectUnauthorized: true }, () => {
      socket.destroy();
      resolve('verified');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function file(name: string, content: string | Buffer): string {
  const p = path.join(t.dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

describe('where the store is (curl, then OpenSSL, then Debian)', () => {
  test.each([
    [{}, DEFAULT_CA_FILE, 'default'],
    [{ SSL_CERT_FILE: '/x/ssl.pem' }, '/x/ssl.pem', 'SSL_CERT_FILE'],
    [{ CURL_CA_BUNDLE: '/x/curl.pem', SSL_CERT_FILE: '/x/ssl.pem' }, '/x/curl.pem', 'CURL_CA_BUNDLE'],
    [{ CURL_CA_BUNDLE: '', SSL_CERT_FILE: '' }, DEFAULT_CA_FILE, 'default'],
  ])('bundle for %j: %s', (env, expected, from) => {
    expect(trustLocations(env)).toMatchObject({ file: expected, fileFrom: from });
  });

  test.each([
    [{}, [DEFAULT_CA_DIR], 'default'],
    [{ SSL_CERT_DIR: '/a' }, ['/a'], 'SSL_CERT_DIR'],
    [{ SSL_CERT_DIR: '/a:/b:' }, ['/a', '/b'], 'SSL_CERT_DIR'],
    [{ SSL_CERT_DIR: ':' }, [DEFAULT_CA_DIR], 'default'],
  ])('folders for %j: %j', (env, expected, from) => {
    expect(trustLocations(env)).toMatchObject({ dirs: expected, dirsFrom: from });
  });
});

describe('what is read', () => {
  test('PEM certificates are taken out of a bundle; keys, comments and other blocks are not', () => {
    const cert = identity.cert.toString();
    const text = `# a comment\n${cert}\n${identity.key.toString()}\nfree text\n${other.cert.toString()}`;
    expect(pemCertificates(text)).toEqual([cert.trim(), other.cert.toString().trim()]);
  });

  test('the bundle and the hashed files of each folder, every certificate once; other names and dangling links are skipped', async () => {
    const bundle = file('read/bundle.crt', `${identity.cert}`);
    const dir = path.join(t.dir, 'read/certs');
    file('read/certs/0a1b2c3d.0', other.cert);
    file('read/certs/0a1b2c3d.1', identity.cert.toString().replace(/\n/g, '\r\n'));
    file('read/certs/unhashed.pem', selfSignedCertificate().cert);
    fs.symlinkSync(path.join(t.dir, 'gone.pem'), path.join(dir, 'deadbeef.0'));
    const got = await readSystemCertificates({ file: bundle, fileFrom: 'SSL_CERT_FILE', dirs: [dir], dirsFrom: 'SSL_CERT_DIR' });
    expect(got.problems).toEqual([]);
    expect(got.pems).toEqual([identity.cert.toString().trim(), other.cert.toString().trim()]);
  });

  test('a missing default location is normal (another distribution); a missing location someone named is a problem', async () => {
    const missing = path.join(t.dir, 'nowhere');
    const quiet = await readSystemCertificates({ file: missing, fileFrom: 'default', dirs: [missing], dirsFrom: 'default' });
    expect(quiet).toEqual({ pems: [], problems: [] });
    const loud = await readSystemCertificates({ file: missing, fileFrom: 'SSL_CERT_FILE', dirs: [missing], dirsFrom: 'SSL_CERT_DIR' });
    expect(loud.problems).toEqual([
      `${missing}: ENOENT: no such file or directory, open '${missing}'`,
      `${missing}: ENOENT: no such file or directory, scandir '${missing}'`,
    ]);
  });
});

describe('the TLS context', () => {
  test('Node\'s list alone does not verify the server; the system store does, and a change to it is picked up without a restart', async () => {
    const bundle = file('ctx/bundle.crt', '');
    const dir = path.join(t.dir, 'ctx/certs');
    fs.mkdirSync(dir);
    const trust = new SystemTrust({ SSL_CERT_FILE: bundle, SSL_CERT_DIR: dir });
    const before = await trust.context();
    expect(await handshake(before)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(await trust.context()).toBe(before);

    // update-ca-certificates: the bundle rewritten with the new CA.
    fs.writeFileSync(bundle, `${other.cert}${identity.cert}`);
    const after = await trust.context();
    expect(after).not.toBe(before);
    expect(await handshake(after)).toBe('verified');

    // The CA removed again: no longer trusted.
    fs.writeFileSync(bundle, other.cert);
    expect(await handshake(await trust.context())).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  test('a hashed file in SSL_CERT_DIR is trusted, on top of Node\'s list', async () => {
    const dir = path.join(t.dir, 'hashed');
    file('hashed/12345678.0', identity.cert);
    const trust = new SystemTrust({ SSL_CERT_FILE: path.join(t.dir, 'hashed/none.crt'), SSL_CERT_DIR: dir });
    expect(await handshake(await trust.context())).toBe('verified');
    const loaded = logBuffer().entries(0).filter((e) => e.message.startsWith('TFTP: HTTPS downloads trust')).pop();
    expect(loaded?.message).toMatch(new RegExp(`trust ${tls.rootCertificates.length + 1} CA certificates: Node's ${tls.rootCertificates.length} ` +
      `and the system store's, from ${t.dir}/hashed/none.crt \\(SSL_CERT_FILE\\) and ${dir} \\(SSL_CERT_DIR\\)$`));
  });

  test('a damaged certificate in the bundle does not cost the others', async () => {
    const damaged = '-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const bundle = file('damaged/bundle.crt', `${damaged}${identity.cert}`);
    const trust = new SystemTrust({ SSL_CERT_FILE: bundle, SSL_CERT_DIR: path.join(t.dir, 'damaged') });
    expect(await handshake(await trust.context())).toBe('verified');
  });
});
