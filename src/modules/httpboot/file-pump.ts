import * as fs from 'fs';
import type { ServerResponse } from 'http';

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 512 * 1024;
/** Up to this many concurrent responses each read ahead into a second buffer. */
const READ_AHEAD_BELOW = 16;
/** All responses together hold at most this much buffer memory (beyond the minimum chunk). */
const BUFFER_BUDGET = 32 * 1024 * 1024;
let activeResponses = 0;

/**
 * Buffers go back to a pool when a response ends and are handed to the next one: a storm of
 * large files reuses the same memory instead of leaving the allocator fragmented and the
 * process's resident size at its high-water mark.
 */
const pool = new Map<number, Buffer[]>();
let pooledBytes = 0;

function takeBuffer(size: number): Buffer {
  const list = pool.get(size);
  const buf = list?.pop();
  if (buf) {
    pooledBytes -= size;
    return buf;
  }
  return Buffer.allocUnsafeSlow(size);
}

function giveBack(buf: Buffer): void {
  if (pooledBytes + buf.length > BUFFER_BUDGET) return;
  pooledBytes += buf.length;
  const list = pool.get(buf.length);
  if (list) list.push(buf);
  else pool.set(buf.length, [buf]);
}

/** Big chunks (fewer system calls) when few files stream at once, small ones in a boot storm. */
function chunkSize(buffers: number): number {
  const share = BUFFER_BUDGET / (buffers * Math.max(1, activeResponses));
  const size = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, share));
  return size - (size % MIN_CHUNK);
}

/**
 * Streams bytes [start, end] of an open file into a response with two reused buffers: one is
 * read while the other is being written (one buffer in a storm). Memory per response is bounded
 * (1–2 × 64–512 KiB, sized by how many files stream at once) whatever the file size, and nothing is allocated per chunk, so a
 * boot storm of large files does not grow the heap. A buffer is reused only after the socket
 * reported its write complete.
 */
export function pumpFile(fd: number, start: number, end: number, res: ServerResponse, onError: (err: Error) => void): void {
  activeResponses++;
  // Alone, a response reads the next chunk while the last one is written; in a storm the kernel's
  // socket buffers already keep every connection busy, and one buffer each halves the memory.
  const buffers = activeResponses < READ_AHEAD_BELOW ? 2 : 1;
  // Pooled buffers come in a few standard sizes only; a short file still gets one of them.
  const CHUNK = chunkSize(buffers);
  const free: Buffer[] = Array.from({ length: buffers }, () => takeBuffer(CHUNK));
  let position = start;
  let reading = false;
  let writing = 0;
  let finished = false;

  // Buffers still being written belong to the socket until their write callback; they return then.
  const release = () => {
    activeResponses--;
    while (free.length) {
      giveBack(free.pop()!);
    }
  };
  const finish = (err?: Error) => {
    if (finished) return;
    finished = true;
    release();
    fs.close(fd, () => undefined);
    if (err) {
      onError(err);
      res.destroy();
    } else res.end();
  };

  const step = (): void => {
    if (finished) return;
    if (position > end) {
      if (writing === 0) finish();
      return;
    }
    if (reading || free.length === 0) return;
    const buf = free.pop()!;
    const length = Math.min(CHUNK, end - position + 1);
    reading = true;
    fs.read(fd, buf, 0, length, position, (err, n) => {
      reading = false;
      if (finished) return;
      if (err) return finish(err);
      if (n === 0) return finish(new Error('file shrank while it was being sent'));
      position += n;
      writing++;
      res.write(n === CHUNK ? buf : buf.subarray(0, n), (werr) => {
        writing--;
        if (finished) {
          giveBack(buf);
          return;
        }
        free.push(buf);
        if (werr) finish(werr);
        else step();
      });
      step();
    });
  };

  res.on('close', () => {
    if (!finished && !res.writableFinished) {
      finished = true;
      release();
      fs.close(fd, () => undefined);
    }
  });
  step();
}
