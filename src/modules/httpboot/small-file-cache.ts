import * as fs from 'fs';

/** A small file checked and read once, served from memory while it stays the same file. */
export interface CachedFile {
  real: string;
  content: Buffer;
  mtime: Date;
  /** The header lines of its 200 answer after Server, each ending in CRLF (made by the file server). */
  headers: string;
  dev: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  /** The event-loop turn in which a stat last showed it unchanged. */
  checkedTurn: number;
}

/**
 * Event-loop turns, counted: requests read in the same turn (the sockets one poll found ready)
 * arrived before the first of them was checked, so one stat answers for all of them, exactly as
 * if they had been handled at that instant.
 */
let turn = 0;
let turnEnds = false;
function currentTurn(): number {
  if (!turnEnds) {
    turnEnds = true;
    setImmediate(() => {
      turn++;
      turnEnds = false;
    });
  }
  return turn;
}

export const CACHEABLE_SIZE = 128 * 1024;
const CACHE_BUDGET = 16 * 1024 * 1024;

/**
 * Boot configs and EFI stubs are asked for again and again. An entry is used only when a stat of
 * the requested path still shows the very file that passed every check (same device, inode, size,
 * mtime and ctime): a file replaced (TFTP writes rename a new file in), modified, or a symlink
 * pointed elsewhere is a different file, and the request takes the full path again. One stat
 * instead of realpath + open + fstat + readlink + read + close, and one per event-loop turn for
 * all the requests of that turn.
 */
export class SmallFileCache {
  private readonly entries = new Map<string, CachedFile>();
  private bytes = 0;

  lookup(joined: string): CachedFile | undefined {
    const entry = this.entries.get(joined);
    if (!entry) return undefined;
    const now = currentTurn();
    if (entry.checkedTurn === now) return entry;
    let st: fs.Stats;
    try {
      st = fs.statSync(joined);
    } catch {
      this.drop(joined, entry);
      return undefined;
    }
    if (st.ino !== entry.ino || st.dev !== entry.dev || st.size !== entry.content.length
      || st.mtimeMs !== entry.mtimeMs || st.ctimeMs !== entry.ctimeMs) {
      this.drop(joined, entry);
      return undefined;
    }
    // Most recently used last: the map's order is the eviction order.
    this.entries.delete(joined);
    this.entries.set(joined, entry);
    entry.checkedTurn = now;
    return entry;
  }

  /** Keeps a file that just passed every check; returns the entry to serve it from. */
  store(joined: string, real: string, stat: fs.Stats, content: Buffer, headers: string): CachedFile {
    const entry = {
      real, content, mtime: stat.mtime, headers, dev: stat.dev, ino: stat.ino, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, checkedTurn: currentTurn(),
    };
    if (content.length > CACHEABLE_SIZE) return entry;
    const old = this.entries.get(joined);
    if (old) this.drop(joined, old);
    this.entries.set(joined, entry);
    this.bytes += content.length;
    for (const [key, entry] of this.entries) {
      if (this.bytes <= CACHE_BUDGET) break;
      this.drop(key, entry);
    }
    return entry;
  }

  private drop(key: string, entry: CachedFile): void {
    this.entries.delete(key);
    this.bytes -= entry.content.length;
  }
}
