import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.join(__dirname, '..', '..');
export const MAIN_JS = path.join(REPO, 'dist', 'main.js');

export function requireBuild(): void {
  if (!fs.existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run 'npm run build' first (npm test does)`);
}

export interface ProxyProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts the built proxy as operators do: `node dist/main.js ARGS`. */
export function spawnProxy(args: string[], env: NodeJS.ProcessEnv = {}): ProxyProcess {
  requireBuild();
  const child = spawn(process.execPath, [MAIN_JS, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls until `fn` resolves truthy or the time runs out. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ProxyTree {
  dir: string;
  proc: ProxyProcess;
  /** SIGTERM, wait for the exit, remove the folder. */
  stop(): Promise<void>;
}

/**
 * A proxy started from a fresh folder: `settings.yml` with `settingsLines` (log_file proxy.log
 * added), httpboot serving `boot/a.cfg` ("A"); resolves once the log says it launched.
 */
export async function startProxyTree(prefix: string, settingsLines: string[], sockets = 1): Promise<ProxyTree> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(dir, 'settings.d'));
  fs.mkdirSync(path.join(dir, 'boot'));
  fs.writeFileSync(path.join(dir, 'boot', 'a.cfg'), 'A');
  fs.writeFileSync(path.join(dir, 'settings.d', 'httpboot.yml'), ':enabled: true\n:root_dir: boot\n');
  fs.writeFileSync(path.join(dir, 'settings.yml'), [...settingsLines, ':log_file: proxy.log', ''].join('\n'));
  const proc = spawnProxy(['--settings', path.join(dir, 'settings.yml')]);
  const log = path.join(dir, 'proxy.log');
  await waitFor(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes(`launched on ${sockets} socket`), 15_000, 'launch');
  return {
    dir,
    proc,
    async stop() {
      proc.child.kill('SIGTERM');
      await proc.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
