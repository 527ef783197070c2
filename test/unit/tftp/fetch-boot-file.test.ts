/**
 * fetch_boot_file without the network: file-name derivation, real containment (F1), scheme
 * dispatch and parameter errors. Downloads themselves are in test/integration/tftp.
 */
import * as fs from 'fs';
import * as path from 'path';
import { bootFileName, containedDestination, schemeOf } from '../../../src/modules/tftp/boot-file';
import { call, filesUnder, startTftpProxy, tempDir, TftpProxy } from '../../support/tftp';

const FAILED = 'TFTP: Failed to fetch boot file: ';
const OUTSIDE = `${FAILED}TFTP destination outside of tftproot`;

describe('boot file name (reference §6.5 step 1)', () => {
  test.each([
    ['a/b/c/', '/d/somefile', 'a/b/c/somefile'],
    ['a/b/c', '/d/somefile', 'a/b/c-somefile'],
    ['boot/centos-x86_64-abc', 'http://mirror/os/images/pxeboot/vmlinuz', 'boot/centos-x86_64-abc-vmlinuz'],
    ['boot/x', 'http://mirror/pxeboot/initrd.img?arch=x86_64', 'boot/x-initrd.img?arch=x86_64'],
    ['boot/x', 'http://mirror/pxeboot/initrd.img//', 'boot/x-initrd.img'],
    ['', 'http://mirror/vmlinuz', '-vmlinuz'],
    ['boot/', 'http://mirror', 'boot/mirror'],
  ])('%j + %j -> %j', (prefix, src, expected) => expect(bootFileName(prefix, src)).toBe(expected));

  test.each(['', '/', '///'])('a source without any segment (%j) is refused with a clear text', (src) => {
    expect(() => bootFileName('boot/x', src)).toThrow(/no file name in medium source path/);
  });
});

describe('scheme', () => {
  test.each([
    ['http://a/b', 'http'], ['HTTPS://a/b', 'https'], ['ftp://a/b', 'ftp'], ['nfs://a/b', 'nfs'], ['git://a/b', 'git'],
    ['/local/file', null], ['relative/file', null], ['1http://x', null],
  ])('%s -> %s', (src, scheme) => expect(schemeOf(src)).toBe(scheme));
});

describe('containment (F1: real paths, symlinks resolved)', () => {
  let t: ReturnType<typeof tempDir>;
  let root: string;
  beforeEach(() => {
    t = tempDir('tftp-contain-');
    root = path.join(t.dir, 'tftpboot');
    fs.mkdirSync(path.join(root, 'boot'), { recursive: true });
    fs.mkdirSync(path.join(t.dir, 'outside'));
    fs.mkdirSync(path.join(t.dir, 'tftpboot2'));
    fs.symlinkSync(path.join(t.dir, 'outside'), path.join(root, 'escape'));
    fs.symlinkSync('boot', path.join(root, 'boot-link'));
    fs.symlinkSync(path.join(t.dir, 'outside', 'file'), path.join(root, 'boot', 'x-linked'));
  });
  afterEach(() => t.cleanup());

  test.each([
    ['boot/x-vmlinuz', 'boot/x-vmlinuz'],
    ['deep/new/dir/file', 'deep/new/dir/file'],
    ['boot-link/y', 'boot/y'],
    ['boot/../boot/z', 'boot/z'],
  ])('%s is inside (real path %s); parent folders are created', async (name, real) => {
    const dest = await containedDestination(root, name);
    expect(dest).toBe(path.join(fs.realpathSync(root), real));
    expect(fs.statSync(path.dirname(dest)).isDirectory()).toBe(true);
  });

  test('a symlink at the destination that stays inside is written through (as curl did)', async () => {
    fs.symlinkSync('real-kernel', path.join(root, 'boot', 'x-inlink'));
    expect(await containedDestination(root, 'boot/x-inlink')).toBe(path.join(fs.realpathSync(root), 'boot', 'real-kernel'));
  });

  test('an absolute name inside the root is fine', async () => {
    expect(await containedDestination(root, path.join(root, 'boot', 'abs'))).toBe(path.join(root, 'boot', 'abs'));
  });

  test.each([
    ['../outside/x', 'a ../ climbing out'],
    ['boot/../../outside/x', 'a ../ after a folder'],
    ['/etc/x', 'an absolute path elsewhere'],
    ['SIBLING', 'the tftpboot2-style sibling that passes a string-prefix check'],
    ['escape/x', 'a symlinked folder leading outside'],
    ['escape/new/dir/x', 'a new folder below a symlink leading outside'],
    ['boot/x-linked', 'a destination that is a symlink to a file outside'],
    ['.', 'the root itself'],
    ['boot/..', 'the root itself via ..'],
  ])('%s is refused (%s) and creates nothing outside', async (name, _why) => {
    const n = name === 'SIBLING' ? path.join(t.dir, 'tftpboot2', 'x') : name;
    await expect(containedDestination(root, n)).rejects.toThrow('TFTP destination outside of tftproot');
    expect(filesUnder(path.join(t.dir, 'outside'))).toEqual([]);
    expect(fs.readdirSync(path.join(t.dir, 'outside'))).toEqual([]);
  });

  test('a tftproot that is itself a symlink works (containment is against its real path)', async () => {
    const link = path.join(t.dir, 'root-link');
    fs.symlinkSync(root, link);
    expect(await containedDestination(link, 'boot/k')).toBe(path.join(fs.realpathSync(root), 'boot', 'k'));
    await expect(containedDestination(link, 'escape/k')).rejects.toThrow('outside of tftproot');
  });
});

describe('POST /tftp/fetch_boot_file without downloads', () => {
  let t: ReturnType<typeof tempDir>;
  let root: string;
  let tp: TftpProxy;
  beforeAll(async () => {
    t = tempDir('tftp-fetch-unit-');
    root = path.join(t.dir, 'tftpboot');
    fs.mkdirSync(path.join(t.dir, 'outside'));
    tp = await startTftpProxy({ tftp: { enabled: true, tftproot: root } });
  });
  afterAll(async () => {
    await tp.stop();
    t.cleanup();
  });

  test('nfs:// is accepted and ignored: 200, empty body, the parent folder is made, no file', async () => {
    const res = await call(tp.base, 'post', '/tftp/fetch_boot_file', { prefix: 'boot/nfs/os-x86_64', path: 'nfs://server/export/os/vmlinuz' });
    expect([res.status, res.headers['content-type'], res.body]).toEqual([200, 'text/html;charset=utf-8', '']);
    expect(fs.statSync(path.join(root, 'boot/nfs')).isDirectory()).toBe(true);
    expect(filesUnder(root)).toEqual([]);
  });

  test.each([
    ['git://server/repo/vmlinuz'],
    ['file:///etc/passwd'],
    ['/srv/os/vmlinuz'],
    ['tftp://server/vmlinuz'],
  ])('%s: 400 unknown protocol', async (src) => {
    const res = await call(tp.base, 'post', '/tftp/fetch_boot_file', { prefix: 'boot/x', path: src });
    expect([res.status, res.headers['content-type'], res.body])
      .toEqual([400, 'application/json', `${FAILED}Cannot fetch boot file, unknown protocol for medium source path: ${src}`]);
  });

  test.each([
    ['../outside/x'], ['boot/../../outside/x'], ['/etc/x'], ['/tmp/x'],
  ])('prefix %s: 400 outside of tftproot', async (prefix) => {
    const res = await call(tp.base, 'post', '/tftp/fetch_boot_file', { prefix, path: 'http://127.0.0.1:9/vmlinuz' });
    expect([res.status, res.body]).toEqual([400, OUTSIDE]);
  });

  test('a sibling folder sharing the root as a string prefix is refused (F1)', async () => {
    const res = await call(tp.base, 'post', '/tftp/fetch_boot_file', { prefix: `${root}2/boot/x`, path: 'http://127.0.0.1:9/vmlinuz' });
    expect([res.status, res.body]).toEqual([400, OUTSIDE]);
    expect(fs.existsSync(`${root}2`)).toBe(false);
  });

  test.each([
    [{ path: 'http://x/vmlinuz' }, `${FAILED}parameter 'prefix' (destination below tftproot) is missing`],
    [{ prefix: 'boot/x' }, `${FAILED}parameter 'path' (URL of the boot file) is missing`],
    [{}, `${FAILED}parameter 'prefix' (destination below tftproot) is missing`],
    [{ prefix: 'boot/x', path: '/' }, `${FAILED}Cannot fetch boot file, no file name in medium source path: /`],
    // As the baseline: the last segment of "http://" is "http:", and the URL has no host.
    [{ prefix: 'boot/x', path: 'http://' }, `${FAILED}bad URI(is not URI?): "http://"`],
    [{ prefix: 'boot/x', path: 'http://[bad/vmlinuz' }, `${FAILED}bad URI(is not URI?): "http://[bad/vmlinuz"`],
  ])('%j: 400 %j', async (form, text) => {
    const res = await call(tp.base, 'post', '/tftp/fetch_boot_file', form as Record<string, string>);
    expect([res.status, res.body]).toEqual([400, text]);
  });

  test('parameters may come from the query string', async () => {
    const res = await call(tp.base, 'post', '/tftp/fetch_boot_file?prefix=boot/q/x&path=nfs://s/e/vmlinuz?a=b', '');
    expect(res.status).toBe(200);
    expect(fs.statSync(path.join(root, 'boot/q')).isDirectory()).toBe(true);
  });
});
