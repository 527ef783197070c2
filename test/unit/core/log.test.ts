import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { closeLogs, configureLogging, log, logBuffer, LoggingSettings, logForwarded, reopenLogs } from '../../../src/core/log';
import { bound, requestContext, withContextNow } from '../../../src/core/request-context';
import { CapturedStdout, captureStdout } from '../../support/capture-stdout';

let dir: string;
let file: string;
let stdout: CapturedStdout;

const base: LoggingSettings = { log_file: '', log_level: 'INFO', log_buffer: 100, log_buffer_errors: 10 };
const settle = () => new Promise((r) => setImmediate(r));
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d /;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-log-'));
  file = path.join(dir, 'proxy.log');
  stdout = captureStdout();
});
afterEach(() => {
  closeLogs();
  stdout.restore();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('log lines in a file', () => {
  test('the default pattern: the baseline line, with the request id inside a request', async () => {
    configureLogging({ ...base, log_file: file });
    log.info('outside');
    requestContext.run({ requestId: 'feedbeef-1234' }, () => log.warn('inside'));
    log.debug('below the level');
    await settle();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d  \[I\] outside$/);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d feedbeef \[W\] inside$/);
    expect(lines.slice(2)).toEqual(['']);
  });

  test('a synchronous request context, and a callback bound to it, log with its id', async () => {
    configureLogging({ ...base, log_file: file });
    let later: () => void = () => undefined;
    withContextNow({ requestId: 'c0ffee00-1' }, () => {
      log.info('now');
      later = bound(() => log.info('later'));
    });
    log.info('after');
    later();
    await settle();
    const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(LINE, ''));
    expect(lines).toEqual(['c0ffee00 [I] now', ' [I] after', 'c0ffee00 [I] later', '']);
  });

  test('file_logging_pattern is honoured, with the request context of the line (session made up when not sent)', async () => {
    configureLogging({ ...base, log_file: file, file_logging_pattern: '%-5l %X{remote_ip} %X{request} <%X{session}> %m' });
    requestContext.run({ requestId: 'r-1', sessionId: 's-1', remoteIp: '192.0.2.9' }, () => log.info('one'));
    const ctx = { requestId: 'r-2' };
    requestContext.run(ctx, () => { log.error('two'); log.error('three'); });
    await settle();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('INFO  192.0.2.9 r-1 <s-1> one');
    const session = /<([0-9a-f-]{36})>/.exec(lines[1])![1];
    expect(lines.slice(1)).toEqual([`ERROR  r-2 <${session}> two`, `ERROR  r-2 <${session}> three`]);
  });

  test('a backtrace follows its line; the /logs ring keeps the first 8 characters of the request id', async () => {
    configureLogging({ ...base, log_file: file, file_logging_pattern: '%m' });
    requestContext.run({ requestId: '0123456789abcdef' }, () => log.error('failed', new Error('boom')));
    await settle();
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^failed\nboom: at /);
    expect(logBuffer().entries().find((e) => e.message === 'failed')).toMatchObject({ level: 'ERROR', request_id: '01234567' });
  });

  test('an unknown pattern letter fails configuration', () => {
    expect(() => configureLogging({ ...base, log_file: file, file_logging_pattern: '%d %Q' })).toThrow("illegal format character - 'Q'");
  });

  test('a file that cannot be opened: STDOUT, with the baseline\'s warning', async () => {
    const missing = path.join(dir, 'no', 'such', 'dir', 'proxy.log');
    configureLogging({ ...base, log_file: missing });
    log.info('still logged');
    await settle();
    expect(stdout.text()).toMatch(new RegExp(`\\[W\\] Log file ${missing} cannot be opened\\. Falling back to STDOUT: ENOENT`));
    expect(stdout.text()).toMatch(/  \[I\] still logged\n/);
  });

  test('SIGUSR1 reopen: after an external rename, lines go to a new file of the same name', async () => {
    configureLogging({ ...base, log_file: file });
    log.info('before');
    await settle();
    fs.renameSync(file, `${file}.1`);
    reopenLogs();
    log.info('after');
    await settle();
    expect(fs.readFileSync(`${file}.1`, 'utf8')).toMatch(/before\n$/);
    expect(fs.readFileSync(file, 'utf8')).toMatch(LINE);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/after\n$/);
  });

  test('lines a worker process logged are written with their own time and request', async () => {
    configureLogging({ ...base, log_file: file, file_logging_pattern: '%d|%X{request}|%l|%m' });
    const time = new Date(2025, 5, 1, 12, 0, 0).getTime();
    logForwarded([{ time, level: 'info', message: 'Started GET /httpboot/a.cfg ', mdc: { request: 'cafe0001-x' } }]);
    await settle();
    expect(fs.readFileSync(file, 'utf8')).toBe('2025-06-01T12:00:00|cafe0001-x|INFO|Started GET /httpboot/a.cfg \n');
  });

  test('a worker process forwards its lines instead of writing', async () => {
    const sent: unknown[] = [];
    configureLogging({ ...base, log_file: file }, { forward: (e) => sent.push(e) });
    requestContext.run({ requestId: 'abc' }, () => log.info('from a worker'));
    await settle();
    expect(sent).toEqual([{ time: expect.any(Number), level: 'info', message: 'from a worker', mdc: { request: 'abc' } }]);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('file_rolling_size with the logger', () => {
  test('the file is rolled after the write that passes the size, and the next line opens a new one', async () => {
    configureLogging({ ...base, log_file: file, file_rolling_size: 1, file_rolling_age: 'weekly', file_rolling_keep: 6, file_logging_pattern: '%m' });
    const big = 'x'.repeat(600 * 1024);
    log.info(big);
    await settle();
    expect(fs.readdirSync(dir).sort()).toEqual(['proxy.log', 'proxy.log.age']);
    log.info(big);
    await settle();
    const rolled = fs.readdirSync(dir).filter((f) => /^proxy\.\d{8}\.log$/.test(f));
    expect(rolled).toHaveLength(1);
    expect(fs.statSync(path.join(dir, rolled[0])).size).toBe(2 * (big.length + 1));
    log.info('next');
    await settle();
    expect(fs.readFileSync(file, 'utf8')).toBe('next\n');
  });

  test('an age in seconds: the first write after it rolls, to a name with the time', async () => {
    configureLogging({ ...base, log_file: file, file_rolling_size: 1, file_rolling_age: 1, file_logging_pattern: '%m' });
    log.info('first');
    await settle();
    const old = new Date(Date.now() - 5_000);
    fs.utimesSync(`${file}.age`, old, old);
    // The age is read once and kept until the next roll: reconfigure to pick up the older age file.
    configureLogging({ ...base, log_file: file, file_rolling_size: 1, file_rolling_age: 1, file_logging_pattern: '%m' });
    log.info('second');
    await settle();
    const rolled = fs.readdirSync(dir).filter((f) => /^proxy\.\d{8}-\d{6}\.log$/.test(f));
    expect(rolled).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, rolled[0]), 'utf8')).toBe('first\nsecond\n');
  });

  test('an invalid age: STDOUT with the warning, as the baseline falls back', async () => {
    configureLogging({ ...base, log_file: file, file_rolling_size: 1, file_rolling_age: 'often' });
    await settle();
    expect(stdout.text()).toContain(`Log file ${file} cannot be opened. Falling back to STDOUT: invalid value for Integer(): "often"`);
  });
});
