import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RollingPolicy } from '../../../src/core/log-rolling';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-roll-'));
  file = path.join(dir, 'proxy.log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const MIB = 1024 * 1024;

function setMtime(f: string, msAgo: number): void {
  const t = new Date(Date.now() - msAgo);
  fs.utimesSync(f, t, t);
}

function withFd<T>(fn: (fd: number) => T): T {
  const fd = fs.openSync(file, 'a');
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

describe('file_rolling_size / file_rolling_age / file_rolling_keep (the gem\'s rolling file, roll_by date)', () => {
  test('size 0 (the default) or below 1 MiB: a plain file, no rolling', () => {
    expect(RollingPolicy.fromSettings(file, {})).toBeNull();
    expect(RollingPolicy.fromSettings(file, { file_rolling_size: 0 })).toBeNull();
    expect(RollingPolicy.fromSettings(file, { file_rolling_size: 0.5 })).toBeNull();
    expect(fs.existsSync(`${file}.age`)).toBe(false);
  });

  test('the size is in MiB (fractions count once at least 1), keep and age as given', () => {
    const p = RollingPolicy.fromSettings(file, { file_rolling_size: 1.5, file_rolling_age: 'weekly', file_rolling_keep: 6 })!;
    expect([p.maxBytes, p.age, p.keep]).toEqual([1.5 * MIB, 'weekly', 6]);
    expect(RollingPolicy.fromSettings(file, { file_rolling_size: '10', file_rolling_age: '3600', file_rolling_keep: '2' })).toMatchObject({ maxBytes: 10 * MIB, age: 3600, keep: 2 });
    expect(RollingPolicy.fromSettings(file, { file_rolling_size: 1, file_rolling_age: null, file_rolling_keep: null })).toMatchObject({ age: null, keep: null });
  });

  test('an age or keep that is not a whole number is refused with Ruby\'s Integer() message', () => {
    expect(() => RollingPolicy.fromSettings(file, { file_rolling_size: 1, file_rolling_age: 'fortnightly' })).toThrow('invalid value for Integer(): "fortnightly"');
    expect(() => RollingPolicy.fromSettings(file, { file_rolling_size: 1, file_rolling_keep: 'all' })).toThrow('invalid value for Integer(): "all"');
  });

  test('the age file <log>.age is created once and keeps its time across restarts', () => {
    new RollingPolicy(file, MIB, 'daily', 6);
    expect(fs.existsSync(`${file}.age`)).toBe(true);
    setMtime(`${file}.age`, 3_600_000);
    const before = fs.statSync(`${file}.age`).mtimeMs;
    new RollingPolicy(file, MIB, 'daily', 6);
    expect(fs.statSync(`${file}.age`).mtimeMs).toBe(before);
  });

  test('rolled when larger than the size (checked after a write)', () => {
    const p = new RollingPolicy(file, 10, null, null);
    fs.writeFileSync(file, '0123456789');
    expect(withFd((fd) => p.rollRequired(fd))).toBe(false);
    fs.appendFileSync(file, 'x');
    expect(withFd((fd) => p.rollRequired(fd))).toBe(true);
  });

  test.each([
    ['weekly', 7 * 86_400_000 - 60_000, false],
    ['weekly', 7 * 86_400_000 + 60_000, true],
    [5, 4_000, false],
    [5, 6_000, true],
  ] as const)('age %s, age file %d ms old: roll = %s', (age, msAgo, expected) => {
    const p = new RollingPolicy(file, MIB, age, 6);
    setMtime(p.ageFile, msAgo);
    fs.writeFileSync(file, 'line\n');
    expect(withFd((fd) => p.rollRequired(fd))).toBe(expected);
  });

  test('daily rolls on a new calendar day even within 24 hours; monthly on a new month', () => {
    const daily = new RollingPolicy(file, MIB, 'daily', 6);
    fs.writeFileSync(file, 'line\n');
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const lastEvening = new Date(midnight.getTime() - 60_000);
    fs.utimesSync(daily.ageFile, lastEvening, lastEvening);
    expect(withFd((fd) => daily.rollRequired(fd))).toBe(true);
    const monthly = new RollingPolicy(path.join(dir, 'm.log'), MIB, 'monthly', 6);
    const firstOfMonth = new Date(midnight);
    firstOfMonth.setDate(1);
    const lastMonth = new Date(firstOfMonth.getTime() - 60_000);
    fs.utimesSync(monthly.ageFile, lastMonth, lastMonth);
    fs.writeFileSync(path.join(dir, 'm.log'), 'x');
    const fd = fs.openSync(path.join(dir, 'm.log'), 'a');
    try {
      expect(monthly.rollRequired(fd)).toBe(true);
    } finally {
      fs.closeSync(fd);
    }
  });

  test('rolled names: the date for daily/weekly/monthly, date and time for an age in seconds, before the extension', () => {
    const at = new Date(2025, 0, 31, 23, 59, 58);
    expect(new RollingPolicy(file, MIB, 'weekly', 6).rolledName(at)).toBe(path.join(dir, 'proxy.20250131.log'));
    expect(new RollingPolicy(file, MIB, 86_400, 6).rolledName(at)).toBe(path.join(dir, 'proxy.20250131-235958.log'));
    expect(new RollingPolicy(path.join(dir, 'proxy'), MIB, 'daily', 6).rolledName(at)).toBe(path.join(dir, 'proxy.20250131'));
  });

  test('roll: the file moves to its rolled name, the age file is touched, the oldest rolled files go so that keep remain', () => {
    const p = new RollingPolicy(file, MIB, 'weekly', 3);
    for (const [i, name] of ['proxy.20240101.log', 'proxy.20240108.log', 'proxy.20240115.log', 'proxy.20240122.log'].entries()) {
      fs.writeFileSync(path.join(dir, name), name);
      setMtime(path.join(dir, name), (10 - i) * 86_400_000);
    }
    fs.writeFileSync(path.join(dir, 'other.log'), 'not ours');
    setMtime(p.ageFile, 8 * 86_400_000);
    fs.writeFileSync(file, 'current\n');
    p.roll();
    const rolledName = p.rolledName();
    expect(fs.readFileSync(rolledName, 'utf8')).toBe('current\n');
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['other.log', 'proxy.20240115.log', 'proxy.20240122.log', path.basename(rolledName), 'proxy.log.age'].sort());
    expect(Date.now() - fs.statSync(p.ageFile).mtimeMs).toBeLessThan(5_000);
  });

  test('a second roll under the same name replaces the first (as the gem: its rename overwrites)', () => {
    const p = new RollingPolicy(file, 10, 'daily', 6);
    fs.writeFileSync(file, 'first\n');
    p.roll();
    fs.writeFileSync(file, 'second\n');
    p.roll();
    expect(fs.readFileSync(p.rolledName(), 'utf8')).toBe('second\n');
    expect(p.rolledFiles()).toEqual([p.rolledName()]);
  });

  test('keep 0 leaves only the file just rolled; no keep keeps everything', () => {
    const p = new RollingPolicy(file, 10, 1, 0);
    fs.writeFileSync(path.join(dir, 'proxy.20200101-000000.log'), 'old');
    fs.writeFileSync(file, 'now\n');
    p.roll();
    expect(p.rolledFiles()).toEqual([p.rolledName()]);
    const other = path.join(dir, 'b.log');
    const all = new RollingPolicy(other, 10, 1, null);
    fs.writeFileSync(path.join(dir, 'b.20200101-000000.log'), 'old');
    fs.writeFileSync(path.join(dir, 'b.20200102-000000.log'), 'old');
    fs.writeFileSync(other, 'again\n');
    all.roll();
    expect(all.rolledFiles().length).toBe(3);
  });
});
