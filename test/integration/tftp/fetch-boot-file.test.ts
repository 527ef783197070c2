/**
 * POST /tftp/fetch_boot_file end to end: the proxy downloads from a loopback HTTP/HTTPS origin of
 * this test's own and from a real vsftpd. Outcomes are observed on disk and in GET /logs (F9).
 */
import * as fs from 'fs';
import * as path from 'path';
import { logBuffer } from '../../../src/core/log';
import { Origin, startOrigin } from '../../support/boot-file-origin';
import { makeTestPki, TestPki } from '../../support/certs';
import { call, LogEntry, logs, startTftpProxy, tempDir, TftpProxy, waitForLog } from '../../support/tftp';
import { FtpServer, startVsftpd } from '../../support/vsftpd';

jest.setTimeout(30_000);

const TUNING = { retryDelayMs: 50, idleTimeoutMs: 400, maxRedirects: 5, progressIntervalMs: 100 };
const KERNEL = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));
const T1 = new Date('2024-01-02T03:04:05Z');
const T2 = new Date('2024-06-07T08:09:10Z');

let t: ReturnType<typeof tempDir>;
let origin: Origin;
let ftp: FtpServer;
/** verify_server_cert true (default), tftp_connect_timeout 0.3 s. */
let strict: TftpProxy;
/** verify_server_cert false. */
let lax: TftpProxy;
let strictRoot: string;
let laxRoot: string;
let seq = 0;

beforeAll(async () => {
  t = tempDir('tftp-fetch-it-');
  strictRoot = path.join(t.dir, 'strict');
  laxRoot = path.join(t.dir, 'lax');
  origin = await startOrigin();
  ftp = await startVsftpd();
  strict = await startTftpProxy({ tftp: { enabled: true, tftproot: strictRoot, tftp_connect_timeout: 0.3 } }, TUNING);
  lax = await startTftpProxy({ tftp: { enabled: true, tftproot: laxRoot, verify_server_cert: false } }, TUNING);
});
afterAll(async () => {
  await strict?.stop();
  await lax?.stop();
  await origin?.close();
  await ftp?.stop();
  t.cleanup();
});

/** A unique file name on the origin holding `body`. */
function originFile(body: Buffer = KERNEL, lastModified: Date | null = T1): string {
  const name = `f${++seq}`;
  origin.files.set(name, { body, lastModified: lastModified ?? undefined });
  return name;
}

async function fetchBoot(tp: TftpProxy, prefix: string, source: string, requestId?: string) {
  const res = await call(tp.base, 'post', '/tftp/fetch_boot_file', { prefix, path: source },
    requestId ? { 'X-Request-Id': requestId } : {});
  expect([res.status, res.headers['content-type'], res.body]).toEqual([200, 'text/html;charset=utf-8', '']);
  return res;
}

/** The final log line of the download to `dest`: downloaded, up to date, or failed. */
function outcome(tp: TftpProxy, dest: string, ms = 10_000): Promise<LogEntry> {
  return waitForLog(tp.base, (e) => e.message.includes(dest) &&
    /TFTP: (downloaded .* to |failed to download .* to )|is up to date/.test(e.message), ms, `outcome for ${dest}`);
}

async function entriesAbout(tp: TftpProxy, dest: string): Promise<LogEntry[]> {
  return (await logs(tp.base)).logs.filter((e) => e.message.includes(dest));
}

/** Files in a folder besides the expected ones: temporary or partial leftovers. */
function folderListing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

describe('HTTP downloads', () => {
  test('downloads to <prefix>-<name> with the remote mtime; outcome logged with the destination and request id', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/centos-x86_64', `${origin.http}/files/${name}`, 'req-fetch-001');
    const dest = path.join(strictRoot, `boot/centos-x86_64-${name}`);
    const done = await outcome(strict, dest);
    expect(done.level).toBe('INFO');
    expect(done.message).toMatch(new RegExp(`^TFTP: downloaded ${origin.http}/files/${name} to ${dest}: 300000 bytes in \\d+ ms`));
    expect(done.request_id).toBe('req-fetc');
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
    expect(fs.statSync(dest).mtime.getTime()).toBe(T1.getTime());
    expect(folderListing(path.join(strictRoot, 'boot'))).toEqual([`centos-x86_64-${name}`]);
    const started = (await entriesAbout(strict, dest)).find((e) => e.message.startsWith('TFTP: downloading http'));
    expect(started?.level).toBe('INFO');
  });

  test('a prefix ending in / takes the remote name as is; an absolute prefix inside the root works', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/plain/', `${origin.http}/files/${name}`);
    await outcome(strict, path.join(strictRoot, 'boot/plain', name));
    await fetchBoot(strict, path.join(strictRoot, 'abs/x'), `${origin.http}/files/${name}`);
    await outcome(strict, path.join(strictRoot, `abs/x-${name}`));
    expect(fs.readFileSync(path.join(strictRoot, `abs/x-${name}`)).equals(KERNEL)).toBe(true);
  });

  test('redirects are followed (relative, chained, and http -> https)', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/redir', `${origin.http}/redirect/3/${name}`);
    const dest = path.join(strictRoot, `boot/redir-${name}`);
    expect((await outcome(strict, dest)).message).toMatch(/^TFTP: downloaded/);
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);

    await fetchBoot(lax, 'boot/cross', `${origin.http}/to-https/${name}`);
    const crossed = path.join(laxRoot, `boot/cross-${name}`);
    expect((await outcome(lax, crossed)).message).toMatch(/^TFTP: downloaded/);
    expect(fs.readFileSync(crossed).equals(KERNEL)).toBe(true);
  });

  test('a redirect loop stops at the limit: error logged, no file', async () => {
    await fetchBoot(strict, 'boot/loop', `${origin.http}/loop`);
    const dest = path.join(strictRoot, 'boot/loop-loop');
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toContain('Maximum (5) redirects followed');
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('404: one attempt only, error logged, no file', async () => {
    const before = origin.hits('/missing');
    await fetchBoot(strict, 'boot/nf', `${origin.http}/missing`);
    const dest = path.join(strictRoot, 'boot/nf-missing');
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toBe(`TFTP: failed to download ${origin.http}/missing to ${dest}: The requested URL returned error: 404 Not Found`);
    expect(origin.hits('/missing') - before).toBe(1);
    expect(folderListing(path.join(strictRoot, 'boot')).filter((f) => f.includes('nf-'))).toEqual([]);
  });

  test('503 every time: 1 + 3 attempts, each retry logged at WARN, then ERROR', async () => {
    await fetchBoot(strict, 'boot/busy', `${origin.http}/always/503`);
    const dest = path.join(strictRoot, 'boot/busy-503');
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toContain('(after 4 attempts)');
    expect(origin.hits('/always/503')).toBe(4);
    const warns = (await entriesAbout(strict, dest)).filter((e) => e.level === 'WARN');
    expect(warns.map((w) => /attempt (\d) of 4/.exec(w.message)?.[1])).toEqual(['1', '2', '3']);
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('a server that fails twice then answers: downloaded on the third attempt', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/flaky', `${origin.http}/flaky/2/${name}`);
    const dest = path.join(strictRoot, `boot/flaky-${name}`);
    expect((await outcome(strict, dest)).message).toMatch(/^TFTP: downloaded/);
    expect(origin.hits(`/flaky/2/${name}`)).toBe(3);
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
  });
});

describe('interrupted and slow transfers', () => {
  test('a connection cut mid-body: retried, then ERROR; the previous file stays intact and no partial file remains', async () => {
    const name = originFile(KERNEL, T2);
    const dir = path.join(strictRoot, 'boot');
    const dest = path.join(dir, `cut-${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(dest, 'previous kernel');
    fs.utimesSync(dest, T1, T1);
    await fetchBoot(strict, 'boot/cut', `${origin.http}/cut/${name}`);
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toMatch(/Connection closed after \d+ of 300000 bytes|bytes remaining/);
    expect(origin.hits(`/cut/${name}`)).toBe(4);
    expect(fs.readFileSync(dest, 'utf8')).toBe('previous kernel');
    expect(fs.statSync(dest).mtime.getTime()).toBe(T1.getTime());
    expect(folderListing(dir).filter((f) => f.includes(`cut-${name}`))).toEqual([`cut-${name}`]);
  });

  test('a cut that does not repeat: the retry completes the download', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/cut1', `${origin.http}/cut-once/${name}`);
    const dest = path.join(strictRoot, `boot/cut1-${name}`);
    expect((await outcome(strict, dest)).message).toMatch(/^TFTP: downloaded/);
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
    expect(folderListing(path.join(strictRoot, 'boot')).filter((f) => f.includes(`cut1-${name}`))).toEqual([`cut1-${name}`]);
  });

  test('a server that never answers: idle timeout on every attempt, then ERROR, no file', async () => {
    await fetchBoot(strict, 'boot/mute', `${origin.http}/no-headers`);
    const dest = path.join(strictRoot, 'boot/mute-no-headers');
    const done = await outcome(strict, dest);
    expect(done.message).toContain('No data received for 400 ms');
    expect(done.message).toContain('(after 4 attempts)');
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('a body that stalls half way: idle timeout, no partial file', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/stall', `${origin.http}/stall/${name}`);
    const dest = path.join(strictRoot, `boot/stall-${name}`);
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toContain('No data received for 400 ms');
    expect(folderListing(path.join(strictRoot, 'boot')).filter((f) => f.includes(`stall-${name}`))).toEqual([]);
  });

  test('connect timeout = tftp_connect_timeout: a TLS handshake that never completes fails after 0.3 s per attempt', async () => {
    const startedAt = Date.now();
    await fetchBoot(strict, 'boot/hs', `https://${origin.silent}/vmlinuz`);
    const dest = path.join(strictRoot, 'boot/hs-vmlinuz');
    const done = await outcome(strict, dest);
    expect(done.message).toContain('Connection timed out after 300 ms');
    expect(done.message).toContain('(after 4 attempts)');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(4 * 300);
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('progress of a slow download is logged with the destination', async () => {
    const name = originFile();
    await fetchBoot(strict, 'boot/slow', `${origin.http}/drip/60/${name}`);
    const dest = path.join(strictRoot, `boot/slow-${name}`);
    await outcome(strict, dest);
    const progress = (await entriesAbout(strict, dest)).filter((e) => e.message.startsWith(`TFTP: downloading to ${dest}: `));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0].level).toBe('INFO');
    expect(progress[progress.length - 1].message).toMatch(/ of 293\.0 KiB \(\d+%\)$/);
  });

  test('one download per destination: a concurrent identical request is a no-op', async () => {
    const name = originFile();
    const src = `${origin.http}/drip/50/${name}`;
    await fetchBoot(strict, 'boot/once', src);
    await fetchBoot(strict, 'boot/once', src);
    await fetchBoot(strict, 'boot/once', src);
    const dest = path.join(strictRoot, `boot/once-${name}`);
    expect((await outcome(strict, dest)).message).toMatch(/^TFTP: downloaded/);
    expect(origin.hits(`/drip/50/${name}`)).toBe(1);
    const skipped = (await entriesAbout(strict, dest)).filter((e) => e.message.includes('already in progress'));
    expect(skipped).toHaveLength(2);
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
  });
});

describe('only when newer (curl --time-cond, --remote-time)', () => {
  test('If-Modified-Since carries the local mtime; 304 keeps the file; a newer remote replaces it', async () => {
    const name = originFile(Buffer.from('kernel v1'), T1);
    const src = `${origin.http}/files/${name}`;
    const dest = path.join(strictRoot, `boot/ims-${name}`);
    await fetchBoot(strict, 'boot/ims', src);
    await outcome(strict, dest);
    const inode = fs.statSync(dest).ino;

    await fetchBoot(strict, 'boot/ims', src);
    await waitForLog(strict.base, (e) => e.message === `TFTP: ${dest} is up to date, not downloaded again (server answered 304 Not Modified)`);
    const sent = origin.requests.filter((r) => r.path === `/files/${name}`);
    expect(sent[0].ifModifiedSince).toBeUndefined();
    expect(sent[1].ifModifiedSince).toBe(T1.toUTCString());
    expect(fs.statSync(dest).ino).toBe(inode);

    origin.files.set(name, { body: Buffer.from('kernel v2'), lastModified: T2 });
    await fetchBoot(strict, 'boot/ims', src);
    await waitForLog(strict.base, (e) => e.message.startsWith(`TFTP: downloaded ${src} to ${dest}: 9 bytes`) &&
      fs.readFileSync(dest, 'utf8') === 'kernel v2');
    expect(fs.statSync(dest).mtime.getTime()).toBe(T2.getTime());
  });

  test('a server that ignores If-Modified-Since: a Last-Modified not newer than the local file is not downloaded', async () => {
    const name = originFile(Buffer.from('same kernel'), T1);
    const dest = path.join(strictRoot, `boot/noims-${name}`);
    await fetchBoot(strict, 'boot/noims', `${origin.http}/ignore-ims/${name}`);
    await outcome(strict, dest);
    fs.writeFileSync(dest, 'local copy');
    fs.utimesSync(dest, T2, T2);
    await fetchBoot(strict, 'boot/noims', `${origin.http}/ignore-ims/${name}`);
    await waitForLog(strict.base, (e) => e.message.includes(`TFTP: ${dest} is up to date`) && e.message.includes('is not newer'));
    expect(fs.readFileSync(dest, 'utf8')).toBe('local copy');
  });

  test('without Last-Modified the file is downloaded every time (nothing to compare)', async () => {
    const name = originFile(Buffer.from('no date'), null);
    const dest = path.join(strictRoot, `boot/nolm-${name}`);
    await fetchBoot(strict, 'boot/nolm', `${origin.http}/files/${name}`);
    await outcome(strict, dest);
    fs.writeFileSync(dest, 'stale');
    await fetchBoot(strict, 'boot/nolm', `${origin.http}/files/${name}`);
    await waitForLog(strict.base, () => fs.readFileSync(dest, 'utf8') === 'no date');
  });
});

describe('HTTPS and verify_server_cert', () => {
  test('verify_server_cert true: a self-signed server is refused, once (not retried), no file', async () => {
    const name = originFile();
    const before = origin.hits(`/files/${name}`);
    await fetchBoot(strict, 'boot/tls', `${origin.https}/files/${name}`);
    const dest = path.join(strictRoot, `boot/tls-${name}`);
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toMatch(/self[- ]signed certificate/i);
    expect(done.message).not.toContain('attempts');
    expect(origin.hits(`/files/${name}`)).toBe(before);
    expect(fs.existsSync(dest)).toBe(false);
  });

  test('verify_server_cert false: the same server is accepted', async () => {
    const name = originFile();
    await fetchBoot(lax, 'boot/tls', `${origin.https}/files/${name}`);
    const dest = path.join(laxRoot, `boot/tls-${name}`);
    expect((await outcome(lax, dest)).message).toMatch(/^TFTP: downloaded https:/);
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
  });
});

describe('HTTPS with a CA from the system store (as curl trusts it)', () => {
  // An internal mirror: its certificate is signed by a CA that only the system store knows.
  let pki: TestPki;
  let mirror: Origin;
  let systemTrusting: TftpProxy;
  let root: string;
  const saved = { SSL_CERT_FILE: process.env.SSL_CERT_FILE, CURL_CA_BUNDLE: process.env.CURL_CA_BUNDLE };

  beforeAll(async () => {
    pki = makeTestPki();
    mirror = await startOrigin({ key: fs.readFileSync(pki.serverKey), cert: fs.readFileSync(pki.serverCert) });
    const bundle = path.join(pki.dir, 'ca-certificates.crt');
    fs.writeFileSync(bundle, fs.readFileSync(pki.caCert));
    root = path.join(t.dir, 'system-trust');
    // The module reads the variables when it starts; the other proxies started without them.
    process.env.SSL_CERT_FILE = bundle;
    delete process.env.CURL_CA_BUNDLE;
    try {
      systemTrusting = await startTftpProxy({ tftp: { enabled: true, tftproot: root } }, TUNING);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
  afterAll(async () => {
    await systemTrusting?.stop();
    await mirror?.close();
    pki?.cleanup();
  });

  test('SSL_CERT_FILE names a bundle holding the CA: downloaded, verified (verify_server_cert true)', async () => {
    const name = `sys-${originFile()}`;
    mirror.files.set(name, { body: KERNEL, lastModified: T1 });
    await fetchBoot(systemTrusting, 'boot/mirror', `${mirror.https}/files/${name}`);
    const dest = path.join(root, `boot/mirror-${name}`);
    expect((await outcome(systemTrusting, dest)).message).toMatch(new RegExp(`^TFTP: downloaded ${mirror.https}/files/${name} to ${dest}: 300000 bytes`));
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
    const loaded = (await logs(systemTrusting.base)).logs.find((e) => e.message.startsWith('TFTP: HTTPS downloads trust'));
    expect(loaded?.message).toContain(`from ${path.join(pki.dir, 'ca-certificates.crt')} (SSL_CERT_FILE)`);
  });

  test('a CA that is not in the system store: refused once, with a logged error saying what to do', async () => {
    const name = `sys-${originFile()}`;
    mirror.files.set(name, { body: KERNEL, lastModified: T1 });
    await fetchBoot(strict, 'boot/mirror', `${mirror.https}/files/${name}`);
    const dest = path.join(strictRoot, `boot/mirror-${name}`);
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toBe(`TFTP: failed to download ${mirror.https}/files/${name} to ${dest}: ` +
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate (the server\'s CA is neither in ' +
      'Node\'s list nor in the system store: add it with update-ca-certificates, or set verify_server_cert: false)');
    expect(mirror.hits(`/files/${name}`)).toBe(0);
    expect(fs.existsSync(dest)).toBe(false);
  });
});

describe('FTP (vsftpd on loopback)', () => {
  test('downloads with the remote mtime (MDTM), then skips while not newer, then takes a newer file', async () => {
    const file = path.join(ftp.root, 'images', 'vmlinuz');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, KERNEL);
    fs.utimesSync(file, T1, T1);
    const src = `${ftp.url}/images/vmlinuz`;
    const dest = path.join(strictRoot, 'boot/ftp-vmlinuz');
    await fetchBoot(strict, 'boot/ftp', src);
    const done = await outcome(strict, dest);
    expect(done.message).toMatch(new RegExp(`^TFTP: downloaded ${src} to ${dest}: 300000 bytes`));
    expect(fs.readFileSync(dest).equals(KERNEL)).toBe(true);
    expect(fs.statSync(dest).mtime.getTime()).toBe(T1.getTime());

    await fetchBoot(strict, 'boot/ftp', src);
    await waitForLog(strict.base, (e) => e.message.startsWith(`TFTP: ${dest} is up to date`));

    fs.writeFileSync(file, 'new kernel');
    fs.utimesSync(file, T2, T2);
    await fetchBoot(strict, 'boot/ftp', src);
    await waitForLog(strict.base, (e) => e.message.startsWith(`TFTP: downloaded ${src} to ${dest}: 10 bytes`));
    expect(fs.readFileSync(dest, 'utf8')).toBe('new kernel');
    expect(fs.statSync(dest).mtime.getTime()).toBe(T2.getTime());
  });

  test('a missing FTP file: 550, not retried, error logged, no file', async () => {
    const dest = path.join(strictRoot, 'boot/ftpmiss-nothing');
    await fetchBoot(strict, 'boot/ftpmiss', `${ftp.url}/nothing`);
    const done = await outcome(strict, dest);
    expect(done.level).toBe('ERROR');
    expect(done.message).toContain('FTP error 550');
    expect(done.message).not.toContain('attempts');
    expect(fs.existsSync(dest)).toBe(false);
  });
});

describe('escaping prefixes are refused before any download', () => {
  test.each([
    ['../escape', 'a ../ prefix'],
    ['/etc/escape', 'an absolute path outside'],
    ['SIBLING', 'a tftpboot2-style sibling'],
    ['LINK/escape', 'a symlinked folder leading outside'],
  ])('%s (%s)', async (prefix, _why) => {
    const outside = path.join(t.dir, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    fs.mkdirSync(strictRoot, { recursive: true });
    if (!fs.existsSync(path.join(strictRoot, 'LINK'))) fs.symlinkSync(outside, path.join(strictRoot, 'LINK'));
    const p = prefix === 'SIBLING' ? `${strictRoot}2/escape` : prefix;
    const name = originFile();
    const res = await call(strict.base, 'post', '/tftp/fetch_boot_file', { prefix: p, path: `${origin.http}/files/${name}` });
    expect([res.status, res.body]).toEqual([400, 'TFTP: Failed to fetch boot file: TFTP destination outside of tftproot']);
    expect(origin.hits(`/files/${name}`)).toBe(0);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(`${strictRoot}2`)).toBe(false);
  });
});

describe('time cap and shutdown', () => {
  test('the overall cap (curl --max-time) ends a download that takes too long: ERROR, not retried, no partial file', async () => {
    const capped = await startTftpProxy({ tftp: { enabled: true, tftproot: path.join(t.dir, 'capped') } }, { ...TUNING, maxTimeMs: 300 });
    try {
      const name = originFile();
      await fetchBoot(capped, 'boot/cap', `${origin.http}/drip/100/${name}`);
      const dest = path.join(t.dir, 'capped', `boot/cap-${name}`);
      const done = await outcome(capped, dest);
      expect(done.level).toBe('ERROR');
      expect(done.message).toContain('Operation timed out after 300 ms');
      expect(origin.hits(`/drip/100/${name}`)).toBe(1);
      expect(folderListing(path.join(t.dir, 'capped', 'boot'))).toEqual([]);
    } finally {
      await capped.stop();
    }
  });

  test('stopping the proxy aborts running downloads: previous file intact, temporary file removed, outcome logged', async () => {
    const root = path.join(t.dir, 'stopping');
    const tp = await startTftpProxy({ tftp: { enabled: true, tftproot: root } }, TUNING);
    const name = originFile();
    const dest = path.join(root, `boot/stop-${name}`);
    try {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, 'previous');
      fs.utimesSync(dest, new Date(0), new Date(0));
      await fetchBoot(tp, 'boot/stop', `${origin.http}/drip/200/${name}`);
      await waitForLog(tp.base, (e) => e.message.startsWith(`TFTP: downloading to ${dest}: `) && e.message.includes(' of '));
      expect(folderListing(path.dirname(dest)).length).toBe(2);
    } finally {
      await tp.stop();
    }
    expect(folderListing(path.dirname(dest))).toEqual([`stop-${name}`]);
    expect(fs.readFileSync(dest, 'utf8')).toBe('previous');
    const last = logBuffer().entries(0).filter((e) => e.message.includes(dest)).pop();
    expect(last).toMatchObject({ level: 'ERROR', message: expect.stringContaining('Download aborted: the proxy is stopping') });
  });
});
