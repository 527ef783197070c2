import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Client certificate signed by the CA, CN=client.example.com */
  clientCert: string;
  clientKey: string;
  /** Client certificate from another CA, CN=badclient.example.com */
  badClientCert: string;
  badClientKey: string;
  otherCaCert: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function ca(dir: string, name: string, cn: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${cn}`,
    '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

function leaf(dir: string, name: string, caName: string, subject: string, san?: string): void {
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial',
    '-days', '30', '-extfile', ext, '-out', `${name}.crt`], dir);
}

/** A throw-away PKI made with the openssl CLI: a CA, a server certificate for localhost/127.0.0.1, and clients. */
export function makeTestPki(serverSan = 'DNS:localhost,IP:127.0.0.1'): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-pki-'));
  ca(dir, 'ca', 'Smart Proxy Test CA');
  ca(dir, 'otherca', 'Other Test CA');
  leaf(dir, 'server', 'ca', '/CN=localhost', serverSan);
  leaf(dir, 'client', 'ca', '/CN=client.example.com');
  leaf(dir, 'badclient', 'otherca', '/CN=badclient.example.com');
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'),
    clientCert: p('client.crt'), clientKey: p('client.key'),
    badClientCert: p('badclient.crt'), badClientKey: p('badclient.key'), otherCaCert: p('otherca.crt'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** One more client certificate signed by the PKI's CA, with any subject (e.g. one without a CN). */
export function issueClientCert(pki: TestPki, name: string, subject: string): { cert: string; key: string } {
  leaf(pki.dir, name, 'ca', subject);
  return { cert: path.join(pki.dir, `${name}.crt`), key: path.join(pki.dir, `${name}.key`) };
}
