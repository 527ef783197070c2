import * as http from 'http';
import * as https from 'https';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Header names exactly as sent on the wire, in order. */
  rawHeaderNames: string[];
  body: Buffer;
}

/** The host to connect to: URL.hostname keeps an IPv6 literal's brackets (`[::1]`). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** A request with the path sent exactly as given (no client-side normalisation). */
export function rawRequest(base: string, rawPath: string, opts: { method?: string; headers?: Record<string, string>;
  tls?: https.RequestOptions; body?: string } = {}): Promise<RawResponse> {
  const url = new URL(base);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: hostOf(url), port: url.port, method: opts.method ?? 'GET', path: rawPath, headers: opts.headers,
      agent: false, ...(opts.tls ?? {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        rawHeaderNames: res.rawHeaders.filter((_, i) => i % 2 === 0),
        body: Buffer.concat(chunks),
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Sends the request line byte for byte over a plain socket (paths http.request would refuse). */
export function socketRequest(base: string, rawPath: string): Promise<{ status: number; head: string; body: string }> {
  const url = new URL(base);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const net = require('net') as typeof import('net');
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), hostOf(url), () => {
      sock.write(Buffer.concat([Buffer.from('GET '), Buffer.from(rawPath, 'latin1'),
        Buffer.from(` HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`)]));
    });
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? '' : text.slice(split + 4) });
    });
  });
}
