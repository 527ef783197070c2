import { log } from '../../../src/core/log';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';

/*
 * The global log settings that shape GET /logs (reference §1.2, §4). A file of its own: the log
 * ring and level are process-wide, and these proxies reconfigure them.
 */
interface LogsBody {
  info: { size: number; tail_size: number };
  logs: Array<{ level: string; message: string }>;
}

async function logsOf(tp: TestProxy): Promise<LogsBody> {
  const res = await rawRequest(tp.http!, '/logs');
  expect(res.status).toBe(200);
  return JSON.parse(res.body.toString());
}

async function withProxy(global: Record<string, unknown>, run: (tp: TestProxy) => Promise<void>): Promise<void> {
  const tp = await startTestProxy({ http_port: 'auto', ...global }, { logs: { enabled: true } });
  try {
    await run(tp);
  } finally {
    await tp.stop();
  }
}

describe('log settings and the /logs ring', () => {
  test('log_level WARN: INFO and DEBUG lines (request lines included) stay out of the ring', () => withProxy({ log_level: 'WARN' }, async (tp) => {
    log.debug('a debug line');
    log.info('an info line');
    log.warn('a warning');
    log.error('an error');
    await rawRequest(tp.http!, '/features');
    const { logs } = await logsOf(tp);
    expect(logs.filter((e) => e.level === 'INFO' || e.level === 'DEBUG')).toEqual([]);
    expect(logs.map((e) => e.message)).toEqual(expect.arrayContaining(['a warning', 'an error']));
  }));

  test('log_level INFO (the default) keeps INFO lines but not DEBUG', () => withProxy({}, async (tp) => {
    log.debug('a debug line');
    log.info('an info line');
    const messages = (await logsOf(tp)).logs.map((e) => e.message);
    expect(messages).toContain('an info line');
    expect(messages).not.toContain('a debug line');
  }));

  test('custom log_buffer / log_buffer_errors: reported in info and applied to the two rings', () => withProxy({ log_buffer: 5, log_buffer_errors: 3 }, async (tp) => {
    for (let i = 1; i <= 4; i++) log.error(`e${i}`);
    for (let i = 1; i <= 10; i++) log.info(`i${i}`);
    const body = await logsOf(tp);
    expect(body.info).toMatchObject({ size: 5, tail_size: 3 });
    // Tail: the newest 3 ERRORs pushed out of the main ring; then the main ring's newest 5, the
    // last being this request's own `Started` line.
    expect(body.logs.map((e) => e.message)).toEqual(['e2', 'e3', 'e4', 'i7', 'i8', 'i9', 'i10', 'Started GET /logs ']);
  }));
});
