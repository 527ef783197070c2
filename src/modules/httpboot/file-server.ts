import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import * as path from 'path';
import { protectionHeaders, sendBody, sendError, sendNotFound } from '../../core/errors';
import { log } from '../../core/log';
import type { QuickAnswer, RawHandler } from '../../core/module';
import { isUnder } from '../../core/pipeline';
import { bound } from '../../core/request-context';
import { pumpFile } from './file-pump';
import { contentTypeFor } from './mime';
import { CACHEABLE_SIZE, CachedFile, SmallFileCache } from './small-file-cache';
import { decodeRequestPath, normaliseRelative, PathRejected, strictlyInside } from './paths';

/** The file a request path names inside `root`, by lexical rules only (no file system access). */
export function requestedPath(root: string, rawRelative: string): string {
  return path.join(root, ...normaliseRelative(decodeRequestPath(rawRelative)));
}

interface OpenedFile {
  fd: number;
  stat: fs.Stats;
  real: string;
}

const hasProcFd = fs.existsSync('/proc/self/fd');

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}

/**
 * Resolves a request path inside `root` by the baseline's rules (reference §5) and opens it.
 * The opened descriptor is checked again through /proc, so a symlink swapped in between the
 * check and the open cannot lead outside the root.
 *
 * These are synchronous on purpose: on a local boot tree each call is a few microseconds of
 * page-cache work, and a round trip through libuv's thread pool per call costs more than the
 * call itself (measured: the event loop sat idle half the time waiting for the pool).
 */
export function openInsideRoot(root: string, joined: string): OpenedFile {
  let real: string;
  try {
    real = fs.realpathSync.native(joined);
  } catch {
    throw new PathRejected(404, 'Not found');
  }
  if (!strictlyInside(root, real)) throw new PathRejected(403, 'Invalid or empty path');
  let fd: number;
  try {
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') throw new PathRejected(404, 'Not found');
    if (code === 'EISDIR') throw new PathRejected(403, 'Directory listing not allowed');
    throw new PathRejected(403, 'Invalid or empty path');
  }
  try {
    const stat = fs.fstatSync(fd);
    if (hasProcFd && !strictlyInside(root, fs.readlinkSync(`/proc/self/fd/${fd}`))) {
      throw new PathRejected(403, 'Invalid or empty path');
    }
    if (stat.isDirectory()) throw new PathRejected(403, 'Directory listing not allowed');
    if (!stat.isFile()) throw new PathRejected(503, 'Not a regular file');
    return { fd, stat, real };
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

/** A single `bytes=` range; null means "serve the whole file" (absent, multiple or unparseable). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null;
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

function httpDate(d: Date): string {
  return d.toUTCString();
}

function notModified(req: IncomingMessage, mtime: Date): boolean {
  const since = req.headers['if-modified-since'];
  if (!since) return false;
  const t = Date.parse(since);
  return Number.isFinite(t) && Math.floor(mtime.getTime() / 1000) <= Math.floor(t / 1000);
}


/** The headers every file answer starts with, in the order they are sent. */
function fileHeaders(type: string, mtime: Date): [string, string][] {
  return [['Last-Modified', httpDate(mtime)], ['Content-Type', type], ...protectionHeaders(type)];
}

/** A whole-file 200's header lines after Server, as answerHeaders sets them, for the quick path. */
function wholeFileHeaderLines(real: string, size: number, mtime: Date): string {
  const lines = [...fileHeaders(contentTypeFor(real), mtime), ['Content-Length', String(size)]];
  return lines.map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

/**
 * Status and headers for a file of `size` bytes: 304, 416, or the byte range to send (null when
 * nothing more is to be sent: HEAD, empty file, or already answered).
 */
function answerHeaders(req: IncomingMessage, res: ServerResponse, real: string, size: number, mtime: Date): { start: number; end: number } | null {
  if (notModified(req, mtime)) {
    // The baseline's 304 carries Rack protection's nosniff and no entity headers.
    res.statusCode = 304;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end();
    return null;
  }
  const type = contentTypeFor(real);
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    // As the baseline's Rack::Files answers it: WEBrick's reason phrase, X-Cascade, no Last-Modified.
    res.statusMessage = 'Request Range Not Satisfiable';
    sendBody(req, res, 416, type, 'Byte range unsatisfiable\n', { 'X-Cascade': 'pass', 'Content-Range': `bytes */${size}` });
    return null;
  }
  for (const [name, value] of fileHeaders(type, mtime)) res.setHeader(name, value);
  const start = range ? range.start : 0;
  const end = range ? range.end : size - 1;
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  res.setHeader('Content-Length', String(size === 0 ? 0 : end - start + 1));
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return null;
  }
  return { start, end };
}

function sendCached(req: IncomingMessage, res: ServerResponse, file: CachedFile): void {
  const span = answerHeaders(req, res, file.real, file.content.length, file.mtime);
  if (span) res.end(span.start === 0 && span.end === file.content.length - 1 ? file.content : file.content.subarray(span.start, span.end + 1));
}

/** Reads a whole small file; null when it changed size under us. */
function readWhole(file: OpenedFile): Buffer | null {
  const buf = Buffer.allocUnsafe(file.stat.size);
  let n = 0;
  try {
    n = fs.readSync(file.fd, buf, 0, buf.length, 0);
  } catch (err) {
    log.error(`Error reading ${file.real}: ${(err as Error).message}`);
  }
  return n === buf.length ? buf : null;
}

/**
 * Reads a small opened file once, whole, into the cache, and closes it: one read and one write,
 * and the next request costs one stat. Null when it changed size under us.
 */
function cacheWhole(joined: string, file: OpenedFile, cache: SmallFileCache): CachedFile | null {
  const content = readWhole(file);
  closeQuietly(file.fd);
  return content && cache.store(joined, file.real, file.stat, content, wholeFileHeaderLines(file.real, content.length, file.stat.mtime));
}

/** Streams a file too large for the cache (its descriptor is closed when done). */
function sendLarge(req: IncomingMessage, res: ServerResponse, file: OpenedFile): void {
  const span = answerHeaders(req, res, file.real, file.stat.size, file.stat.mtime);
  if (!span) {
    closeQuietly(file.fd);
    return;
  }
  pumpFile(file.fd, span.start, span.end, res, bound((err: Error) => log.error(`Error sending ${file.real}: ${err.message}`)));
}

/**
 * Serves `root` under the mount prefixes (`/httpboot`, `/EFI`), prefix stripped: `raw` for every
 * request; `quick` answers the small files, through the same checks and cache, and leaves
 * everything else (refusals, large files) to `raw`.
 */
export function fileServer(root: string, prefixes: string[]): { raw: RawHandler; quick: (pathname: string) => QuickAnswer | null } {
  const absRoot = path.resolve(root);
  const cache = new SmallFileCache();
  // The request path's file is a pure function of the path: remembered for the paths asked for
  // again and again (bounded; refused paths are not kept and throw every time).
  const joinedPaths = new Map<string, string>();
  const joinedPathOf = (pathname: string): string => {
    let joined = joinedPaths.get(pathname);
    if (joined === undefined) {
      const prefix = prefixes.find((p) => isUnder(pathname, p)) ?? '';
      joined = requestedPath(absRoot, pathname.slice(prefix.length));
      if (joinedPaths.size >= 4096) joinedPaths.clear();
      joinedPaths.set(pathname, joined);
    }
    return joined;
  };
  /**
   * The file a request path names: from the cache, else opened by the baseline's rules (and,
   * when small, read whole into the cache). Throws PathRejected; null when a small file changed
   * size while it was read.
   */
  const fileFor = (pathname: string): CachedFile | OpenedFile | null => {
    const joined = joinedPathOf(pathname);
    const hit = cache.lookup(joined);
    if (hit) return hit;
    const file = openInsideRoot(absRoot, joined);
    return file.stat.size <= CACHEABLE_SIZE ? cacheWhole(joined, file, cache) : file;
  };
  const raw = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendNotFound(req, res);
      return;
    }
    try {
      const file = fileFor(pathname);
      if (!file) res.destroy();
      else if ('content' in file) sendCached(req, res, file);
      else sendLarge(req, res, file);
    } catch (err) {
      if (err instanceof PathRejected) {
        log.error(err.message);
        sendError(req, res, err.status, err.message);
        return;
      }
      log.error(`Unexpected error serving ${pathname}: ${(err as Error).message}`);
      sendError(req, res, 500, 'Internal error');
    }
  };
  const quick = (pathname: string): QuickAnswer | null => {
    let file: CachedFile | OpenedFile | null;
    try {
      file = fileFor(pathname);
    } catch {
      return null; // refused paths get their answer from `raw`
    }
    if (!file) return null;
    if ('content' in file) return { headers: file.headers, body: file.content };
    closeQuietly(file.fd); // a large file is streamed by `raw`
    return null;
  };
  return { raw, quick };
}
