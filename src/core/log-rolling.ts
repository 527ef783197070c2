import * as fs from 'fs';
import * as path from 'path';

/**
 * `file_rolling_size`, `file_rolling_age` and `file_rolling_keep`, as the baseline hands them to
 * the `logging` gem's rolling file appender (`roll_by: 'date'`): after a write, the file is
 * rolled when it is larger than the size or older than the age; rolled files are named after
 * the date they were rolled on (`proxy.log` → `proxy.20250131.log`; with an age in seconds
 * `proxy.20250131-235959.log`), and only the newest `keep` of them are kept.
 */

const MIB = 1024 * 1024;

export interface RollingSettings {
  file_rolling_size?: unknown;
  file_rolling_age?: unknown;
  file_rolling_keep?: unknown;
}

type Age = 'daily' | 'weekly' | 'monthly' | number | null;

/** Ruby's `Integer(value)`, which the gem applies to `keep` and to an age in seconds. */
function rubyInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
  throw new Error(`invalid value for Integer(): ${JSON.stringify(String(value))}`);
}

function ageOf(value: unknown): Age {
  if (value === null || value === undefined || value === false) return null;
  if (value === 'daily' || value === 'weekly' || value === 'monthly') return value;
  return rubyInteger(value);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dateStamp(d: Date, withTime: boolean): string {
  const day = `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;
  return withTime ? `${day}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}` : day;
}

export class RollingPolicy {
  /** Where the age of the current file is kept across restarts: its mtime is when it was last rolled. */
  readonly ageFile: string;
  private ageFileMtime: number | null = null;
  private readonly dir: string;
  private readonly stem: string;
  private readonly ext: string;

  /**
   * The policy the settings ask for, or null for a plain file (`file_rolling_size` below 1 MiB,
   * the default 0: rotation is left to logrotate and SIGUSR1). Throws for an age or keep that is
   * not a whole number, as the gem does (the caller then logs to STDOUT, as the baseline does).
   */
  static fromSettings(file: string, s: RollingSettings): RollingPolicy | null {
    const mib = Number(s.file_rolling_size ?? 0);
    if (!(Math.trunc(mib) > 0)) return null;
    const keep = s.file_rolling_keep === null || s.file_rolling_keep === undefined ? null : rubyInteger(s.file_rolling_keep);
    return new RollingPolicy(file, Math.trunc(mib * MIB), ageOf(s.file_rolling_age), keep);
  }

  constructor(readonly file: string, readonly maxBytes: number, readonly age: Age, readonly keep: number | null) {
    this.ageFile = `${file}.age`;
    this.dir = path.dirname(file);
    this.ext = path.extname(file);
    this.stem = path.basename(file, this.ext);
    if (age !== null && !fs.existsSync(this.ageFile)) fs.closeSync(fs.openSync(this.ageFile, 'a'));
  }

  /** Checked after each write to the file open as `fd`. */
  rollRequired(fd: number): boolean {
    return fs.fstatSync(fd).size > this.maxBytes || this.aged(Date.now());
  }

  private aged(now: number): boolean {
    if (this.age === null) return false;
    this.ageFileMtime ??= fs.statSync(this.ageFile).mtimeMs;
    const since = now - this.ageFileMtime;
    const then = new Date(this.ageFileMtime);
    const today = new Date(now);
    switch (this.age) {
      case 'daily': return today.getDate() !== then.getDate() || since > 86_400_000;
      case 'weekly': return since > 604_800_000;
      case 'monthly': return today.getMonth() !== then.getMonth() || since > 2_678_400_000;
      default: return since > this.age * 1000;
    }
  }

  /** The name the current file gets when rolled now. */
  rolledName(now = new Date()): string {
    const withTime = typeof this.age === 'number' || this.age === null;
    return path.join(this.dir, `${this.stem}.${dateStamp(now, withTime)}${this.ext}`);
  }

  /** Files rolled earlier: the gem's glob `<stem>.*<ext>` next to the log file. */
  rolledFiles(): string[] {
    const prefix = `${this.stem}.`;
    return fs.readdirSync(this.dir)
      .filter((f) => f.length >= prefix.length + this.ext.length && f.startsWith(prefix) && f.endsWith(this.ext))
      .map((f) => path.join(this.dir, f))
      .filter((f) => f !== this.file);
  }

  /**
   * Moves the current file to its rolled name (the caller then opens a new one). As the gem: the
   * oldest rolled files go first so that `keep` remain, and a second roll within the same date
   * stamp replaces the first one's file.
   */
  roll(): void {
    const rolled = this.rolledFiles();
    if (this.keep !== null && rolled.length >= this.keep) {
      const newestFirst = rolled
        .map((f) => ({ f, mtime: fs.statSync(f).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
      for (const { f } of newestFirst.slice(Math.max(0, this.keep - 1))) fs.rmSync(f, { force: true });
    }
    fs.renameSync(this.file, this.rolledName());
    if (this.age !== null) {
      const now = new Date();
      fs.utimesSync(this.ageFile, now, now);
      this.ageFileMtime = null;
    }
  }
}
