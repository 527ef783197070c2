import * as fs from 'fs';
import type { ServerResponse } from 'http';

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 512 * 1024;
const BUFFERS_PER_RESPONSE = 2;
/** All responses together hold at most this much buffer memory (beyond the minimum chunk). */
const BUFFER_BUDGET = 32 * 1024 * 1024;
let activeResponses = 0;

/** Big chunks (fewer system calls) when few files stream at once, small ones in a boot storm. */
function chunkSize(): number {
  const share = BUFFER_BUDGET / (BUFFERS_PER_RESPONSE * Math.max(1, activeResponses));
  const size = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, share));
  return size - (size % MIN_CHUNK);
}

/**
 * Streams bytes [start, end] of an open file into a response with two reused buffers: one is
 * read while the other is being written. Memory per response is bounded (2 × 64–512 KiB, sized by
 * how many files stream at once) whatever the file size, and nothing is allocated per chunk, so a
 * boot storm of large files does not grow the heap. A buffer is reused only after the socket
 * reported its write complete.
 */
export function pumpFile(fd: number, start: number, end: number, res: ServerResponse, onError: (err: Error) => void): void {
  activeResponses++;
  const CHUNK = Math.min(chunkSize(), end - start + 1);
  const free: Buffer[] = Array.from({ length: BUFFERS_PER_RESPONSE }, () => Buffer.allocUnsafeSlow(CHUNK));
  let position = start;
  let reading = false;
  let writing = 0;
  let finished = false;

  const release = () => {
    activeResponses--;
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
