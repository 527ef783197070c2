/**
 * TFTP test helpers: the whole proxy (real core, every module) with the tftp module built with
 * test timings, plain-text response parsing for supertest, and /logs polling.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Response } from 'superagent';
import request from 'supertest';
import { startProxy, RunningProxy } from '../../src/core/proxy';
import { globalSettingsFrom, Settings } from '../../src/core/settings';
import { MODULES, PROVIDERS } from '../../src/modules';
import { createTftpModule } from '../../src/modules/tftp';
import type { DownloaderTuning } from '../../src/modules/tftp/downloader';

export interface TftpProxy {
  proxy: RunningProxy;
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts the proxy on a kernel-chosen loopback port. `modules` are the settings of each module
 * (as the settings.d files would hold them); `tuning` replaces the tftp downloader's timings.
 */
export async function startTftpProxy(modules: Record<string, Settings>, tuning: Partial<DownloaderTuning> = {},
  global: Settings = {}, baseDir = os.tmpdir()): Promise<TftpProxy> {
  const tftp = createTftpModule(tuning);
  const proxy = await startProxy({
    global: globalSettingsFrom({ http_port: 0, bind_host: ['127.0.0.1'], log_file: '/dev/null', ...global }, baseDir),
    modules: MODULES.map((m) => (m.name === 'tftp' ? tftp : m)),
    providers: PROVIDERS,
    settingsSource: (name) => modules[name],
  });
  const http = proxy.listeners.find((l) => l.scheme === 'http');
  return { proxy, base: http ? `http://127.0.0.1:${http.address.port}` : '', stop: () => proxy.stop() };
}

/** supertest parser that keeps any body as text, whatever its Content-Type says. */
export function asText(res: NodeJS.ReadableStream, done: (err: Error | null, body: string) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
}

type Method = 'get' | 'post' | 'delete' | 'put' | 'head';

/** One request with a form body (when given); the body of the answer is in `.body` as text. */
export async function call(base: string, method: Method, p: string, form?: string | Record<string, string>,
  headers: Record<string, string> = {}): Promise<Response & { body: string }> {
  let req = request(base)[method](p).set(headers).buffer(true).parse(asText as never);
  if (form !== undefined) req = req.type('form').send(form);
  return (await req) as Response & { body: string };
}

export interface LogEntry {
  timestamp: number;
  level: string;
  message: string;
  request_id?: string;
}

export interface LogsBody {
  info: { failed_modules: Record<string, string> };
  logs: LogEntry[];
}

export async function logs(base: string): Promise<LogsBody> {
  const res = await call(base, 'get', '/logs');
  return JSON.parse(res.body) as LogsBody;
}

/** Polls GET /logs until an entry matches; returns it. */
export async function waitForLog(base: string, match: (e: LogEntry) => boolean, ms = 10_000, what = 'log entry'): Promise<LogEntry> {
  const end = Date.now() + ms;
  for (;;) {
    const found = (await logs(base)).logs.find(match);
    if (found) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** A fresh temporary folder; `cleanup` removes it. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every file below `root`, relative, sorted (folders omitted). */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(root, full));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}
