import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import type { TLSSocket } from 'tls';
import { log } from './log';
import { answerQuickly } from './quick-http';
import type { RequestListener } from './http';
import type { GlobalSettings } from './settings';

/**
 * TLS 1.2 suites: the baseline's list, plus DHE-RSA suites because UEFI firmware offers only
 * DHE-RSA and plain RSA key exchange (compatibility.md). TLS 1.3 suites are the library defaults.
 */
export const TLS12_CIPHERS = [
  'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384',
  'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA256', 'AES256-SHA256', 'AES128-SHA', 'AES256-SHA',
];
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

export function httpsConfigured(g: GlobalSettings): boolean {
  return Boolean(g.ssl_certificate && g.ssl_private_key && g.ssl_ca_file);
}

function readRequired(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`Unable to read ${what} '${file}': ${(err as Error).message}`);
  }
}

/** TLS options with the baseline's protocol and cipher policy (reference §8). */
export function tlsOptions(g: GlobalSettings): https.ServerOptions {
  // Left undefined, `ca` would mean Node's built-in roots (plus NODE_EXTRA_CA_CERTS): any publicly
  // signed client certificate would pass. Like the baseline (OpenSSL with no verify locations),
  // an unreadable CA file trusts nothing: every client certificate fails the chain check.
  let ca: Buffer[] = [];
  try {
    ca = [fs.readFileSync(g.ssl_ca_file!)];
  } catch (err) {
    log.error(`Unable to read ${g.ssl_ca_file}. Are the values correct in settings.yml and do permissions allow reading?`);
    log.warn(`No client certificate will be accepted until ${g.ssl_ca_file} is readable (${(err as Error).message})`);
  }
  const disabled = new Set(g.tls_disabled_versions.map(String));
  for (const v of disabled) if (!['1.0', '1.1', '1.2', '1.3'].includes(v)) log.warn(`Unknown TLS version '${v}' in tls_disabled_versions, ignored`);
  const ciphers = TLS12_CIPHERS.filter((c) => !g.ssl_disabled_ciphers.includes(c));
  return {
    cert: readRequired(g.ssl_certificate!, 'SSL certificate'),
    key: readRequired(g.ssl_private_key!, 'SSL private key'),
    ca,
    minVersion: disabled.has('1.2') ? 'TLSv1.3' : 'TLSv1.2',
    maxVersion: disabled.has('1.3') ? 'TLSv1.2' : 'TLSv1.3',
    ciphers: [...TLS13_SUITES, ...ciphers].join(':'),
    honorCipherOrder: true,
    dhparam: 'auto',
    // Request a client certificate but let the HTTP filters decide when none is sent; a certificate
    // that does not chain to the CA is refused right after the handshake (see below).
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/** Addresses to bind for one bind_host entry: `*` means every IPv4 and IPv6 address. */
function bindAddresses(host: string): string[] {
  return host === '*' ? ['0.0.0.0', '::'] : [host];
}

export interface Listener {
  scheme: 'http' | 'https';
  server: http.Server;
  address: AddressInfo;
}

function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, ipv6Only: host === '::' }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function tuneServer<S extends http.Server>(server: S): S {
  // Firmware sends HEAD then GET on one kept-alive connection; keep connections open long enough.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0;
  return server;
}

/** An HTTP or HTTPS server for a handler, tuned for firmware clients; not listening yet. */
export function createServer(scheme: 'http' | 'https', handler: RequestListener, tls?: https.ServerOptions): http.Server {
  if (scheme === 'http') {
    const server = tuneServer(http.createServer(handler));
    if (handler.rawMounts) answerQuickly(server, handler.rawMounts);
    return server;
  }
  const server = https.createServer(tls!, handler);
  server.on('secureConnection', (socket: TLSSocket) => {
    const cert = socket.getPeerCertificate();
    if (cert && Object.keys(cert).length > 0 && !socket.authorized) {
      log.warn(`Rejected client certificate from ${socket.remoteAddress}: ${socket.authorizationError}`);
      socket.destroy();
    }
  });
  return tuneServer(server);
}

export async function startListeners(g: GlobalSettings, httpHandler: RequestListener | null,
  httpsHandler: RequestListener | null): Promise<Listener[]> {
  const out: Listener[] = [];
  const tls = httpsHandler ? tlsOptions(g) : undefined;
  try {
    for (const host of g.bind_host) {
      for (const addr of bindAddresses(String(host))) {
        const pending: Array<['http' | 'https', http.Server, number]> = [];
        if (httpHandler && g.http_port !== null) pending.push(['http', createServer('http', httpHandler), g.http_port]);
        if (httpsHandler && tls) pending.push(['https', createServer('https', httpsHandler, tls), g.https_port]);
        for (const [scheme, server, port] of pending) {
          try {
            out.push({ scheme, server, address: await listen(server, port, addr) });
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            // `*` includes IPv6 only where the machine has it.
            if (String(host) === '*' && addr === '::' && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) {
              log.warn(`IPv6 is not available, not listening on [::]:${port}`);
              continue;
            }
            throw err;
          }
        }
      }
    }
  } catch (err) {
    await closeListeners(out);
    throw err;
  }
  return out;
}

export async function closeListeners(listeners: Listener[]): Promise<void> {
  await Promise.all(listeners.map((l) => new Promise<void>((resolve) => {
    l.server.close(() => resolve());
    l.server.closeAllConnections?.();
  })));
}
