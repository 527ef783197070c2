import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { closeLogs, configureLogging, log, LoggingSettings } from '../../../src/core/log';
import { requestContext } from '../../../src/core/request-context';
import { CapturedStdout, captureStdout } from '../../support/capture-stdout';

/*
 * SYSLOG and JOURNAL against stand-ins listening on unix stream sockets: the real `logger` is
 * pointed at one (Node cannot listen on the datagram socket /dev/log is), the journal's stream
 * protocol is spoken to the other.
 */

let dir: string;
let stdout: CapturedStdout;
const servers: net.Server[] = [];
const base: LoggingSettings = { log_file: '', log_level: 'DEBUG', log_buffer: 100, log_buffer_errors: 10 };

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-syslog-'));
  stdout = captureStdout();
});
afterEach(async () => {
  closeLogs();
  stdout.restore();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A unix stream socket that collects what arrives; `drop()` closes every connection. */
async function listener(name: string): Promise<{ path: string; text(): string; drop(): void }> {
  const socketPath = path.join(dir, name);
  let text = '';
  const conns: net.Socket[] = [];
  const server = net.createServer((c) => {
    conns.push(c);
    c.on('data', (d) => { text += d.toString(); });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(socketPath, r));
  return { path: socketPath, text: () => text, drop: () => conns.forEach((c) => c.destroy()) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('log_file: SYSLOG (util-linux logger, facility local5, tag foreman-proxy)', () => {
  test('each line is a syslog message with the level\'s priority; system_logging_pattern is the layout', async () => {
    const syslog = await listener('log.sock');
    configureLogging({ ...base, log_file: 'syslog', system_logging_pattern: '%X{request} %m' }, { syslog: { socket: syslog.path, stream: true } });
    requestContext.run({ requestId: 'feedbeef' }, () => log.info('Started GET /features'));
    log.warn('a warning');
    log.error('failed', new Error('boom'));
    log.fatal('the end');
    log.debug('details');
    await until(() => syslog.text().includes('details'), 'syslog lines');
    const lines = syslog.text().trim().split('\n');
    const tag = `foreman-proxy[${process.pid}]:`;
    expect(lines[0]).toMatch(new RegExp(`^<174>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${tag.replace(/[[\]]/g, '\\$&')} feedbeef Started GET /features$`));
    expect(lines.map((l) => `${l.slice(0, 5)} ${l.slice(l.indexOf(tag) + tag.length + 1)}`)).toEqual([
      '<174> feedbeef Started GET /features',
      '<172>  a warning',
      '<171>  failed',
      expect.stringMatching(/^<171> boom: at /),
      ...lines.slice(4, -2).map(() => expect.stringMatching(/^<171> /)),
      '<170>  the end',
      '<175>  details',
    ]);
    expect(stdout.text()).toBe('');
  });

  test('no syslog socket: STDOUT with the file pattern and a warning', async () => {
    configureLogging({ ...base, log_file: 'SYSLOG' }, { syslog: { socket: path.join(dir, 'missing.sock') } });
    log.info('kept');
    await new Promise((r) => setImmediate(r));
    expect(stdout.text()).toMatch(/ \[W\] Syslog is not available\. Falling back to STDOUT: no syslog socket .*missing\.sock\n/);
    expect(stdout.text()).toMatch(/  \[I\] kept\n/);
  });

  test('logger cannot run: STDOUT from then on, with the reason', async () => {
    const syslog = await listener('log.sock');
    configureLogging({ ...base, log_file: 'SYSLOG' }, { syslog: { socket: syslog.path, stream: true, command: path.join(dir, 'no-logger') } });
    await until(() => stdout.text().includes('Syslog is not available'), 'the fallback');
    expect(stdout.text()).toMatch(/Falling back to STDOUT: spawn .*no-logger ENOENT/);
    log.info('after');
    await new Promise((r) => setImmediate(r));
    expect(stdout.text()).toMatch(/  \[I\] after\n/);
  });
});

describe('log_file: JOURNAL (the journal\'s stream socket)', () => {
  test('the stream header names foreman-proxy with facility local5; each line carries its level', async () => {
    const journal = await listener('stdout');
    configureLogging({ ...base, log_file: 'JOURNALD' }, { journalSocket: journal.path });
    log.info('Smart proxy has launched on 1 socket(s), waiting for requests');
    log.error('failed', new Error('boom'));
    log.fatal('bye');
    await until(() => journal.text().includes('bye'), 'journal lines');
    const text = journal.text();
    expect(text.startsWith('foreman-proxy\n\n174\n1\n0\n0\n0\n<6>Smart proxy has launched on 1 socket(s), waiting for requests\n<3>failed\n<3>boom: at ')).toBe(true);
    expect(text.endsWith('\n<2>bye\n')).toBe(true);
    expect(text.split('\n').slice(7, -1).every((l) => /^<[0-7]>/.test(l))).toBe(true);
  });

  test('no journal: STDOUT with the baseline\'s warning', async () => {
    configureLogging({ ...base, log_file: 'journal' }, { journalSocket: path.join(dir, 'none') });
    await new Promise((r) => setImmediate(r));
    expect(stdout.text()).toMatch(/ \[W\] Journald is not available on this platform\. Falling back to STDOUT: no journal socket /);
  });

  test('the journal going away: STDOUT from then on', async () => {
    const journal = await listener('stdout');
    configureLogging({ ...base, log_file: 'JOURNAL' }, { journalSocket: journal.path });
    log.info('first');
    await until(() => journal.text().includes('first'), 'first line');
    journal.drop();
    await until(() => stdout.text().includes('Journald is not available'), 'the fallback');
    log.info('second');
    await new Promise((r) => setImmediate(r));
    expect(stdout.text()).toMatch(/  \[I\] second\n/);
  });
});
