/**
 * The config routes through the real core against a temporary tftproot: every variant × operation,
 * file names and contents of §6.3, statuses and texts of §6.4, and the baseline's route order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { rawRequest } from '../../support/raw-http';
import { call, filesUnder, startTftpProxy, tempDir, TftpProxy } from '../../support/tftp';

const HTML = 'text/html;charset=utf-8';
const MAC = 'AA:BB:CC:DD:EE:0F';
const MAC20 = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:0b:0c';
const MAC_SHORT = 'a:B:c:0:1:2';

let tmp: ReturnType<typeof tempDir>;
let root: string;
let tp: TftpProxy;

beforeAll(async () => {
  tmp = tempDir('tftp-routes-');
  root = path.join(tmp.dir, 'tftpboot');
  tp = await startTftpProxy({ tftp: { enabled: true, tftproot: root, tftp_servername: 'tftp.example.com' } });
});
afterAll(async () => {
  await tp.stop();
  tmp.cleanup();
});
beforeEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const read = (rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');

/** Expected per-MAC files for each variant, written out by hand from §6.3. */
const PER_MAC: Record<string, (mac: string) => string[]> = {
  syslinux: (m) => [`pxelinux.cfg/01-${m.replace(/:/g, '-').toLowerCase()}`],
  pxelinux: (m) => [`pxelinux.cfg/01-${m.replace(/:/g, '-').toLowerCase()}`],
  pxegrub: (m) => [`grub/menu.lst.01${m.replace(/:/g, '').toUpperCase()}`, `grub/01-${m.replace(/:/g, '-').toUpperCase()}`],
  pxegrub2: (m) => [`grub2/grub.cfg-01-${m.replace(/:/g, '-').toLowerCase()}`, `grub2/grub.cfg-${m.toLowerCase()}`],
  ipxe: (m) => [`pxelinux.cfg/01-${m.replace(/:/g, '-').toLowerCase()}.ipxe`],
  ztp: (m) => [`ztp.cfg/${m.replace(/:/g, '').toUpperCase()}`, `ztp.cfg/${m.replace(/:/g, '').toUpperCase()}.cfg`],
  poap: (m) => [`poap.cfg/${m.replace(/:/g, '').toUpperCase()}`],
};
const DEFAULTS: Record<string, string[]> = {
  syslinux: ['pxelinux.cfg/default'],
  pxelinux: ['pxelinux.cfg/default'],
  pxegrub: ['grub/efidefault', 'grub/menu.lst'],
  pxegrub2: ['grub2/grub.cfg'],
  ipxe: ['pxelinux.cfg/default.ipxe'],
  ztp: ['ztp.cfg'],
  poap: ['poap.cfg'],
};
const VARIANT_SPELLINGS: Record<string, string[]> = {
  syslinux: ['syslinux', 'SYSLINUX'], pxelinux: ['PXELinux', 'pxelinux'], pxegrub: ['PXEGrub', 'pxegrub'],
  pxegrub2: ['PXEGrub2', 'pxegrub2'], ipxe: ['iPXE', 'ipxe'], ztp: ['ztp', 'ZTP'], poap: ['poap', 'Poap'],
};

const cases = Object.keys(PER_MAC).flatMap((v) => VARIANT_SPELLINGS[v].flatMap((spelling) =>
  [MAC, MAC20, MAC_SHORT].map((mac) => [v, spelling, mac] as const)));

describe.each(cases)('%s spelled %s, MAC %s', (variant, spelling, mac) => {
  const content = `# ${variant} config for ${mac}\nkernel boot/vmlinuz\n\u00e9\n`;

  test('POST writes every per-MAC file with the exact content; GET reads the first; DELETE removes all', async () => {
    const post = await call(tp.base, 'post', `/tftp/${spelling}/${mac}`, { pxeconfig: content });
    expect([post.status, post.headers['content-type'], post.body]).toEqual([200, HTML, '']);
    expect(post.headers['content-length']).toBe('0');
    expect(filesUnder(root)).toEqual([...PER_MAC[variant](mac)].sort());
    for (const rel of PER_MAC[variant](mac)) expect(read(rel)).toBe(content);

    fs.writeFileSync(path.join(root, PER_MAC[variant](mac)[0]), 'first file wins');
    const get = await call(tp.base, 'get', `/tftp/${spelling}/${mac}`);
    expect([get.status, get.headers['content-type'], get.body]).toEqual([200, HTML, 'first file wins']);

    const del = await call(tp.base, 'delete', `/tftp/${spelling}/${mac}`);
    expect([del.status, del.headers['content-type'], del.body]).toEqual([200, HTML, '']);
    expect(filesUnder(root)).toEqual([]);

    const again = await call(tp.base, 'delete', `/tftp/${spelling}/${mac}`);
    expect([again.status, again.body]).toEqual([200, '']);
  });

  test('GET of a missing config is 404 naming the absolute path of the first file', async () => {
    const res = await call(tp.base, 'get', `/tftp/${spelling}/${mac}`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe(`TFTP: Failed to retrieve pxe config file: File ${path.join(root, PER_MAC[variant](mac)[0])} not found`);
  });
});

describe.each(Object.keys(DEFAULTS))('create_default for %s', (variant) => {
  test.each(VARIANT_SPELLINGS[variant])('spelled %s writes the default file(s)', async (spelling) => {
    const res = await call(tp.base, 'post', `/tftp/${spelling}/create_default`, { menu: `menu of ${variant}` });
    expect([res.status, res.headers['content-type'], res.body]).toEqual([200, HTML, '']);
    expect(filesUnder(root)).toEqual(DEFAULTS[variant]);
    for (const rel of DEFAULTS[variant]) expect(read(rel)).toBe(`menu of ${variant}`);
  });

  test('without menu: 400 "Default config not supplied"', async () => {
    const res = await call(tp.base, 'post', `/tftp/${variant}/create_default`, '');
    expect([res.status, res.headers['content-type'], res.body])
      .toEqual([400, 'application/json', 'TFTP: Failed to create PXE default file: Default config not supplied']);
    expect(filesUnder(root)).toEqual([]);
  });
});

describe('ztp and poap have no default menu (baseline quirk, kept)', () => {
  test.each(['ztp', 'poap'])('%s create_default writes a file at the config folder path (per-MAC writes 400, deletes 200); once the folder exists it is 400', async (v) => {
    expect((await call(tp.base, 'post', `/tftp/${v}/create_default`, { menu: 'm' })).status).toBe(200);
    expect(fs.statSync(path.join(root, `${v}.cfg`)).isFile()).toBe(true);
    // With that file in the way, per-MAC configs cannot be written: the baseline's mkdir error.
    const blocked = await call(tp.base, 'post', `/tftp/${v}/${MAC}`, { pxeconfig: 'x' });
    expect(blocked.status).toBe(400);
    expect(blocked.body).toBe(`TFTP: Failed to create pxe config file: File exists @ dir_s_mkdir - ${path.join(root, `${v}.cfg`)}`);
    // Deleting one is a no-op: no config can exist below a file (the baseline's File.exist? is false).
    const del = await call(tp.base, 'delete', `/tftp/${v}/${MAC}`);
    expect([del.status, del.headers['content-type'], del.body]).toEqual([200, HTML, '']);
    expect(fs.statSync(path.join(root, `${v}.cfg`)).isFile()).toBe(true);

    fs.rmSync(path.join(root, `${v}.cfg`));
    expect((await call(tp.base, 'post', `/tftp/${v}/${MAC}`, { pxeconfig: 'x' })).status).toBe(200);
    const res = await call(tp.base, 'post', `/tftp/${v}/create_default`, { menu: 'm' });
    expect([res.status, res.body]).toEqual([400, `TFTP: Failed to create PXE default file: Is a directory @ rb_sysopen - ${root}/${v}.cfg`]);
  });
});

describe('syslinux shorthands (routes 6, 7, 8)', () => {
  test('POST /tftp/<mac>, GET /tftp/syslinux/<mac>, DELETE /tftp/<mac>', async () => {
    const post = await call(tp.base, 'post', '/tftp/00:11:22:33:44:66', { syslinux_config: 'DEFAULT local' });
    expect([post.status, post.body]).toEqual([200, '']);
    expect(read('pxelinux.cfg/01-00-11-22-33-44-66')).toBe('DEFAULT local');
    const get = await call(tp.base, 'get', '/tftp/syslinux/00:11:22:33:44:66');
    expect([get.status, get.headers['content-type'], get.headers['content-length'], get.body]).toEqual([200, HTML, '13', 'DEFAULT local']);
    expect((await call(tp.base, 'delete', '/tftp/00:11:22:33:44:66')).status).toBe(200);
    expect(filesUnder(root)).toEqual([]);
  });

  test('POST /tftp/create_default writes pxelinux.cfg/default', async () => {
    expect((await call(tp.base, 'post', '/tftp/create_default', { menu: 'DEFAULT menu' })).status).toBe(200);
    expect(filesUnder(root)).toEqual(['pxelinux.cfg/default']);
    expect(read('pxelinux.cfg/default')).toBe('DEFAULT menu');
  });

  test('20-byte MAC on the shorthand', async () => {
    expect((await call(tp.base, 'post', `/tftp/${MAC20}`, { pxeconfig: 'ib' })).status).toBe(200);
    expect(filesUnder(root)).toEqual([`pxelinux.cfg/01-${MAC20.replace(/:/g, '-')}`]);
  });
});

describe('parameters (reference §6.4, reference-responses §4)', () => {
  const url = '/tftp/pxegrub2/00:11:22:33:44:55';

  test('pxeconfig wins over syslinux_config; syslinux_config is the fallback', async () => {
    await call(tp.base, 'post', url, { pxeconfig: 'from pxeconfig', syslinux_config: 'from syslinux_config' });
    expect(read('grub2/grub.cfg-00:11:22:33:44:55')).toBe('from pxeconfig');
    await call(tp.base, 'post', url, { syslinux_config: 'set timeout=1\nmenuentry "x" {}\n' });
    expect(read('grub2/grub.cfg-01-00-11-22-33-44-55')).toBe('set timeout=1\nmenuentry "x" {}\n');
  });

  test('an empty pxeconfig is content (an empty file), not a missing parameter', async () => {
    expect((await call(tp.base, 'post', url, 'pxeconfig=')).status).toBe(200);
    expect(read('grub2/grub.cfg-00:11:22:33:44:55')).toBe('');
  });

  test('query-string parameters count; the form body wins over the query', async () => {
    expect((await call(tp.base, 'post', `${url}?pxeconfig=from%20query`, '')).status).toBe(200);
    expect(read('grub2/grub.cfg-00:11:22:33:44:55')).toBe('from query');
    expect((await call(tp.base, 'post', `${url}?pxeconfig=from%20query`, { pxeconfig: 'from body' })).status).toBe(200);
    expect(read('grub2/grub.cfg-00:11:22:33:44:55')).toBe('from body');
  });

  test.each([
    ['empty form body', ''],
    ['unrelated fields', 'foo=bar'],
  ])('%s: 400 "Invalid parameters received"', async (_, form) => {
    const res = await call(tp.base, 'post', url, form);
    expect([res.status, res.headers['content-type'], res.headers['content-length'], res.body])
      .toEqual([400, 'application/json', '67', 'TFTP: Failed to create pxe config file: Invalid parameters received']);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeUndefined();
  });

  test('a JSON body is not read: 400 "Invalid parameters received"', async () => {
    const res = await call(tp.base, 'post', url, undefined, { 'Content-Type': 'application/json' });
    const json = await (await import('supertest')).default(tp.base).post(url).set('Content-Type', 'application/json')
      .send('{"syslinux_config":"x"}').buffer(true).parse((r, cb) => { let d = ''; r.on('data', (c) => { d += c; }); r.on('end', () => cb(null, d)); });
    expect(res.status).toBe(400);
    expect([json.status, json.body]).toEqual([400, 'TFTP: Failed to create pxe config file: Invalid parameters received']);
    expect(filesUnder(root)).toEqual([]);
  });

  test('a repeated field counts by its last value (as Rack does)', async () => {
    await call(tp.base, 'post', url, 'pxeconfig=one&pxeconfig=two');
    expect(read('grub2/grub.cfg-00:11:22:33:44:55')).toBe('two');
  });

  test('multi-megabyte configs and binary-safe UTF-8 content are written verbatim', async () => {
    const big = 'menuentry "é" {}\n'.repeat(200_000);
    expect((await call(tp.base, 'post', url, { pxeconfig: big })).status).toBe(200);
    expect(read('grub2/grub.cfg-00:11:22:33:44:55')).toBe(big);
  });
});

describe('validation texts and order (reference §6.2)', () => {
  test.each([
    ['post', '/tftp/pxegrub2/zz:11', 'Invalid MAC address: zz:11'],
    ['post', '/tftp/syslinux/aa:bb:cc:00:11:zz', 'Invalid MAC address: aa:bb:cc:00:11:zz'],
    ['get', '/tftp/pxegrub2/aa:bb:cc:dd:ee', 'Invalid MAC address: aa:bb:cc:dd:ee'],
    ['delete', '/tftp/ipxe/aa:bb:cc:dd:ee:ff:00', 'Invalid MAC address: aa:bb:cc:dd:ee:ff:00'],
    ['post', '/tftp/foo/zz', 'Invalid MAC address: zz'],
    ['post', '/tftp/foo/00:11:22:33:44:55', 'Unrecognized pxeboot config type: foo'],
    ['post', '/tftp/Server/00:11:22:33:44:55', 'Unrecognized pxeboot config type: Server'],
    ['get', '/tftp/grub/00:11:22:33:44:55', 'Unrecognized pxeboot config type: grub'],
    ['delete', '/tftp/pxegrub3/00:11:22:33:44:55', 'Unrecognized pxeboot config type: pxegrub3'],
    ['post', '/tftp/foo/create_default', 'Unrecognized pxeboot config type: foo'],
    ['post', '/tftp/zz:11', 'Invalid MAC address: zz:11'],
    ['delete', '/tftp/zz:11', 'Invalid MAC address: zz:11'],
  ] as const)('%s %s -> 403 %j', async (method, p, text) => {
    const res = await call(tp.base, method, p, method === 'post' ? { pxeconfig: 'x', menu: 'x' } : undefined);
    expect([res.status, res.headers['content-type'], res.body]).toEqual([403, 'application/json', text]);
    expect(filesUnder(root)).toEqual([]);
  });

  test('error Content-Type follows Accept: text/html when JSON is not accepted', async () => {
    const res = await call(tp.base, 'post', '/tftp/foo/00:11:22:33:44:55', { pxeconfig: 'x' }, { Accept: 'text/html' });
    expect([res.status, res.headers['content-type'], res.body]).toEqual([403, HTML, 'Unrecognized pxeboot config type: foo']);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  test('the MAC in a URL may be percent-encoded', async () => {
    expect((await call(tp.base, 'post', '/tftp/pxelinux/00%3A11%3A22%3A33%3A44%3A55', { pxeconfig: 'x' })).status).toBe(200);
    expect(filesUnder(root)).toEqual(['pxelinux.cfg/01-00-11-22-33-44-55']);
  });
});

describe('consequences of the route order (reference §6.2)', () => {
  test.each([
    ['post', '/tftp/serverName', 403, 'Invalid MAC address: serverName'],
    ['delete', '/tftp/serverName', 403, 'Invalid MAC address: serverName'],
    ['delete', '/tftp/create_default', 403, 'Invalid MAC address: create_default'],
    ['delete', '/tftp/fetch_boot_file', 403, 'Invalid MAC address: fetch_boot_file'],
    ['get', '/tftp/pxegrub2/create_default', 403, 'Invalid MAC address: create_default'],
    ['delete', '/tftp/pxegrub2/create_default', 403, 'Invalid MAC address: create_default'],
    ['post', '/tftp/fetch_boot_file/x', 403, 'Invalid MAC address: x'],
    ['post', '/tftp/00:11:22:33:44:55/create_default', 403, 'Unrecognized pxeboot config type: 00:11:22:33:44:55'],
    ['get', '/tftp/serverName/', 404, 'Requested url was not found'],
    ['get', '/tftp/00:11:22:33:44:55', 404, 'Requested url was not found'],
    ['get', '/tftp/fetch_boot_file', 404, 'Requested url was not found'],
    ['get', '/tftp/servername', 404, 'Requested url was not found'],
    ['get', '/tftp', 404, 'Requested url was not found'],
    ['get', '/tftp/', 404, 'Requested url was not found'],
    ['put', '/tftp/serverName', 404, 'Requested url was not found'],
    ['get', '/tftp/pxegrub2/00:11:22:33:44:55/', 404, 'Requested url was not found'],
    ['get', '/tftp/a/b/c', 404, 'Requested url was not found'],
  ] as const)('%s %s -> %i %j', async (method, p, status, text) => {
    const res = await call(tp.base, method, p, method === 'post' ? { pxeconfig: 'x' } : undefined);
    expect([res.status, res.headers['content-type'], res.body]).toEqual([status, 'application/json', text]);
  });

  test('GET /tftp/serverName: JSON text labelled text/html with the protection headers', async () => {
    const res = await call(tp.base, 'get', '/tftp/serverName');
    expect([res.status, res.headers['content-type'], res.body]).toEqual([200, HTML, '{"serverName":"tftp.example.com"}']);
    expect(res.headers['x-xss-protection']).toBe('1; mode=block');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers.server).toMatch(/^foreman-proxy\//);
  });

  test('HEAD on a GET route answers headers only', async () => {
    fs.mkdirSync(path.join(root, 'pxelinux.cfg'), { recursive: true });
    fs.writeFileSync(path.join(root, 'pxelinux.cfg/01-00-11-22-33-44-55'), 'twelve bytes');
    const res = await rawRequest(tp.base, '/tftp/pxelinux/00:11:22:33:44:55', { method: 'HEAD' });
    expect([res.status, res.headers['content-length'], res.body.length]).toEqual([200, '12', 0]);
  });
});

describe('atomic writes (F10)', () => {
  const url = '/tftp/pxelinux/00:11:22:33:44:55';
  const file = () => path.join(root, 'pxelinux.cfg/01-00-11-22-33-44-55');

  test('a rewrite replaces the file (new inode), keeps its mode, and leaves no temporary file', async () => {
    await call(tp.base, 'post', url, { pxeconfig: 'old' });
    fs.chmodSync(file(), 0o640);
    const before = fs.statSync(file()).ino;
    const reader = fs.openSync(file(), 'r');
    await call(tp.base, 'post', url, { pxeconfig: 'new content' });
    // A reader that opened the old file still sees the old, whole content.
    const buf = Buffer.alloc(64);
    expect(buf.toString('utf8', 0, fs.readSync(reader, buf, 0, 64, 0))).toBe('old');
    fs.closeSync(reader);
    expect(fs.statSync(file()).ino).not.toBe(before);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o640);
    expect(read('pxelinux.cfg/01-00-11-22-33-44-55')).toBe('new content');
    expect(fs.readdirSync(path.join(root, 'pxelinux.cfg'))).toEqual(['01-00-11-22-33-44-55']);
  });

  test('a config that is an operator symlink is written through; the link stays a link', async () => {
    fs.mkdirSync(path.join(root, 'menus'), { recursive: true });
    fs.mkdirSync(path.join(root, 'pxelinux.cfg'), { recursive: true });
    fs.writeFileSync(path.join(root, 'menus/site.cfg'), 'old menu');
    fs.symlinkSync('../menus/site.cfg', path.join(root, 'pxelinux.cfg/default'));
    expect((await call(tp.base, 'post', '/tftp/create_default', { menu: 'new menu' })).status).toBe(200);
    expect(fs.lstatSync(path.join(root, 'pxelinux.cfg/default')).isSymbolicLink()).toBe(true);
    expect(read('menus/site.cfg')).toBe('new menu');
    expect(fs.readdirSync(path.join(root, 'menus'))).toEqual(['site.cfg']);
  });

  test('concurrent writers: the file always holds one whole version', async () => {
    const versions = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(5000));
    await Promise.all(versions.map((v) => call(tp.base, 'post', url, { pxeconfig: v })));
    expect(versions).toContain(read('pxelinux.cfg/01-00-11-22-33-44-55'));
    expect(fs.readdirSync(path.join(root, 'pxelinux.cfg'))).toEqual(['01-00-11-22-33-44-55']);
  });

  test('filesystem errors are 400 with the OS reason; nothing half-written remains', async () => {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'pxelinux.cfg'), 'a file where a folder should be');
    const res = await call(tp.base, 'post', url, { pxeconfig: 'x' });
    expect([res.status, res.body]).toEqual([400, `TFTP: Failed to create pxe config file: File exists @ dir_s_mkdir - ${root}/pxelinux.cfg`]);
    const create = await call(tp.base, 'post', '/tftp/create_default', { menu: 'x' });
    expect([create.status, create.body]).toEqual([400, `TFTP: Failed to create PXE default file: File exists @ dir_s_mkdir - ${root}/pxelinux.cfg`]);
    expect(filesUnder(root)).toEqual(['pxelinux.cfg']);
  });

  test('a folder at a config file path: GET is 404 with the reason, DELETE is 400', async () => {
    fs.mkdirSync(file(), { recursive: true });
    const get = await call(tp.base, 'get', url);
    expect(get.status).toBe(404);
    expect(get.body).toBe(`TFTP: Failed to retrieve pxe config file: Is a directory @ rb_sysopen - ${file()}`);
    const del = await call(tp.base, 'delete', url);
    expect(del.status).toBe(400);
    expect(del.body).toMatch(/^TFTP: Failed to delete pxe config file: (Is a directory|Operation not permitted) @ apply2files - /);
  });
});
