/** The shared, short-lived read behind dhcp_libvirt's lookups (recent-value.ts). */
import { RecentValue } from '../../../src/modules/dhcp/providers/libvirt/recent-value';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

test('readers within the TTL share one read; after it a new read starts', async () => {
  let now = 0;
  let reads = 0;
  const v = new RecentValue(async () => ++reads, 1000, () => now);
  expect(await Promise.all([v.get(), v.get()])).toEqual([1, 1]);
  now = 999;
  expect(await v.get()).toBe(1);
  now = 1000;
  expect(await v.get()).toBe(2);
});

test('a failed read is not kept', async () => {
  let reads = 0;
  const v = new RecentValue(async () => {
    reads += 1;
    if (reads === 1) throw new Error('libvirt down');
    return reads;
  }, 60_000, () => 0);
  await expect(v.get()).rejects.toThrow('libvirt down');
  expect(await v.get()).toBe(2);
});

test('invalidate during a read: earlier readers get that read, later ones a fresh one', async () => {
  const pending = [deferred<string>(), deferred<string>()];
  let i = 0;
  const v = new RecentValue(() => pending[i++].promise, 60_000, () => 0);
  const before = v.get();
  v.invalidate(); // our own write finished while the read was under way
  const after = v.get();
  pending[0].resolve('old');
  pending[1].resolve('new');
  expect(await before).toBe('old');
  expect(await after).toBe('new');
  expect(await v.get()).toBe('new');
});

test('TTL 0 reads every time', async () => {
  let reads = 0;
  const v = new RecentValue(async () => ++reads, 0, () => 5);
  await v.get();
  await v.get();
  expect(reads).toBe(2);
});
