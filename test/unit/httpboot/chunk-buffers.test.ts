import { ChunkBuffers } from '../../../src/modules/httpboot/chunk-buffers';

const limits = { smallSize: 16, smallSlots: 2, largeSize: 64, largeSlots: 1, maxWaitMs: 40, idleReleaseMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chunk buffers shared by streamed responses', () => {
  test('hands out at most the configured slots, large ones only when asked, small ones after the large are gone', () => {
    const pool = new ChunkBuffers(limits);
    const large = pool.tryTake(true)!;
    expect(large.length).toBe(64);
    const a = pool.tryTake(true)!;
    const b = pool.tryTake(false)!;
    expect([a.length, b.length]).toEqual([16, 16]);
    expect(pool.tryTake(false)).toBeUndefined();
    expect(pool.tryTake(true)).toBeUndefined();
    expect(pool.slotBytes).toBe(64 + 2 * 16);
  });

  test('a small request may get the large buffer when every small one is busy', () => {
    const pool = new ChunkBuffers(limits);
    pool.tryTake(false);
    pool.tryTake(false);
    const large = pool.tryTake(true)!;
    pool.give(large);
    expect(pool.tryTake(false)).toBe(large);
  });

  test('buffers given back are reused, never created again', () => {
    const pool = new ChunkBuffers(limits);
    const first = pool.tryTake(false)!;
    pool.give(first);
    expect(pool.tryTake(false)).toBe(first);
    expect(pool.slotBytes).toBe(16);
  });

  test('waiting chunks get buffers given back in arrival order, never synchronously', () => {
    const pool = new ChunkBuffers(limits);
    const held = [pool.tryTake(true)!, pool.tryTake(false)!, pool.tryTake(false)!];
    const order: string[] = [];
    pool.wait(() => order.push('first'));
    pool.wait(() => order.push('second'));
    expect(order).toEqual([]);
    pool.give(held[1]);
    pool.give(held[0]);
    expect(order).toEqual(['first', 'second']);
    pool.give(held[2]);
    expect(pool.tryTake(false)).toBe(held[2]);
  });

  test('a cancelled wait is skipped', () => {
    const pool = new ChunkBuffers(limits);
    const held = [pool.tryTake(true)!, pool.tryTake(false)!, pool.tryTake(false)!];
    const got: string[] = [];
    const cancel = pool.wait(() => got.push('cancelled'));
    pool.wait(() => got.push('kept'));
    cancel();
    pool.give(held[0]);
    expect(got).toEqual(['kept']);
  });

  test('a chunk that waits too long gets a one-off buffer, which is not kept when given back', async () => {
    const pool = new ChunkBuffers(limits);
    [pool.tryTake(true), pool.tryTake(false), pool.tryTake(false)];
    const oneOff = await new Promise<Buffer>((resolve) => pool.wait(resolve));
    expect(oneOff.length).toBe(16);
    expect(pool.oneOffs).toBe(1);
    pool.give(oneOff);
    expect(pool.tryTake(false)).toBeUndefined();
    expect(pool.slotBytes).toBe(64 + 2 * 16);
    await sleep(100); // the sweeper stops once nobody waits
  });

  test('slots nobody borrowed for a while are let go, never while one is lent', async () => {
    const pool = new ChunkBuffers({ ...limits, idleReleaseMs: 30 });
    const lent = pool.tryTake(false)!;
    pool.give(pool.tryTake(true)!);
    await sleep(100);
    expect(pool.slotBytes).toBe(64 + 16);
    pool.give(lent);
    await sleep(100);
    expect(pool.slotBytes).toBe(0);
    const fresh = pool.tryTake(false)!;
    expect(fresh).not.toBe(lent);
    expect(pool.slotBytes).toBe(16);
    pool.give(fresh);
    await sleep(100);
  });
});
