/**
 * Long-running processes a test starts inside a network namespace of its own: any command
 * (spawnInNamespace; QEMU in uefi.ts), the proxy from its build (as an operator runs it,
 * `node dist/main.js --settings …`) and a tiny static HTTP server on the namespace's loopback (a
 * download source for fetch_boot_file). `ip netns exec` execs the command in place, so each
 * child's PID is the process itself; stop() signals only it.
 */
import { ChildProcess, spawn } from 'child_process';
import { MAIN_JS, requireBuild } from './process';

export interface NsProcess {
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  running(): boolean;
  /** Resolves once the process has exited (or could not be started). */
  exited: Promise<void>;
  /** TERM, KILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

export function spawnInNamespace(ns: string, cmd: string, args: string[]): NsProcess {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (e) => {
      out += `could not start ${cmd}: ${e.message}\n`;
      resolve();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  return {
    pid: child.pid ?? -1,
    output: () => out,
    running,
    exited,
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The built proxy with an operator's settings file, inside `ns`. */
export function startProxyInNamespace(ns: string, settingsFile: string): NsProcess {
  requireBuild();
  return spawnInNamespace(ns, process.execPath, [MAIN_JS, '--settings', settingsFile]);
}

/**
 * Serves the files of `dir` read-only on `host:port` (GET/HEAD, no listing) and prints one line
 * per request, so a test can see what the proxy downloaded.
 */
const STATIC_SERVER = `
const http = require('http'), fs = require('fs'), path = require('path');
const [dir, host, port] = process.argv.slice(1);
http.createServer((req, res) => {
  const rel = path.normalize(decodeURIComponent(req.url.split('?')[0])).replace(/^(\\.\\.[/\\\\])+/, '');
  const file = path.join(dir, rel);
  fs.stat(file, (err, st) => {
    const status = err || !st.isFile() ? 404 : 200;
    console.log(req.method + ' ' + req.url + ' ' + status);
    if (status !== 200) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'Content-Length': st.size, 'Last-Modified': st.mtime.toUTCString() });
    if (req.method === 'HEAD') { res.end(); return; }
    fs.createReadStream(file).pipe(res);
  });
}).listen(Number(port), host, () => console.log('listening on ' + host + ':' + port));
`;

export function startStaticServerInNamespace(ns: string, dir: string, host: string, port: number): NsProcess {
  return spawnInNamespace(ns, process.execPath, ['-e', STATIC_SERVER, dir, host, String(port)]);
}
