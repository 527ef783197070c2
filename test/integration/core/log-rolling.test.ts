import * as fs from 'fs';
import * as path from 'path';
import { rawRequest } from '../../support/raw-http';
import { ProxyProcess, ProxyTree, startProxyTree, waitFor } from '../../support/process';

/*
 * The proxy rolling its own log (`file_rolling_size` > 0) while two processes serve: the worker
 * sends its lines to the primary, which alone writes and rolls the file, so no line is lost or
 * written twice across a roll, and SIGUSR1 still reopens the file afterwards.
 */
let dir: string;
const port = 40000 + Math.floor(Math.random() * 10000);
let tree: ProxyTree;
let proc: ProxyProcess;
const http = `http://127.0.0.1:${port}`;

beforeAll(async () => {
  tree = await startProxyTree('sp-rolling-', [
    `:http_port: ${port}`, ':bind_host: 127.0.0.1', ':workers: 2',
    ':file_rolling_size: 1', ':file_rolling_age: 2', ':file_rolling_keep: 6',
  ]);
  ({ dir, proc } = tree);
}, 30_000);

afterAll(() => tree.stop());

const ROLLED = /^proxy\.\d{8}-\d{6}\.log$/;

function allLogText(): string {
  return fs.readdirSync(dir).filter((f) => f === 'proxy.log' || ROLLED.test(f)).sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('');
}

async function requests(prefix: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  for (const id of ids) {
    const res = await rawRequest(http, '/httpboot/a.cfg', { headers: { 'X-Request-Id': `${id}-x` } });
    expect(res.status).toBe(200);
  }
  return ids;
}

const count = (text: string, id: string) => text.split(`${id} [I] Started GET /httpboot/a.cfg`).length - 1;

describe('file_rolling_age with worker processes', () => {
  test('the log is rolled by age to a time-stamped name; every line of either process is there exactly once', async () => {
    const before = await requests('aaaa', 16);
    await new Promise((r) => setTimeout(r, 2_500));
    const after = await requests('bbbb', 16);
    await waitFor(() => fs.readdirSync(dir).some((f) => ROLLED.test(f)), 5_000, 'a rolled file');
    await waitFor(() => [...before, ...after].every((id) => count(allLogText(), id) === 1), 5_000, 'every line once');
    expect(fs.existsSync(path.join(dir, 'proxy.log.age'))).toBe(true);
    const text = allLogText();
    for (const id of [...before, ...after]) expect(count(text, id)).toBe(1);
  }, 30_000);

  test('SIGUSR1 after rolling: the file is reopened, and says so', async () => {
    const log = path.join(dir, 'proxy.log');
    await waitFor(() => fs.existsSync(log), 5_000, 'current log');
    fs.renameSync(log, path.join(dir, 'moved.txt'));
    proc.child.kill('SIGUSR1');
    await waitFor(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('[I] Logging file reopened via USR1 signal'), 5_000, 'reopened');
    const ids = await requests('cccc', 4);
    await waitFor(() => ids.every((id) => count(allLogText(), id) === 1), 5_000, 'lines after the reopen');
  }, 20_000);
});
