import { LogBuffer, LogLevelName } from '../../../src/core/log-buffer';

function push(buffer: LogBuffer, level: LogLevelName, n: number): void {
  for (let i = 1; i <= n; i++) buffer.push({ timestamp: i, level, message: String(i) });
}

describe('log ring and error tail (reference §4)', () => {
  test('six ERRORs into 3/2 rings give [2..6]', () => {
    const b = new LogBuffer(3, 2);
    push(b, 'ERROR', 6);
    expect(b.entries().map((e) => e.message)).toEqual(['2', '3', '4', '5', '6']);
  });

  test('six INFOs into 3/2 rings give [4,5,6]', () => {
    const b = new LogBuffer(3, 2);
    push(b, 'INFO', 6);
    expect(b.entries().map((e) => e.message)).toEqual(['4', '5', '6']);
  });

  test('from_timestamp keeps entries at or after the time', () => {
    const b = new LogBuffer(10, 2);
    push(b, 'INFO', 5);
    expect(b.entries(3).map((e) => e.message)).toEqual(['3', '4', '5']);
    expect(b.entries(0)).toHaveLength(5);
  });
});
