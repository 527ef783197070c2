import * as fs from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import * as path from 'path';
import { sendBody, sendError, sendNotFound, setProtectionHeaders } from '../../core/errors';
import { log } from '../../core/log';
import { pumpFile } from './file-pump';
import { contentTypeFor } from './mime';
import { decodeRequestPath, normaliseRelative, PathRejected, strictlyInside } from './paths';

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
export function openInsideRoot(root: string, rawRelative: string): OpenedFile {
  const segments = normaliseRelative(decodeRequestPath(rawRelative));
  const joined = path.join(root, ...segments);
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

const SMALL_FILE = 128 * 1024;

function sendFile(req: IncomingMessage, res: ServerResponse, file: OpenedFile): void {
  const { fd, stat } = file;
  const type = contentTypeFor(file.real);
  const size = stat.size;
  if (notModified(req, stat.mtime)) {
    closeQuietly(fd);
    res.statusCode = 304;
    res.end();
    return;
  }
  const range = parseRange(req.headers.range, size);
  res.setHeader('Last-Modified', httpDate(stat.mtime));
  res.setHeader('Content-Type', type);
  setProtectionHeaders(res, type);
  if (range === 'unsatisfiable') {
    closeQuietly(fd);
    sendBody(req, res, 416, type, 'Byte range unsatisfiable\n', { 'Content-Range': `bytes */${size}` });
    return;
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : size - 1;
  res.statusCode = range ? 206 : 200;
  if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  res.setHeader('Content-Length', String(size === 0 ? 0 : end - start + 1));
  if (req.method === 'HEAD' || size === 0) {
    closeQuietly(fd);
    res.end();
    return;
  }
  const length = end - start + 1;
  if (length <= SMALL_FILE) {
    // One read and one write: far cheaper than setting up a stream for boot configs and EFI stubs.
    const buf = Buffer.allocUnsafe(length);
    let n = 0;
    try {
      n = fs.readSync(fd, buf, 0, length, start);
    } catch (err) {
      log.error(`Error reading ${file.real}: ${(err as Error).message}`);
    }
    closeQuietly(fd);
    if (n !== length) {
      res.destroy();
      return;
    }
    res.end(buf);
    return;
  }
  pumpFile(fd, start, end, res, (err) => log.error(`Error sending ${file.real}: ${err.message}`));
}

/** Serves `root` under the mount prefixes (`/httpboot`, `/EFI`), prefix stripped. */
export function fileHandler(root: string, prefixes: string[]) {
  const absRoot = path.resolve(root);
  return (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendNotFound(req, res);
      return;
    }
    const prefix = prefixes.find((p) => pathname === p || pathname.startsWith(`${p}/`)) ?? '';
    try {
      sendFile(req, res, openInsideRoot(absRoot, pathname.slice(prefix.length)));
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
}
