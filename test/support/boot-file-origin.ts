/**
 * A loopback HTTP + HTTPS origin for boot-file downloads, with misbehaviours on demand:
 * redirects, errors, flaky answers, cut connections, stalls, slow bodies and If-Modified-Since.
 * The HTTPS side uses a self-signed certificate made with the openssl CLI at test time, or the
 * key and certificate given (one signed by a test CA, to check which CAs the proxy trusts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface OriginFile {
  body: Buffer;
  lastModified?: Date;
}

export interface RequestRecord {
  path: string;
  ifModifiedSince?: string;
}

export interface Origin {
  http: string;
  https: string;
  /** A TCP port that accepts connections and never says a word (TLS handshakes stall there). */
  silent: string;
  files: Map<string, OriginFile>;
  /** Every request seen, in order. */
  requests: RequestRecord[];
  hits(pathPrefix: string): number;
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 / localhost. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tftp-origin-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', 'key.pem', '-out', 'cert.pem'], { cwd: dir, stdio: 'pipe' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/**
 * Routes (the name is a key of `files`):
 *   /files/<name>            the file, with Last-Modified, 304 for If-Modified-Since >= it
 *   /ignore-ims/<name>       the file, 200 even when not modified
 *   /redirect/<n>/<name>     n relative 302 hops, then /files/<name>
 *   /to-https/<name>         301 to the HTTPS origin's /files/<name>
 *   /loop                    302 to itself
 *   /missing                 404
 *   /always/<status>         that status, every time
 *   /flaky/<k>/<name>        503 for the first k requests of this path, then the file
 *   /cut/<name>              announces the full length, sends half, drops the connection
 *   /cut-once/<name>         /cut the first time, the whole file afterwards
 *   /no-headers              accepts the request and never answers
 *   /stall/<name>            sends headers and half the body, then nothing
 *   /drip/<ms>/<name>        the body in 10 pieces, one every <ms>
 */
export async function startOrigin(tlsIdentity: { key: Buffer; cert: Buffer } = selfSignedCertificate()): Promise<Origin> {
  const files = new Map<string, OriginFile>();
  const requests: RequestRecord[] = [];
  const held = new Set<net.Socket>();

  function sendFile(req: http.IncomingMessage, res: http.ServerResponse, name: string, honourIms = true): void {
    const f = files.get(name);
    if (!f) {
      res.writeHead(404).end('no such file');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(f.body.length) };
    if (f.lastModified) headers['Last-Modified'] = f.lastModified.toUTCString();
    const ims = req.headers['if-modified-since'];
    if (honourIms && ims && f.lastModified && Math.floor(f.lastModified.getTime() / 1000) <= Math.floor(new Date(ims).getTime() / 1000)) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, headers).end(f.body);
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://origin');
    const p = decodeURIComponent(url.pathname);
    requests.push({ path: p, ifModifiedSince: req.headers['if-modified-since'] as string | undefined });
    const seg = p.split('/').filter(Boolean);
    const hitsOf = (prefix: string) => requests.filter((r) => r.path === prefix).length;
    switch (seg[0]) {
      case 'files':
        return sendFile(req, res, seg.slice(1).join('/'));
      case 'ignore-ims':
        return sendFile(req, res, seg.slice(1).join('/'), false);
      case 'redirect': {
        const n = Number(seg[1]);
        const name = seg.slice(2).join('/');
        res.writeHead(302, { Location: n > 1 ? `/redirect/${n - 1}/${name}` : `../../files/${name}` }).end();
        return;
      }
      case 'to-https':
        res.writeHead(301, { Location: `${origin.https}/files/${seg.slice(1).join('/')}` }).end();
        return;
      case 'loop':
        res.writeHead(302, { Location: '/loop' }).end();
        return;
      case 'missing':
        res.writeHead(404).end('Not Found');
        return;
      case 'always':
        res.writeHead(Number(seg[1])).end(`status ${seg[1]}`);
        return;
      case 'flaky':
        if (hitsOf(p) <= Number(seg[1])) {
          res.writeHead(503).end('busy');
          return;
        }
        return sendFile(req, res, seg.slice(2).join('/'));
      case 'cut':
      case 'cut-once': {
        const f = files.get(seg.slice(1).join('/'))!;
        if (seg[0] === 'cut-once' && hitsOf(p) > 1) return sendFile(req, res, seg.slice(1).join('/'));
        res.writeHead(200, { 'Content-Length': String(f.body.length), 'Last-Modified': (f.lastModified ?? new Date()).toUTCString() });
        res.write(f.body.subarray(0, f.body.length >> 1), () => setTimeout(() => req.socket.destroy(), 20));
        return;
      }
      case 'no-headers':
        held.add(req.socket);
        return;
      case 'stall': {
        const f = files.get(seg.slice(1).join('/'))!;
        held.add(req.socket);
        res.writeHead(200, { 'Content-Length': String(f.body.length) });
        res.write(f.body.subarray(0, f.body.length >> 1));
        return;
      }
      case 'drip': {
        const f = files.get(seg.slice(2).join('/'))!;
        const every = Number(seg[1]);
        res.writeHead(200, { 'Content-Length': String(f.body.length), ...(f.lastModified ? { 'Last-Modified': f.lastModified.toUTCString() } : {}) });
        const piece = Math.ceil(f.body.length / 10);
        let at = 0;
        const timer = setInterval(() => {
          res.write(f.body.subarray(at, at + piece));
          at += piece;
          if (at >= f.body.length) {
            clearInterval(timer);
            res.end();
          }
        }, every);
        res.on('close', () => clearInterval(timer));
        return;
      }
      default:
        res.writeHead(404).end();
    }
  };

  const plain = http.createServer(handler);
  const secure = https.createServer(tlsIdentity, handler);
  const silent = net.createServer((socket) => held.add(socket));
  for (const s of [plain, secure]) s.keepAliveTimeout = 100;
  const [hp, sp, qp] = [await listen(plain), await listen(secure), await listen(silent)];
  const origin: Origin = {
    http: `http://127.0.0.1:${hp}`,
    https: `https://127.0.0.1:${sp}`,
    silent: `127.0.0.1:${qp}`,
    files,
    requests,
    hits: (prefix) => requests.filter((r) => r.path.startsWith(prefix)).length,
    close: async () => {
      for (const s of held) s.destroy();
      for (const s of [plain, secure, silent]) {
        (s as http.Server).closeAllConnections?.();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
  return origin;
}
