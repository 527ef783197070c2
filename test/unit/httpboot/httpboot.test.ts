import * as fs from 'fs';
import * as path from 'path';
import request from 'supertest';
import { GRUB_CFG, makeBootTree } from '../../support/boot-tree';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { textBody } from '../../support/dhcp-app';
import { rawRequest, socketRequest } from '../../support/raw-http';
import { capturedExchanges } from '../../support/reference-responses';

let tree: ReturnType<typeof makeBootTree>;
let tp: TestProxy;
let base: string;

beforeAll(async () => {
  tree = makeBootTree();
  tp = await startTestProxy({ http_port: 'auto' }, { httpboot: { enabled: true, root_dir: tree.root } });
  base = tp.http!;
});

afterAll(async () => {
  await tp.stop();
  tree.cleanup();
});

describe('httpboot files (reference §5)', () => {
  test.each(['/httpboot/grub2/grub.cfg', '/EFI/grub2/grub.cfg'])('%s serves the file with Last-Modified and Content-Length', async (p) => {
    const res = await request(base).get(p).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, GRUB_CFG)).toBe(0);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-length']).toBe('2048');
    expect(res.headers['last-modified']).toBe(fs.statSync(path.join(tree.root, 'grub2/grub.cfg')).mtime.toUTCString());
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers.server).toMatch(/^foreman-proxy\/\d/);
  });

  test('the mount prefix is stripped: /EFI/EFI/BOOT/BOOTX64.EFI is <root>/EFI/BOOT/BOOTX64.EFI', async () => {
    const res = await request(base).get('/EFI/EFI/BOOT/BOOTX64.EFI');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('1024');
  });

  test.each([
    ['/httpboot/grub2/grubx64.efi', 'application/efi'],
    ['/httpboot/EFI/BOOT/BOOTX64.EFI', 'application/efi'],
    ['/httpboot/boot/vmlinuz', 'application/octet-stream'],
    ['/httpboot/boot/initrd.img', 'application/octet-stream'],
    ['/httpboot/boot/image.iso', 'application/octet-stream'],
    ['/httpboot/pxelinux.0', 'application/octet-stream'],
    ['/httpboot/data.json', 'application/json'],
    ['/httpboot/notes.txt', 'text/plain;charset=utf-8'],
  ])('%s has Content-Type %s (F8 for .efi)', async (p, type) => {
    const res = await request(base).get(p);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
  });

  test('HEAD answers headers only', async () => {
    const res = await rawRequest(base, '/httpboot/grub2/grub.cfg', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('2048');
    expect(res.body.length).toBe(0);
  });

  test('HEAD then GET on one kept-alive connection, as firmware does', async () => {
    const http = await import('http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(base);
    const once = (method: string) => new Promise<{ status: number; len: number; socket: unknown }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/httpboot/grub2/grub.cfg', method, agent }, (res) => {
        let len = 0;
        res.on('data', (c: Buffer) => { len += c.length; });
        res.on('end', () => resolve({ status: res.statusCode!, len, socket: req.socket }));
      });
      req.on('error', reject);
      req.end();
    });
    const head = await once('HEAD');
    const get = await once('GET');
    agent.destroy();
    expect([head.status, head.len, get.status, get.len]).toEqual([200, 0, 200, 2048]);
    expect(get.socket).toBe(head.socket);
  });

  test('headers are canonically cased on the wire (GRUB needs Content-Length)', async () => {
    const res = await rawRequest(base, '/httpboot/grub2/grub.cfg');
    expect(res.rawHeaderNames).toEqual(expect.arrayContaining(['Content-Length', 'Content-Type', 'Last-Modified', 'Server']));
    expect(res.rawHeaderNames.filter((h) => h !== h.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()))).toEqual([]);
  });

  test('dot files, spaces, symlinks inside the root are served', async () => {
    for (const p of ['/httpboot/.hidden.cfg', '/httpboot/with%20space.cfg', '/httpboot/grub2/grub-link.cfg', '/httpboot/abs-link.cfg']) {
      expect((await request(base).get(p)).status).toBe(200);
    }
  });

  test('Range gives 206 with Content-Range; an unsatisfiable range 416', async () => {
    const res = await rawRequest(base, '/httpboot/grub2/grub.cfg', { headers: { Range: 'bytes=0-99' } });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 0-99/2048');
    expect(res.body).toEqual(GRUB_CFG.subarray(0, 100));
    const suffix = await rawRequest(base, '/httpboot/grub2/grub.cfg', { headers: { Range: 'bytes=-48' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers['content-range']).toBe('bytes 2000-2047/2048');
    const bad = await rawRequest(base, '/httpboot/grub2/grub.cfg', { headers: { Range: 'bytes=5000-6000' } });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */2048');
    expect(bad.body.toString()).toBe('Byte range unsatisfiable\n');
  });

  test('If-Modified-Since at or after the mtime gives 304', async () => {
    const mtime = fs.statSync(path.join(tree.root, 'grub2/grub.cfg')).mtime;
    const res = await rawRequest(base, '/httpboot/grub2/grub.cfg', { headers: { 'If-Modified-Since': mtime.toUTCString() } });
    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
    const older = await rawRequest(base, '/httpboot/grub2/grub.cfg', { headers: { 'If-Modified-Since': new Date(mtime.getTime() - 10_000).toUTCString() } });
    expect(older.status).toBe(200);
  });
});

describe('304 and 416 carry the captured headers (reference-responses §3)', () => {
  const captures = capturedExchanges('3. HTTPBoot');
  const capture = (titleStart: string) => {
    const c = captures.find((x) => x.title.startsWith(titleStart));
    if (!c) throw new Error(`no capture "${titleStart}"`);
    return c;
  };
  /** Date and the connection's own headers vary; Server differs by version (checked elsewhere). */
  const TRANSPORT = ['date', 'connection', 'keep-alive', 'server'];
  const entity = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([k]) => !TRANSPORT.includes(k.toLowerCase())));
  const canonical = (name: string) => name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());

  test.each([
    ['GET /httpboot/grub2/grub.cfg with Range: bytes=5000-6000', { Range: 'bytes=5000-6000' }, 'Request Range Not Satisfiable'],
    ['GET /httpboot/grub2/grub.cfg with If-Modified-Since', undefined, 'Not Modified'],
  ])('%s: the same status, reason, header names (canonical case), values and body', async (title, headers, reason) => {
    const c = capture(title);
    const mtime = fs.statSync(path.join(tree.root, 'grub2/grub.cfg')).mtime.toUTCString();
    const http = await import('http');
    const res = await new Promise<import('http').IncomingMessage & { text: string }>((resolve, reject) => {
      const url = new URL(base);
      http.get({ host: url.hostname, port: url.port, path: c.request.path, headers: headers ?? { 'If-Modified-Since': mtime } }, (r) => {
        let text = '';
        r.on('data', (d: Buffer) => { text += d.toString(); });
        r.on('end', () => resolve(Object.assign(r, { text })));
      }).on('error', reject);
    });
    expect([res.statusCode, res.statusMessage, res.text]).toEqual([c.status, reason, c.body]);
    const names = res.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names.filter((n) => n !== canonical(n))).toEqual([]);
    expect(entity(res.headers)).toEqual(entity(c.headers));
  });
});

describe('httpboot refusals (exact baseline texts)', () => {
  test.each([
    ['/httpboot/grub2', 403, 'Directory listing not allowed'],
    ['/httpboot/grub2/', 403, 'Directory listing not allowed'],
    ['/httpboot/empty-dir', 403, 'Directory listing not allowed'],
    ['/httpboot/does/not/exist', 404, 'Not found'],
    ['/httpboot/dangling-link', 404, 'Not found'],
    ['/httpboot/escape-file', 403, 'Invalid or empty path'],
    ['/httpboot/escape-dir/secret', 403, 'Invalid or empty path'],
    ['/httpboot/relative-escape', 403, 'Invalid or empty path'],
    ['/httpboot/fifo', 503, 'Not a regular file'],
    ['/httpboot/', 403, 'Invalid or empty path'],
    ['/httpboot', 403, 'Invalid or empty path'],
    ['/EFI/', 403, 'Invalid or empty path'],
    ['/EFI', 403, 'Invalid or empty path'],
    ['/httpboot//etc/passwd', 404, 'Not found'],
  ])('%s -> %i %s', async (p, status, text) => {
    const res = await rawRequest(base, p);
    expect(res.status).toBe(status);
    expect(res.body.toString()).toBe(text);
    expect(res.headers['content-type']).toBe('application/json');
  });

  test('the error Content-Type follows Accept', async () => {
    const html = await rawRequest(base, '/httpboot/does/not/exist', { headers: { Accept: 'text/html' } });
    expect(html.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(html.headers['x-xss-protection']).toBe('1; mode=block');
    expect(html.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(html.body.toString()).toBe('Not found');
  });

  test('other methods are the generic 404', async () => {
    const res = await rawRequest(base, '/httpboot/grub2/grub.cfg', { method: 'POST', body: '' });
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe('Requested url was not found');
    expect(res.headers['x-cascade']).toBe('pass');
  });

  test('no authorization is applied even when trusted_hosts denies everyone', async () => {
    const locked = await startTestProxy({ http_port: 'auto', trusted_hosts: [] }, { httpboot: { enabled: true, root_dir: tree.root } });
    try {
      expect((await request(locked.http!).get('/httpboot/grub2/grub.cfg')).status).toBe(200);
      const denied = await rawRequest(locked.http!, '/v2/features');
      expect(denied.status).toBe(403);
      expect(denied.body.toString()).toBe('Untrusted client localhost attempted to access /features. Check :trusted_hosts: in settings.yml');
    } finally {
      await locked.stop();
    }
  });
});

describe('path normalisation and the traversal corpus', () => {
  test.each([
    '/httpboot/grub2/../grub2/grub.cfg',
    '/httpboot/grub2/%2e%2e/grub2/grub.cfg',
    '/httpboot/grub2%2Fgrub.cfg',
    '/httpboot/./grub2/./grub.cfg',
    '/httpboot//grub2//grub.cfg',
    '/httpboot/grub2/grub.cfg/',
    '/httpboot/grub2/grub.cfg?x=1',
  ])('%s stays inside and is served', async (p) => {
    const res = await rawRequest(base, p);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(GRUB_CFG);
  });

  const corpus = [
    '/httpboot/../../etc/passwd', '/httpboot/%2e%2e/%2e%2e/etc/passwd', '/httpboot/..%2f..%2fetc%2fpasswd',
    '/httpboot/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd', '/httpboot/..%5c..%5cetc%5cpasswd', '/httpboot/..\\..\\etc\\passwd',
    '/httpboot/grub2%00.cfg', '/httpboot/grub2/grub.cfg%00.png', '/httpboot/%ff%fe', '/httpboot/%', '/httpboot/%zz',
    '/httpboot/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', '/httpboot/%c0%af..%c0%afetc/passwd', '/httpboot/%e0%80%ae%e0%80%ae/etc/passwd',
    '/httpboot/....//....//etc/passwd', '/httpboot/..;/..;/etc/passwd', '/EFI/../../../../etc/passwd', '/EFI/..%2F..%2Foutside%2Fsecret',
    '/httpboot/escape-dir/../escape-dir/secret', '/httpboot/escape-dir%2fsecret', '/httpboot/%2e%2e/outside/secret',
    '/httpboot/grub2/../../outside/secret', '/httpboot/./../outside/secret', '/httpboot/%252e%252e/%252e%252e/etc/passwd',
    '/httpboot/abs-link.cfg/../../outside/secret', '/httpboot/\u0000', '/httpboot/%C0%80',
  ];
  test.each(corpus)('%s never yields a file outside the root', async (p) => {
    const res = await socketRequest(base, p);
    // Either our 400/403/404, or Node's parser refusing a request line with raw control bytes.
    expect([400, 403, 404]).toContain(res.status);
    expect(res.body).not.toContain('root:');
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toMatch(/\bat .*\.(js|ts):\d+/);
  });

  test('malformed percent-encoding and NUL are 400 "Invalid path", never a stack trace (F2)', async () => {
    for (const p of ['/httpboot/grub2%00.cfg', '/httpboot/%ff%fe', '/httpboot/%zz', '/httpboot/%']) {
      const res = await rawRequest(base, p);
      expect([res.status, res.body.toString()]).toEqual([400, 'Invalid path']);
    }
  });
});

describe('streaming', () => {
  test('a large file streams without memory growing with its size', async () => {
    const big = path.join(tree.root, 'boot/big.img');
    const size = 512 * 1024 * 1024;
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, size);
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const http = await import('http');
    const received = await new Promise<number>((resolve, reject) => {
      http.get(`${base}/httpboot/boot/big.img`, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => { n += c.length; });
        res.on('end', () => resolve(n));
      }).on('error', reject);
    });
    clearInterval(timer);
    fs.unlinkSync(big);
    expect(received).toBe(size);
    // Client and server share this process: the growth bound covers both, far below the file size.
    expect(peak - before).toBeLessThan(96 * 1024 * 1024);
  }, 60_000);

  test('a storm of concurrent downloads shares the chunk buffers and every client gets exactly the file', async () => {
    const { createHash, randomBytes } = await import('crypto');
    const http = await import('http');
    const file = path.join(tree.root, 'boot/storm.img');
    const content = randomBytes(3 * 1024 * 1024 + 12345);
    fs.writeFileSync(file, content);
    const expected = createHash('sha256').update(content).digest('hex');
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const fetchOne = (range?: string) => new Promise<{ status: number; sha: string; bytes: number }>((resolve, reject) => {
      http.get(`${base}/httpboot/boot/storm.img`, { agent, headers: range ? { Range: range } : {} }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => { hash.update(c); bytes += c.length; });
        res.on('end', () => resolve({ status: res.statusCode!, sha: hash.digest('hex'), bytes }));
      }).on('error', reject);
    });
    const results = await Promise.all(Array.from({ length: 300 }, () => fetchOne()));
    const ranged = await Promise.all(Array.from({ length: 20 }, () => fetchOne('bytes=1000000-')));
    fs.unlinkSync(file);
    expect(results.filter((r) => r.status !== 200 || r.sha !== expected)).toEqual([]);
    const tail = createHash('sha256').update(content.subarray(1000000)).digest('hex');
    expect(ranged.filter((r) => r.status !== 206 || r.sha !== tail)).toEqual([]);
  }, 120_000);
});

describe('served small files stay exactly the files on disk (in-memory copies)', () => {
  const file = () => path.join(tree.root, 'grub2/changing.cfg');
  const get = async (p = '/httpboot/grub2/changing.cfg') => {
    const res = await rawRequest(base, p);
    return [res.status, res.body.toString()];
  };

  test('a file replaced by rename (as TFTP writes) is served new at once', async () => {
    fs.writeFileSync(file(), 'one');
    expect(await get()).toEqual([200, 'one']);
    fs.writeFileSync(`${file()}.tmp`, 'two');
    fs.renameSync(`${file()}.tmp`, file());
    expect(await get()).toEqual([200, 'two']);
  });

  test('a file modified in place, same size, is served new', async () => {
    fs.writeFileSync(file(), 'aaaa');
    expect(await get()).toEqual([200, 'aaaa']);
    fs.writeFileSync(file(), 'bbbb');
    expect(await get()).toEqual([200, 'bbbb']);
  });

  test('a deleted file is 404; a symlink pointed outside afterwards is 403', async () => {
    fs.writeFileSync(path.join(tree.root, 'grub2/target.cfg'), 'inside');
    const link = path.join(tree.root, 'grub2/moving-link.cfg');
    fs.symlinkSync('target.cfg', link);
    expect(await get('/httpboot/grub2/moving-link.cfg')).toEqual([200, 'inside']);
    fs.unlinkSync(link);
    fs.symlinkSync(path.join(tree.outside, 'secret'), link);
    expect(await get('/httpboot/grub2/moving-link.cfg')).toEqual([403, 'Invalid or empty path']);
    fs.unlinkSync(link);
    expect(await get('/httpboot/grub2/moving-link.cfg')).toEqual([404, 'Not found']);
  });

  test('ranges and 304 work from the in-memory copy too', async () => {
    fs.writeFileSync(file(), '0123456789');
    await get();
    const part = await rawRequest(base, '/httpboot/grub2/changing.cfg', { headers: { Range: 'bytes=2-4' } });
    expect([part.status, part.body.toString(), part.headers['content-range']]).toEqual([206, '234', 'bytes 2-4/10']);
    const mtime = fs.statSync(file()).mtime.toUTCString();
    expect((await rawRequest(base, '/httpboot/grub2/changing.cfg', { headers: { 'If-Modified-Since': mtime } })).status).toBe(304);
  });
});

describe('clients that go away mid-download', () => {
  test('every borrowed chunk buffer comes back, so later downloads never wait for a lost one', async () => {
    const { chunkBuffers } = await import('../../../src/modules/httpboot/file-pump');
    const http = await import('http');
    const file = path.join(tree.root, 'boot/abandoned.img');
    fs.writeFileSync(file, Buffer.alloc(8 * 1024 * 1024, 7));
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    // Half go away as the headers arrive, half after the first bytes of the body.
    const abandon = (i: number) => new Promise<void>((resolve) => {
      const req = http.get(`${base}/httpboot/boot/abandoned.img`, { agent }, (res) => {
        if (i % 2) req.destroy();
        else res.once('data', () => req.destroy());
        resolve();
      });
      req.on('error', () => resolve());
    });
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 100 }, (_, i) => abandon(i)));
    const pool = chunkBuffers();
    const deadline = Date.now() + 10_000;
    while (pool.lentCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    fs.unlinkSync(file);
    expect(pool.lentCount).toBe(0);
  }, 30_000);
});

describe('log lines of file requests carry the request id', () => {
  // File requests run without AsyncLocalStorage (see request-context.ts): the id is handed on by hand.
  test('Started, the refusal and Finished of a file request are logged with its X-Request-Id', async () => {
    const { logBuffer } = await import('../../../src/core/log');
    const id = 'fa11ed00-0000-4000-8000-000000000001';
    await request(base).get('/httpboot/no-such-file').set('X-Request-Id', id).buffer(true).parse(textBody);
    await request(base).get('/httpboot/grub2/grub.cfg').set('X-Request-Id', id.replace('01', '02'));
    const ofRequest = (prefix: string) => logBuffer().entries().filter((e) => e.request_id === prefix).map((e) => e.message);
    expect(ofRequest('fa11ed00')).toEqual(expect.arrayContaining([
      'Started GET /httpboot/no-such-file ',
      'Not found',
      expect.stringMatching(/^Finished GET \/httpboot\/no-such-file with 404 \(/),
      'Started GET /httpboot/grub2/grub.cfg ',
      expect.stringMatching(/^Finished GET \/httpboot\/grub2\/grub.cfg with 200 \(/),
    ]));
  });
});
