import { FreeIps, randomOrder } from '../../../src/modules/dhcp/free-ips';
import { intToIpv4, ipv4ToInt } from '../../../src/modules/dhcp/ipv4';
import { LocalOfferedAddresses } from '../../../src/modules/dhcp/offered-addresses';
import type { AddressProber } from '../../../src/modules/dhcp/probe';

/** A seeded generator (mulberry32) so the "random" order is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class FakeProber implements AddressProber {
  readonly probed: string[] = [];
  constructor(private readonly alive: Set<string> = new Set(), private readonly broken: Set<string> = new Set()) {}
  async isAlive(ip: string): Promise<boolean> {
    this.probed.push(ip);
    if (this.broken.has(ip)) throw new Error('probe failed');
    return this.alive.has(ip);
  }
}

const range = (from: string, to: string) => ({ first: ipv4ToInt(from), last: ipv4ToInt(to) });

function freeIps(opts: { ping?: boolean; prober?: AddressProber; now?: () => number; ttl?: number; seed?: number } = {}) {
  const store = new LocalOfferedAddresses();
  const f = new FreeIps({
    store, ttlSeconds: opts.ttl ?? 1800, ping: opts.ping ?? false, prober: opts.prober ?? new FakeProber(),
    random: seeded(opts.seed ?? 1), now: opts.now ?? (() => 1_000_000),
  });
  return { f, store };
}

describe('randomOrder (random index permutation)', () => {
  test.each([1, 2, 7, 254, 1000])('visits each of %i indices exactly once', (n) => {
    const seen = [...randomOrder(n, seeded(n))];
    expect(seen).toHaveLength(n);
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
  });

  test('is random: different seeds give different orders, the same seed the same', () => {
    const a = [...randomOrder(50, seeded(1))];
    expect([...randomOrder(50, seeded(1))]).toEqual(a);
    expect([...randomOrder(50, seeded(2))]).not.toEqual(a);
    expect(a).not.toEqual([...Array(50).keys()]);
  });

  test('a huge range costs nothing until drawn', () => {
    const it = randomOrder(2 ** 32, seeded(3));
    const first = [it.next().value, it.next().value];
    expect(first.every((v) => typeof v === 'number' && v >= 0 && v < 2 ** 32)).toBe(true);
  });

  test.each([0, -1, -5])('%i indices: "Zero or negative number of indices"', (n) => {
    expect(() => randomOrder(n).next()).toThrow('Zero or negative number of indices');
  });
});

describe('FreeIps.findFreeIp (free_ips_test)', () => {
  test('an address of the range that is not a record, marked as offered with expiry now + interval', async () => {
    const { f, store } = freeIps({ ttl: 1800, now: () => 5_000 });
    const r = range('192.168.122.10', '192.168.122.20');
    const ip = await f.findFreeIp(r.first, r.last, new Set(['192.168.122.11']));
    expect(ip).not.toBeNull();
    expect(ipv4ToInt(ip!)).toBeGreaterThanOrEqual(r.first);
    expect(ipv4ToInt(ip!)).toBeLessThanOrEqual(r.last);
    expect(ip).not.toBe('192.168.122.11');
    expect(await store.isOffered(ip!, 5_000 + 1_800_000 - 1)).toBe(true);
    expect(await store.isOffered(ip!, 5_000 + 1_800_000)).toBe(false);
  });

  test('consecutive calls return different addresses, then null once the range is used up', async () => {
    const { f } = freeIps();
    const r = range('10.0.0.1', '10.0.0.2');
    const got = [await f.findFreeIp(r.first, r.last, new Set()), await f.findFreeIp(r.first, r.last, new Set())];
    expect(got.sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBeNull();
  });

  test('a range full of records gives null and marks nothing', async () => {
    const { f, store } = freeIps();
    const r = range('10.0.0.1', '10.0.0.3');
    expect(await f.findFreeIp(r.first, r.last, new Set(['10.0.0.1', '10.0.0.2', '10.0.0.3']))).toBeNull();
    expect(store.size).toBe(0);
  });

  test('the range size arithmetic: one address, and an empty range is an error', async () => {
    const { f } = freeIps();
    const one = ipv4ToInt('10.0.0.9');
    expect(await f.findFreeIp(one, one, new Set())).toBe('10.0.0.9');
    await expect(f.findFreeIp(one + 1, one, new Set())).rejects.toThrow('Zero or negative number of indices');
  });

  test('marks expire: the cleaner drops them and the address is offered again', async () => {
    let now = 0;
    const { f, store } = freeIps({ ttl: 60, now: () => now });
    const r = range('10.0.0.1', '10.0.0.1');
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBe('10.0.0.1');
    now = 59_999;
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBeNull();
    await f.cleanUp();
    expect(store.size).toBe(1);
    now = 60_000;
    await f.cleanUp();
    expect(store.size).toBe(0);
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBe('10.0.0.1');
  });

  test('ping_free_ip: every candidate is probed; alive ones are skipped and stay marked', async () => {
    const prober = new FakeProber(new Set(['10.0.0.1', '10.0.0.2']));
    const { f, store } = freeIps({ ping: true, prober });
    const r = range('10.0.0.1', '10.0.0.3');
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBe('10.0.0.3');
    expect(await store.isOffered('10.0.0.1', 1_000_000)).toBe(true);
    expect(await store.isOffered('10.0.0.2', 1_000_000)).toBe(true);
    expect(prober.probed).toContain('10.0.0.3');
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBeNull();
  });

  test('a failing probe skips the address (and keeps it marked)', async () => {
    const prober = new FakeProber(new Set(), new Set(['10.0.0.1']));
    const { f, store } = freeIps({ ping: true, prober });
    const r = range('10.0.0.1', '10.0.0.1');
    expect(await f.findFreeIp(r.first, r.last, new Set())).toBeNull();
    expect(prober.probed).toEqual(['10.0.0.1']);
    expect(await store.isOffered('10.0.0.1', 1_000_000)).toBe(true);
  });

  test('without ping_free_ip nothing is probed', async () => {
    const prober = new FakeProber(new Set(['10.0.0.1']));
    const { f } = freeIps({ ping: false, prober });
    expect(await f.findFreeIp(ipv4ToInt('10.0.0.1'), ipv4ToInt('10.0.0.1'), new Set())).toBe('10.0.0.1');
    expect(prober.probed).toEqual([]);
  });

  test('concurrent searches never return the same address, even while probes are pending', async () => {
    const slow: AddressProber = { isAlive: () => new Promise((r) => setTimeout(() => r(false), 5)) };
    const { f } = freeIps({ ping: true, prober: slow });
    const r = range('10.1.0.1', '10.1.0.40');
    const got = await Promise.all(Array.from({ length: 45 }, () => f.findFreeIp(r.first, r.last, new Set())));
    const ips = got.filter((x): x is string => x !== null);
    expect(ips).toHaveLength(40);
    expect(new Set(ips).size).toBe(40);
    expect(got.filter((x) => x === null)).toHaveLength(5);
  });

  // How fast this is belongs to the benchmark (bench/: unused_ip on a /16 with 50 000 records),
  // not to a timed assertion here; this checks only what is answered.
  test('a /16 with 50 000 records: every answer is a free address of the range, never twice', async () => {
    const { f } = freeIps();
    const base = ipv4ToInt('172.16.0.0');
    const taken = new Set<string>();
    for (let i = 1; i <= 50_000; i++) taken.add(intToIpv4(base + i));
    const answers = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const ip = await f.findFreeIp(base + 1, base + 65534, taken);
      expect(ip).not.toBeNull();
      expect(taken.has(ip!)).toBe(false);
      expect(ipv4ToInt(ip!)).toBeGreaterThan(base + 50_000);
      expect(ipv4ToInt(ip!)).toBeLessThanOrEqual(base + 65534);
      answers.add(ip!);
    }
    expect(answers.size).toBe(100);
  });

  test('the cleaner timer starts once and stops', () => {
    jest.useFakeTimers();
    try {
      let now = 0;
      const { f, store } = freeIps({ ttl: 1, now: () => now });
      store.claimSync('10.0.0.1', 0, 1000);
      f.start();
      f.start();
      now = 61_000;
      jest.advanceTimersByTime(60_000);
      expect(store.size).toBe(0);
      f.stop();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('LocalOfferedAddresses', () => {
  test('claim is exclusive until expiry, and a re-claim after expiry moves the mark to the end', async () => {
    const s = new LocalOfferedAddresses();
    expect(await s.claim('a', 0, 100)).toBe(true);
    expect(await s.claim('a', 50, 150)).toBe(false);
    expect(await s.claim('b', 60, 160)).toBe(true);
    expect(await s.claim('a', 100, 200)).toBe(true);
    await s.sweep(160);
    expect([await s.isOffered('a', 160), await s.isOffered('b', 160)]).toEqual([true, false]);
    await s.sweep(200);
    expect(s.size).toBe(0);
  });
});
