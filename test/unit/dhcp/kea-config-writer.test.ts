import { ConfigChangedError, ConfigWriter, KeaConfigApi, PersistError } from '../../../src/modules/dhcp/providers/kea/config-writer';
import { KeaCommandError, KeaUnreachableError } from '../../../src/modules/dhcp/providers/kea/kea-client';
import { Json } from '../../../src/modules/dhcp/providers/kea/kea-config';

/** An in-memory Kea: config-get answers a deep copy, config-set replaces, every call recorded. */
class FakeKea implements KeaConfigApi {
  config: Json = { Dhcp4: { subnet4: [{ id: 1, subnet: '10.0.0.0/24', reservations: [] as Json[] }] } };
  calls: string[] = [];
  /** Runs after the n-th config-get (1-based), e.g. someone else's edit. */
  afterGet = new Map<number, () => void>();
  refuse?: (config: Json) => string | undefined;
  failWrite = false;
  private gets = 0;

  async get(): Promise<Json> {
    this.calls.push('get');
    const copy = structuredClone(this.config);
    this.gets += 1;
    this.afterGet.get(this.gets)?.();
    await new Promise((r) => setImmediate(r));
    return copy;
  }
  async test(config: Json): Promise<void> {
    this.calls.push('test');
    const reason = this.refuse?.(config);
    if (reason) throw new KeaCommandError('config-test', 1, reason);
  }
  async set(config: Json): Promise<void> {
    this.calls.push('set');
    this.config = structuredClone(config);
  }
  async write(): Promise<void> {
    this.calls.push('write');
    if (this.failWrite) throw new KeaCommandError('config-write', 1, 'Unable to open file /etc/kea/kea-dhcp4.conf for writing');
  }
  macs(): string[] {
    return this.config.Dhcp4.subnet4[0].reservations.map((r: Json) => r['hw-address']);
  }
}

const add = (mac: string) => (dhcp4: Json) => {
  dhcp4.subnet4[0].reservations.push({ 'hw-address': mac });
  return true;
};

test('one change: get, test, get, set, write', async () => {
  const kea = new FakeKea();
  const applied: Json[] = [];
  const writer = new ConfigWriter(kea, { applied: (c) => applied.push(c) });
  await writer.submit(add('aa'));
  expect(kea.calls).toEqual(['get', 'test', 'get', 'set', 'write']);
  expect(kea.macs()).toEqual(['aa']);
  expect(applied).toHaveLength(1);
});

test('concurrent changes are serialised and batched: none is lost', async () => {
  const kea = new FakeKea();
  const writer = new ConfigWriter(kea);
  const macs = Array.from({ length: 20 }, (_, i) => `m${i}`);
  await Promise.all(macs.map((m) => writer.submit(add(m))));
  expect(kea.macs().sort()).toEqual([...macs].sort());
  // The first change runs alone; the 19 queued behind it go in one more cycle.
  expect(writer.sets).toBe(2);
});

test('a change that needs nothing done sends no config-set', async () => {
  const kea = new FakeKea();
  const writer = new ConfigWriter(kea);
  await writer.submit(() => false);
  expect(kea.calls).toEqual(['get']);
});

test('a configuration changed behind our back is re-read and the change re-applied on it', async () => {
  const kea = new FakeKea();
  // Someone else adds a reservation right after our first read.
  kea.afterGet.set(1, () => kea.config.Dhcp4.subnet4[0].reservations.push({ 'hw-address': 'theirs' }));
  const writer = new ConfigWriter(kea);
  await writer.submit(add('ours'));
  expect(kea.macs()).toEqual(['theirs', 'ours']);
  // The configuration read for the check is the second attempt's starting point.
  expect(kea.calls).toEqual(['get', 'test', 'get', 'test', 'get', 'set', 'write']);
});

test('a configuration that keeps changing gives up after the attempts, writing nothing', async () => {
  const kea = new FakeKea();
  for (let n = 1; n <= 10; n++) kea.afterGet.set(n, () => kea.config.Dhcp4.subnet4[0].reservations.push({ 'hw-address': `x${n}` }));
  const writer = new ConfigWriter(kea, { attempts: 3 });
  await expect(writer.submit(add('ours'))).rejects.toThrow(new ConfigChangedError(3));
  expect(kea.calls.filter((c) => c === 'set')).toEqual([]);
  expect(kea.macs()).not.toContain('ours');
});

test('a batch Kea refuses is split: only the faulty change fails, with Kea\'s text', async () => {
  const kea = new FakeKea();
  kea.refuse = (c) => (c.Dhcp4.subnet4[0].reservations.some((r: Json) => r['hw-address'] === 'bad') ? 'There\'s already a reservation for this address' : undefined);
  const writer = new ConfigWriter(kea);
  const first = writer.submit(add('first'));
  const rest = ['a', 'bad', 'b'].map((m) => writer.submit(add(m)).then(() => 'ok', (e) => (e as Error).message));
  await first;
  expect(await Promise.all(rest)).toEqual(['ok', 'There\'s already a reservation for this address', 'ok']);
  expect(kea.macs()).toEqual(['first', 'a', 'b']);
});

test('a change that refuses to apply fails alone; the others of its batch go through', async () => {
  const kea = new FakeKea();
  const writer = new ConfigWriter(kea);
  const first = writer.submit(add('first'));
  const refused = writer.submit(() => {
    throw new Error('collision');
  });
  const other = writer.submit(add('other'));
  await first;
  await expect(refused).rejects.toThrow('collision');
  await other;
  expect(kea.macs()).toEqual(['first', 'other']);
});

test('config-write failing after config-set is a PersistError (the change is live)', async () => {
  const kea = new FakeKea();
  kea.failWrite = true;
  const writer = new ConfigWriter(kea);
  await expect(writer.submit(add('aa'))).rejects.toBeInstanceOf(PersistError);
  expect(kea.macs()).toEqual(['aa']);
});

test('Kea not answering fails every change of the batch with that error, and the queue goes on', async () => {
  const kea = new FakeKea();
  const writer = new ConfigWriter(kea);
  const realGet = kea.get.bind(kea);
  kea.get = async () => {
    throw new KeaUnreachableError('connect ECONNREFUSED');
  };
  await expect(writer.submit(add('aa'))).rejects.toBeInstanceOf(KeaUnreachableError);
  kea.get = realGet;
  await writer.submit(add('bb'));
  expect(kea.macs()).toEqual(['bb']);
});

describe('starting from a recent read', () => {
  test('the provider\'s read of moments ago saves one config-get; the check before config-set still reads', async () => {
    const kea = new FakeKea();
    const recent = structuredClone(kea.config);
    const writer = new ConfigWriter({ ...bound(kea), recent: () => recent });
    await writer.submit(add('aa'));
    expect(kea.calls).toEqual(['test', 'get', 'set', 'write']);
    expect(kea.macs()).toEqual(['aa']);
  });

  test('a recent read that is out of date is caught by the check and the change re-applied', async () => {
    const kea = new FakeKea();
    const recent = structuredClone(kea.config);
    kea.config.Dhcp4.subnet4[0].reservations.push({ 'hw-address': 'theirs' });
    const writer = new ConfigWriter({ ...bound(kea), recent: () => recent });
    await writer.submit(add('ours'));
    expect(kea.macs()).toEqual(['theirs', 'ours']);
    expect(kea.calls).toEqual(['test', 'get', 'test', 'get', 'set', 'write']);
  });

  test('"nothing to do" or a refusal judged on a recent read is confirmed on a fresh one', async () => {
    const kea = new FakeKea();
    const recent = structuredClone(kea.config);
    recent.Dhcp4.subnet4[0].reservations.push({ 'hw-address': 'gone' });
    const writer = new ConfigWriter({ ...bound(kea), recent: () => recent });
    // Judged on the recent read the reservation is there; Kea no longer has it: it is written.
    await writer.submit((d) => {
      if (d.subnet4[0].reservations.some((r: Json) => r['hw-address'] === 'gone')) return false;
      d.subnet4[0].reservations.push({ 'hw-address': 'gone' });
      return true;
    });
    expect(kea.macs()).toEqual(['gone']);
    expect(kea.calls).toEqual(['get', 'test', 'get', 'set', 'write']);
  });

  test('config-test refusing a change made on a recent read is tried again on a fresh read', async () => {
    const kea = new FakeKea();
    const recent = structuredClone(kea.config);
    recent.Dhcp4.subnet4[0].reservations.push({ 'hw-address': 'stale' });
    kea.refuse = (c) => (c.Dhcp4.subnet4[0].reservations.some((r: Json) => r['hw-address'] === 'stale') ? 'stale entry' : undefined);
    const writer = new ConfigWriter({ ...bound(kea), recent: () => recent });
    await writer.submit(add('aa'));
    expect(kea.macs()).toEqual(['aa']);
  });
});

/** The fake's methods bound, to combine with an extra member. */
function bound(kea: FakeKea): KeaConfigApi {
  return { get: () => kea.get(), test: (c) => kea.test(c), set: (c) => kea.set(c), write: () => kea.write() };
}
