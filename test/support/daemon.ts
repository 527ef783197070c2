/**
 * What the daemon harnesses (dhcpd.ts, kea.ts) do alike with the processes they start: wait for a
 * daemon to serve, probe its sockets, and stop it by its own PID.
 */
import { ChildProcess } from 'child_process';
import * as net from 'net';

/** SIGTERM a process we started, SIGKILL after 5 s; resolves once it has exited. */
export async function stopProcess(p: ChildProcess | null): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Whether a TCP connection to host:port opens within 500 ms. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return probe(() => net.connect({ host, port }));
}

/** Whether a connection to a Unix socket opens within 500 ms. */
export function canConnectUnix(file: string): Promise<boolean> {
  return probe(() => net.connect({ path: file }));
}

function probe(open: () => net.Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const s = open();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Calls `check` every 100 ms until it resolves true; an error it throws (a daemon that exited)
 * ends the wait at once. After `timeoutMs`, throws with the text of `describe`.
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((r) => setTimeout(r, 100));
  }
}
