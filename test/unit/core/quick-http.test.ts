/**
 * The quick path (src/core/quick-http.ts) against node:http itself: the same file mounts behind a
 * plain node:http server and behind one whose connections the quick path takes over must send
 * the same bytes (Date values aside) for every request sequence, including the ones the quick
 * path hands to node:http, and the quick path must really answer the plain ones itself.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { logBuffer } from '../../../src/core/log';
import { createServer } from '../../../src/core/listeners';
import type { Mount } from '../../../src/core/module';
import { requestPipeline, RequestListener } from '../../../src/core/pipeline';
import { fileMounts } from '../../../src/modules/httpboot/mounts';
import { makeBootTree } from '../../support/boot-tree';

const tree = makeBootTree();
fs.writeFileSync(path.join(tree.root, 'page.html'), '<p>hi</p>');
fs.writeFileSync(path.join(tree.root, 'empty.cfg'), '');
fs.writeFileSync(path.join(tree.root, 'big.img'), Buffer.alloc(300 * 1024, 7));
fs.writeFileSync(path.join(tree.root, 'mid.img'), Buffer.alloc(100 * 1024, 8));

let handled = 0;
const pipeline = requestPipeline(fileMounts({ root_dir: tree.root }), (req, res) => {
  res.statusCode = 404;
  res.end('rest');
});
/** Counts what reaches node:http's request handling. */
const counting: RequestListener = Object.assign((req: http.IncomingMessage, res: http.ServerResponse) => {
  handled++;
  pipeline(req, res);
}, { rawMounts: pipeline.rawMounts });

const plain = http.createServer(requestPipeline(fileMounts({ root_dir: tree.root }), (req, res) => {
  res.statusCode = 404;
  res.end('rest');
}));
plain.keepAliveTimeout = 65_000;
plain.headersTimeout = 70_000;
const quick = createServer('http', counting);
let plainPort = 0;
let quickPort = 0;

const listen = (s: http.Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));

/** Sends `parts` (a pause between them), half-closes, and returns every byte received until the server closes. */
function exchange(port: number, parts: string[], gapMs = 30): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(5000, () => socket.destroy(new Error('no close from the server')));
    const send = (i: number) => {
      if (i === parts.length) {
        socket.end();
        return;
      }
      socket.write(parts[i], 'latin1');
      setTimeout(() => send(i + 1), gapMs);
    };
    socket.on('connect', () => send(0));
  });
}

const withoutDates = (text: string) => text.replace(/\r\nDate: [^\r]*\r\n/g, '\r\nDate: -\r\n');

async function same(parts: string[]): Promise<string> {
  const [a, b] = await Promise.all([exchange(plainPort, parts), exchange(quickPort, parts)]);
  expect(withoutDates(b)).toEqual(withoutDates(a));
  return b;
}

const get = (p: string, extra = '', method = 'GET') => `${method} ${p} HTTP/1.1\r\nHost: boot\r\n${extra}\r\n`;

beforeAll(async () => {
  plainPort = await listen(plain);
  quickPort = await listen(quick);
  // Fill both servers' small-file caches: a quick answer is only ever a cached file.
  for (const p of ['/httpboot/grub2/grub.cfg', '/httpboot/page.html', '/httpboot/empty.cfg', '/EFI/grub2/grubx64.efi', '/httpboot/notes.txt']) {
    await same([get(p, 'Connection: close\r\n')]);
  }
});

afterAll(async () => {
  quick.closeAllConnections();
  plain.closeAllConnections();
  await Promise.all([new Promise((r) => quick.close(r)), new Promise((r) => plain.close(r))]);
  tree.cleanup();
});

describe('quick path: answered without node:http, byte for byte as node:http answers', () => {
  it.each([
    ['GET', [get('/httpboot/grub2/grub.cfg')]],
    ['HEAD', [get('/httpboot/grub2/grub.cfg', '', 'HEAD')]],
    ['text/html (with the extra protection headers)', [get('/httpboot/page.html')]],
    ['an empty file', [get('/httpboot/empty.cfg')]],
    ['/EFI mount', [get('/EFI/grub2/grubx64.efi')]],
    ['Connection: close', [get('/httpboot/grub2/grub.cfg', 'Connection: close\r\n')]],
    ['Connection: Keep-Alive', [get('/httpboot/grub2/grub.cfg', 'Connection: Keep-Alive\r\n')]],
    ['firmware-like headers and ids', [get('/httpboot/grub2/grub.cfg', 'Accept: */*\r\nUser-Agent: UefiHttpBoot/1.0\r\nX-Request-Id: abc\r\nX-Session-Id: s1\r\n')]],
    ['HEAD then GET, pipelined', [get('/httpboot/grub2/grub.cfg', '', 'HEAD') + get('/httpboot/grub2/grub.cfg')]],
    ['several, in separate writes', [get('/httpboot/grub2/grub.cfg'), get('/httpboot/notes.txt'), get('/EFI/grub2/grubx64.efi', '', 'HEAD')]],
    ['dot segments that stay inside', [get('/httpboot/boot/../grub2/./grub.cfg')]],
  ])('%s', async (_name, parts) => {
    const before = handled;
    await same(parts);
    expect(handled).toBe(before);
  });

  it('logs Started and Finished for each, with the request id', async () => {
    await exchange(quickPort, [get('/httpboot/notes.txt', 'X-Request-Id: quick-log-1\r\n')]);
    const lines = logBuffer().entries().filter((e) => e.request_id === 'quick-lo').map((e) => e.message);
    expect(lines).toEqual(['Started GET /httpboot/notes.txt ', expect.stringMatching(/^Finished GET \/httpboot\/notes\.txt with 200 \(\d+\.\d\d ms\)$/)]);
  });
});

describe('quick path: everything else is node:http\'s, from the first request it does not take', () => {
  it.each([
    ['a file not cached (large)', [get('/httpboot/big.img')]],
    ['a missing file', [get('/httpboot/nope.cfg')]],
    ['a query', [get('/httpboot/grub2/grub.cfg?x=1')]],
    ['a bad query', [get('/httpboot/grub2/grub.cfg?a[=1')]],
    ['Range', [get('/httpboot/grub2/grub.cfg', 'Range: bytes=0-9\r\n')]],
    ['If-Modified-Since', [get('/httpboot/grub2/grub.cfg', 'If-Modified-Since: Wed, 01 Jan 2098 00:00:00 GMT\r\n')]],
    ['HTTP/1.0', ['GET /httpboot/grub2/grub.cfg HTTP/1.0\r\nHost: boot\r\n\r\n']],
    ['no Host', ['GET /httpboot/grub2/grub.cfg HTTP/1.1\r\n\r\n']],
    ['two Host headers', [get('/httpboot/grub2/grub.cfg', 'Host: other\r\n')]],
    ['two X-Request-Id headers', [get('/httpboot/grub2/grub.cfg', 'X-Request-Id: a\r\nX-Request-Id: b\r\n')]],
    ['POST with a body', ['POST /httpboot/grub2/grub.cfg HTTP/1.1\r\nHost: boot\r\nContent-Length: 2\r\n\r\nab']],
    ['lower-case method', ['get /httpboot/grub2/grub.cfg HTTP/1.1\r\nHost: boot\r\n\r\n']],
    ['absolute-form target', ['GET http://boot/httpboot/grub2/grub.cfg HTTP/1.1\r\nHost: boot\r\n\r\n']],
    ['.. above the root', [get('/httpboot/../etc/passwd')]],
    ['encoded ..', [get('/httpboot/%2e%2e/%2e%2e/etc/passwd')]],
    ['a bad escape', [get('/httpboot/%zz')]],
    ['a symlink leading outside', [get('/httpboot/escape-file')]],
    ['a directory', [get('/httpboot/grub2')]],
    ['the API', [get('/features')]],
    ['an unknown header', [get('/httpboot/grub2/grub.cfg', 'Authorization: Basic eDp5\r\n')]],
    ['a folded header', [get('/httpboot/grub2/grub.cfg', 'Accept: a\r\n b\r\n')]],
    ['a bare LF', ['GET /httpboot/grub2/grub.cfg HTTP/1.1\nHost: boot\n\n']],
    ['a control character in a header', [get('/httpboot/grub2/grub.cfg', 'Accept: a\x01b\r\n')]],
    ['Connection: upgrade', [get('/httpboot/grub2/grub.cfg', 'Connection: Upgrade\r\nUpgrade: h2c\r\n')]],
    ['a request cut in two writes', ['GET /httpboot/grub2/grub.cfg HTTP/1.1\r\nHo', 'st: boot\r\n\r\n']],
    ['a quick one, then a large file, then a quick one, pipelined', [get('/httpboot/grub2/grub.cfg') + get('/httpboot/big.img') + get('/httpboot/notes.txt')]],
    ['a header block larger than the quick path takes', [get('/httpboot/grub2/grub.cfg', `Accept: ${'a'.repeat(9000)}\r\n`)]],
    ['a header block larger than node:http takes', [get('/httpboot/grub2/grub.cfg', `Accept: ${'a'.repeat(17000)}\r\n`)]],
  ])('%s', async (_name, parts) => {
    const before = handled;
    await same(parts);
    expect(handled).toBeGreaterThanOrEqual(before);
  });

  it('the one difference: garbage pipelined behind a quick answer gets node:http\'s 400 (plain node:http, still busy with the first answer, just closes)', async () => {
    const parts = [`${get('/httpboot/grub2/grub.cfg')}NOT HTTP\r\n\r\n`];
    const [a, b] = await Promise.all([exchange(plainPort, parts), exchange(quickPort, parts)]);
    expect(withoutDates(b)).toBe(`${withoutDates(a)}HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n`);
  });

  it('a client that does not read its answers is handed to node:http before 1 MiB is queued, and gets every answer', async () => {
    const before = handled;
    const many = Array.from({ length: 40 }, () => get('/httpboot/mid.img')).join('');
    const answer = await same([many]);
    expect(answer.split('HTTP/1.1 200 OK').length - 1).toBe(40);
    expect(handled).toBeGreaterThan(before);
  });

  it('a quick handler that throws leaves the request to the raw handler', async () => {
    const raw: Mount = {
      path: '/x', protected: false,
      raw: (_req, res) => res.end('raw'),
      quick: () => {
        throw new Error('boom');
      },
    };
    const s = createServer('http', requestPipeline([raw], (_req, res) => res.end('rest')));
    const port = await listen(s);
    try {
      expect(await exchange(port, [get('/x/y', 'Connection: close\r\n')])).toMatch(/\r\n\r\nraw$/);
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('a file changed on disk is served afresh (the cache is checked on every quick request)', async () => {
    const file = path.join(tree.root, 'notes.txt');
    const first = await same([get('/httpboot/notes.txt')]);
    expect(first.endsWith('hello')).toBe(true);
    fs.writeFileSync(`${file}.new`, 'changed!');
    fs.renameSync(`${file}.new`, file);
    const second = await same([get('/httpboot/notes.txt')]);
    expect(second.endsWith('changed!')).toBe(true);
  });

  it('a connection that sends nothing gets node:http\'s 408 after headersTimeout; an idle kept-alive one is closed after keepAliveTimeout', async () => {
    const s = createServer('http', counting);
    s.headersTimeout = 300;
    s.keepAliveTimeout = 300;
    const port = await listen(s);
    try {
      const silent = await new Promise<string>((resolve) => {
        const c = net.connect(port, '127.0.0.1');
        const got: Buffer[] = [];
        c.on('data', (d) => got.push(d));
        c.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
      });
      expect(silent).toBe('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      const t0 = Date.now();
      const idle = await new Promise<string>((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => c.write(get('/httpboot/notes.txt')));
        const got: Buffer[] = [];
        c.on('data', (d) => got.push(d));
        c.on('close', () => resolve(Buffer.concat(got).toString('latin1')));
      });
      expect(idle).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    } finally {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('closeIdleConnections and closeAllConnections close the connections held by the quick path', async () => {
    const s = createServer('http', counting);
    const port = await listen(s);
    const c = net.connect(port, '127.0.0.1', () => c.write(get('/httpboot/notes.txt')));
    await new Promise((r) => c.once('data', r));
    const closed = new Promise((r) => c.on('close', r));
    await new Promise((r) => s.close(r)); // close() closes idle connections first
    await closed;
  });
});
