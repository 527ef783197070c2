/**
 * The API reference page in a real browser: Debian's headless Chromium loads GET /apidoc from a
 * running proxy (trusted_hosts on, the browser's address resolving to a trusted name) and the
 * rendered DOM lists the routes; a screenshot shows a page with content, not a blank one. The
 * browser runs with networking extras off: the page must render from the proxy alone.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HostResolver, setHostResolver, systemResolver } from '../../../src/core/auth';
import { loadApiSpec } from '../../../src/core/openapi';
import { startTestProxy, TestProxy } from '../../support/proxy';

jest.setTimeout(120_000);

const CHROMIUM = '/usr/bin/chromium';
let tp: TestProxy;
let dir: string;
let identity = 'foreman.example.com';

const resolver: HostResolver = {
  nameOf: async () => identity,
  addressesOf: async () => ['127.0.0.1'],
};

/** Runs headless Chromium on a URL (asynchronously: the proxy answers from this process). */
function chromium(args: string[], url: string): Promise<{ stdout: string; stderr: string }> {
  const profile = fs.mkdtempSync(path.join(dir, 'profile-'));
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, ...args, url];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, flags, { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = fs.readFileSync(file);
  if (b.subarray(1, 4).toString() !== 'PNG') throw new Error(`${file} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium): run scripts/install-deps.sh`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-apidoc-'));
  setHostResolver(resolver);
  tp = await startTestProxy({ http_port: 'auto', trusted_hosts: ['foreman.example.com'] }, {
    httpboot: { enabled: true, root_dir: dir }, tftp: { enabled: true, tftproot: dir },
  });
});

afterAll(async () => {
  setHostResolver(systemResolver);
  await tp?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the rendered page lists every route of the OpenAPI description', async () => {
  identity = 'foreman.example.com';
  const { stdout: dom } = await chromium(['--dump-dom'], `${tp.http}/apidoc`);
  expect(dom).toContain('<h1>Foreman Smart Proxy (TypeScript) — boot infrastructure API 3.11.0</h1>');
  for (const route of ['/features', '/v2/features', '/tftp/{variant}/{mac}', '/dhcp/{network}/unused_ip', '/httpboot/{path}', '/logs']) {
    expect(dom).toContain(`<code class="path">${route}</code>`);
  }
  for (const route of Object.keys(loadApiSpec().paths)) expect(dom).toContain(`<code class="path">${route}</code>`);
  expect(dom).toContain('href="/apidoc/openapi.json"');
});

test('a screenshot of the page has content', async () => {
  identity = 'foreman.example.com';
  const file = path.join(dir, 'apidoc.png');
  await chromium(['--window-size=1280,900', `--screenshot=${file}`], `${tp.http}/apidoc`);
  expect(pngSize(file)).toEqual({ width: 1280, height: 900 });
  // A blank 1280x900 page compresses to a few kB; text, tables and colours make it far larger.
  expect(fs.statSync(file).size).toBeGreaterThan(40_000);
});

test('an untrusted browser gets the 403 text, not the page', async () => {
  identity = 'intruder.example.com';
  const { stdout: dom } = await chromium(['--dump-dom'], `${tp.http}/apidoc`);
  expect(dom).toContain('Untrusted client intruder.example.com attempted to access /. Check :trusted_hosts: in settings.yml');
  expect(dom).not.toContain('/v2/features');
});
