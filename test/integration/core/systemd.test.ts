import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO, spawnProxy, waitFor } from '../../support/process';

/**
 * Readiness is reported to systemd once the listeners are up: a unix datagram socket stands in
 * for systemd's NOTIFY_SOCKET (python3 listens on it; Node has no datagram unix sockets).
 */
test('READY=1 reaches NOTIFY_SOCKET after the listeners are up', async () => {
  if (spawnSync('which', ['systemd-notify']).status !== 0) throw new Error('systemd-notify is missing (Debian package systemd)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-notify-'));
  const sock = path.join(dir, 'notify.sock');
  const out = path.join(dir, 'received');
  const listener = spawn('python3', ['-c', [
    'import socket,sys',
    's=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    `s.bind(${JSON.stringify(sock)})`,
    'data=s.recv(4096)',
    `open(${JSON.stringify(out)},"wb").write(data)`,
  ].join('\n')]);
  await waitFor(() => fs.existsSync(sock), 5_000, 'notify socket');
  const port = 40000 + Math.floor(Math.random() * 10000);
  fs.writeFileSync(path.join(dir, 'settings.yml'), `:http_port: ${port}\n:bind_host: 127.0.0.1\n:log_file: STDOUT\n:settings_directory: ${dir}\n`);
  const proc = spawnProxy(['--settings', path.join(dir, 'settings.yml')], { NOTIFY_SOCKET: sock });
  try {
    const received = await waitFor(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8'), 25_000, 'READY=1')
      .catch((err: Error) => { throw new Error(`${err.message}\n--- proxy output ---\n${proc.output()}`); });
    expect(received).toMatch(/READY=1/);
    expect(proc.output()).toMatch(/Smart proxy has launched/);
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
    listener.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 40_000);

test('the systemd unit runs the build in the foreground, restarts on failure, reopens logs on reload', () => {
  const unit = fs.readFileSync(path.join(REPO, 'scripts', 'systemd', 'foreman-proxy.service'), 'utf8');
  expect(unit).toMatch(/^Type=notify$/m);
  expect(unit).toMatch(/^NotifyAccess=all$/m);
  expect(unit).toMatch(/^Restart=on-failure$/m);
  expect(unit).toMatch(/^ExecReload=\/bin\/kill -USR1 \$MAINPID$/m);
  expect(unit).toMatch(/^ExecStart=.*dist\/main\.js --settings /m);
});
