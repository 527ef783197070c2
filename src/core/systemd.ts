import { execFile } from 'child_process';
import { log } from './log';

/**
 * Tells systemd the service is ready (Type=notify). Node has no unix datagram sockets, so this
 * goes through `systemd-notify`, which is why the unit sets NotifyAccess=all.
 */
export function notifyReady(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (!env.NOTIFY_SOCKET) return Promise.resolve();
  return new Promise((resolve) => {
    execFile('systemd-notify', ['--ready', `--pid=${process.pid}`, `MAINPID=${process.pid}`], { env, timeout: 5_000 }, (err) => {
      if (err) log.warn(`Could not notify systemd of readiness: ${err.message}`);
      resolve();
    });
  });
}
