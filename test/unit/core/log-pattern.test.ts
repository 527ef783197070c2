import * as os from 'os';
import { compilePattern, DEFAULT_FILE_PATTERN, DEFAULT_SYSTEM_PATTERN, isoLocalSeconds, PatternEvent } from '../../../src/core/log-pattern';

/** 2025-01-31 23:59:58.765 local time. */
const TIME = new Date(2025, 0, 31, 23, 59, 58, 765).getTime();

function event(over: Partial<PatternEvent> = {}): PatternEvent {
  return { time: TIME, level: 'INFO', message: 'Started GET /features ', ...over };
}

describe('file_logging_pattern / system_logging_pattern (the logging gem\'s pattern layout)', () => {
  test('the baseline default: local time to the second, 8 characters of the request id, level initial, message', () => {
    const layout = compilePattern(DEFAULT_FILE_PATTERN);
    expect(layout(event({ mdc: { request: 'feedbeef-1234-5678' } }))).toBe('2025-01-31T23:59:58 feedbeef [I] Started GET /features ');
    // Outside a request the MDC value is nil: `%.8s` of it is empty, nothing is padded.
    expect(layout(event({ level: 'WARN', message: 'Missing SSL setup, https is disabled.' }))).toBe('2025-01-31T23:59:58  [W] Missing SSL setup, https is disabled.');
    expect(compilePattern(DEFAULT_SYSTEM_PATTERN)(event())).toBe('Started GET /features ');
  });

  test('%d is ISO 8601 local time without fractions (the gem\'s default date pattern)', () => {
    expect(isoLocalSeconds(new Date(2024, 1, 3, 4, 5, 6, 999).getTime())).toBe('2024-02-03T04:05:06');
    const layout = compilePattern('%d');
    expect(layout(event())).toBe('2025-01-31T23:59:58');
    expect(layout(event({ time: TIME + 2000 }))).toBe('2025-02-01T00:00:00');
  });

  test('width pads (right-justified, `-` left-justifies) and precision truncates, as sprintf %s', () => {
    expect(compilePattern('[%5l]')(event())).toBe('[ INFO]');
    expect(compilePattern('[%-5l]')(event())).toBe('[INFO ]');
    expect(compilePattern('[%.1l]')(event({ level: 'FATAL' }))).toBe('[F]');
    expect(compilePattern('[%-3.2l]')(event({ level: 'ERROR' }))).toBe('[ER ]');
    expect(compilePattern('%10.4X{request}|')(event({ mdc: { request: 'abcdefgh' } }))).toBe('      abcd|');
    expect(compilePattern('%.8X{request}|')(event({ mdc: { request: 'abc' } }))).toBe('abc|');
  });

  test('%X{key} prints the request\'s request, session and remote_ip; unknown keys print nothing', () => {
    const layout = compilePattern('%X{request} %X{session} %X{remote_ip} <%X{other}>');
    expect(layout(event({ mdc: { request: 'r-1', session: 's-1', remote_ip: '192.0.2.7' } }))).toBe('r-1 s-1 192.0.2.7 <>');
    expect(layout.mdcKeys).toEqual(['request', 'session', 'remote_ip', 'other']);
  });

  test('%c is the root logger, %p the pid, %h the host name, %% a percent sign, %m the message', () => {
    expect(compilePattern('%c|%c{1}|%p|%h|100%%|%m')(event({ message: 'hi' }))).toBe(`root|root|${process.pid}|${os.hostname()}|100%|hi`);
  });

  test('directives the proxy has no data for print empty, as the gem does without caller tracing', () => {
    expect(compilePattern('<%F><%L><%M><%T><%x>')(event())).toBe('<><><><><>');
    expect(compilePattern('%t')(event())).toMatch(/^\d+$/);
    expect(Number(compilePattern('%r')(event({ time: Date.now() + 50 })))).toBeGreaterThanOrEqual(49);
  });

  test('a {…} after a directive that takes none is printed as it stands (gem behaviour)', () => {
    expect(compilePattern('%l{x} %m{y}')(event({ message: 'm' }))).toBe('INFO{x} m{y}');
    expect(compilePattern('%c{abc}')(event())).toBe('root{abc}');
  });

  test('literal text, newlines and a lone trailing % (dropped, as the gem drops it)', () => {
    expect(compilePattern('a\tb %m\nnext')(event({ message: 'x' }))).toBe('a\tb x\nnext');
    expect(compilePattern('50%')(event())).toBe('50');
    expect(compilePattern('')(event())).toBe('');
  });

  test('patterns the gem refuses fail with its messages', () => {
    expect(() => compilePattern('%d %q %m')).toThrow("illegal format character - 'q'");
    expect(() => compilePattern('%X')).toThrow('MDC must have a key reference');
    expect(() => compilePattern('%c{0}')).toThrow('logger name slice must be an integer greater than zero: 0');
  });
});
