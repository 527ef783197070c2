import * as fs from 'fs';
import type { ServerResponse } from 'http';
import { ChunkBuffers } from './chunk-buffers';

/** Below this many concurrent responses, each reads its next chunk while the last is written. */
const READ_AHEAD_BELOW = 16;
let activeResponses = 0;
const buffers = new ChunkBuffers();

/** The process's chunk buffers, for diagnosis and tests. */
export function chunkBuffers(): ChunkBuffers {
  return buffers;
}

/**
 * Streams bytes [start, end] of an open file into a response, one chunk at a time, in buffers
 * borrowed from the process's shared slots (chunk-buffers.ts) for as long as that chunk is read
 * and written. Few responses at once: 512 KiB chunks and one read ahead; in a storm: 256 KiB
 * chunks, one at a time each, taking turns for the slots while the kernel's socket buffers keep
 * every connection flowing.
 * Memory is bounded by the slots whatever the file sizes and the number of clients, and a buffer
 * is reused only after the socket reported its write complete.
 */
export function pumpFile(fd: number, start: number, end: number, res: ServerResponse, onError: (err: Error) => void): void {
  activeResponses++;
  const inFlightMax = activeResponses < READ_AHEAD_BELOW ? 2 : 1;
  let position = start;
  let reading = false;
  let writing = 0;
  let finished = false;
  let cancelWait: (() => void) | null = null;

  const stop = () => {
    finished = true;
    activeResponses--;
    cancelWait?.();
    fs.close(fd, () => undefined);
  };
  const finish = (err?: Error) => {
    if (finished) return;
    stop();
    if (err) {
      onError(err);
      res.destroy();
    } else res.end();
  };

  const readInto = (buf: Buffer): void => {
    cancelWait = null;
    if (finished) return buffers.give(buf);
    reading = true;
    fs.read(fd, buf, 0, Math.min(buf.length, end - position + 1), position, (err, n) => {
      reading = false;
      if (finished || err || n === 0) {
        buffers.give(buf);
        if (err) finish(err);
        else if (n === 0) finish(new Error('file shrank while it was being sent'));
        return;
      }
      // A write to a socket already destroyed (its 'close' not yet emitted) is dropped by Node
      // without calling back: the buffer would never come home.
      if (!res.socket || res.socket.destroyed) {
        buffers.give(buf);
        stop();
        return;
      }
      position += n;
      writing++;
      res.write(n === buf.length ? buf : buf.subarray(0, n), (werr) => {
        writing--;
        buffers.give(buf);
        if (finished) return;
        if (werr) finish(werr);
        else step();
      });
      step();
    });
  };

  function step(): void {
    if (finished) return;
    if (position > end) {
      if (writing === 0) finish();
      return;
    }
    if (reading || cancelWait || writing >= inFlightMax) return;
    const large = activeResponses < READ_AHEAD_BELOW;
    const buf = buffers.tryTake(large);
    if (buf) readInto(buf);
    // A read ahead is only worth it with a buffer free now; the first chunk waits its turn.
    else if (writing === 0) cancelWait = buffers.wait(readInto);
  }

  res.on('close', () => {
    if (!finished && !res.writableFinished) stop();
  });
  step();
}
