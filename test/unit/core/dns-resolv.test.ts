import { candidateNames, dnsIpv4Address, dnsResolvTimeouts, parseResolvConf } from '../../../src/core/dns-resolv';
import { globalSettingsFrom } from '../../../src/core/settings';
import { resolveNextServer, nextServerResolver } from '../../../src/modules/dhcp/providers/isc/omapi/statements';
import { FakeDns, startFakeDns } from '../../support/fake-dns';

let dns: FakeDns | undefined;
afterEach(async () => {
  await dns?.close();
  dns = undefined;
});

const NO_SEARCH = { search: [], ndots: 1 };

describe('dns_resolv_timeouts (the setting)', () => {
  test('default [5, 8, 13]; one number is one try; null leaves Ruby\'s generated default', () => {
    expect(globalSettingsFrom({}, '/tmp').dns_resolv_timeouts).toEqual([5, 8, 13]);
    expect(globalSettingsFrom({ dns_resolv_timeouts: 2 }, '/tmp').dns_resolv_timeouts).toEqual([2]);
    expect(globalSettingsFrom({ dns_resolv_timeouts: [1, 0.5] }, '/tmp').dns_resolv_timeouts).toEqual([1, 0.5]);
    expect(globalSettingsFrom({ dns_resolv_timeouts: null }, '/tmp').dns_resolv_timeouts).toBeNull();
  });

  test('anything but positive numbers is refused at start-up', () => {
    for (const bad of [0, -1, '5', [5, 'x'], [], { a: 1 }]) {
      expect(() => dnsResolvTimeouts(bad)).toThrow(/^Setting 'dns_resolv_timeouts' must be a positive number of seconds or a list of them/);
    }
  });
});

describe('resolv.conf search list, as Resolv::DNS reads it', () => {
  test('search / domain (the last wins), ndots, comments', () => {
    expect(parseResolvConf('nameserver 10.0.0.1\nsearch a.example b.example # c.example\noptions ndots:2 timeout:1\n')).toEqual({ search: ['a.example', 'b.example'], ndots: 2 });
    expect(parseResolvConf('search a.example\ndomain d.example\n')).toEqual({ search: ['d.example'], ndots: 1 });
    expect(parseResolvConf('', 'proxy.lab.example')).toEqual({ search: ['lab.example'], ndots: 1 });
    expect(parseResolvConf('', 'proxy')).toEqual({ search: [], ndots: 1 });
  });

  test('candidates: the name first when it has ndots dots, then with each search domain; a trailing dot is absolute', () => {
    const conf = { search: ['lab.example', 'example'], ndots: 1 };
    expect(candidateNames('tftp', conf)).toEqual(['tftp.lab.example', 'tftp.example', 'tftp']);
    expect(candidateNames('tftp.lab', conf)).toEqual(['tftp.lab', 'tftp.lab.lab.example', 'tftp.lab.example']);
    expect(candidateNames('tftp.lab.example.', conf)).toEqual(['tftp.lab.example']);
    expect(candidateNames('tftp', NO_SEARCH)).toEqual(['tftp']);
  });
});

describe('next-server names through DNS with the per-try timeouts', () => {
  test('an A record is the answer; the hosts file is not consulted (Resolv::DNS)', async () => {
    dns = await startFakeDns({ 'tftp.example.com': { a: '192.0.2.10' } });
    expect(await dnsIpv4Address('tftp.example.com', { timeouts: [1], servers: [dns.server], search: NO_SEARCH })).toBe('192.0.2.10');
    expect(await dnsIpv4Address('localhost', { timeouts: [1], servers: [dns.server], search: NO_SEARCH })).toBeNull();
    expect(dns.queries.map((q) => q.name)).toEqual(['tftp.example.com', 'localhost']);
  });

  test('a try that times out is repeated with the next timeout, each as long as configured', async () => {
    dns = await startFakeDns({ 'slow.example.com': { a: '192.0.2.11' } }, { 'slow.example.com': 2 });
    const t0 = Date.now();
    expect(await dnsIpv4Address('slow.example.com', { timeouts: [0.3, 0.6, 5], servers: [dns.server], search: NO_SEARCH })).toBe('192.0.2.11');
    const at = dns.queries.map((q) => q.at - t0);
    expect(at).toHaveLength(3);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(250);
    expect(at[1] - at[0]).toBeLessThan(550);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(550);
    expect(at[2] - at[1]).toBeLessThan(1_000);
  });

  test('each try asks every name server in turn: a silent one is passed over after its timeout', async () => {
    dns = await startFakeDns({ 'two.example.com': 'silent' });
    const second = await startFakeDns({ 'two.example.com': { a: '192.0.2.13' } });
    try {
      const t0 = Date.now();
      expect(await dnsIpv4Address('two.example.com', { timeouts: [0.3], servers: [dns.server, second.server], search: NO_SEARCH })).toBe('192.0.2.13');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      expect([dns.queries.length, second.queries.length]).toEqual([1, 1]);
    } finally {
      await second.close();
    }
  });

  test('every try timed out: no address, after the sum of the timeouts', async () => {
    dns = await startFakeDns({ 'dead.example.com': 'silent' });
    const t0 = Date.now();
    expect(await dnsIpv4Address('dead.example.com', { timeouts: [0.2, 0.3], servers: [dns.server], search: NO_SEARCH })).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(dns.queries).toHaveLength(2);
  });

  test('a name that does not exist moves on to the next search candidate', async () => {
    dns = await startFakeDns({ 'tftp.example': { a: '192.0.2.12' } });
    expect(await dnsIpv4Address('tftp', { timeouts: [1], servers: [dns.server], search: { search: ['lab.example', 'example'], ndots: 1 } })).toBe('192.0.2.12');
    expect(dns.queries.map((q) => q.name)).toEqual(['tftp.lab.example', 'tftp.example']);
  });

  test('a server failure or an empty answer ends the lookup (no further candidate)', async () => {
    dns = await startFakeDns({ 'x.lab.example': 'servfail', 'y.lab.example': 'nodata', 'x.example': { a: '192.0.2.1' }, 'y.example': { a: '192.0.2.1' } });
    const search = { search: ['lab.example', 'example'], ndots: 1 };
    expect(await dnsIpv4Address('x', { timeouts: [1], servers: [dns.server], search })).toBeNull();
    expect(await dnsIpv4Address('y', { timeouts: [1], servers: [dns.server], search })).toBeNull();
    expect(dns.queries.map((q) => q.name)).toEqual(['x.lab.example', 'y.lab.example']);
  });

  test('the ISC provider\'s next-server: the hex of the DNS answer, or the quoted name when DNS has none', async () => {
    dns = await startFakeDns({ 'boot.example.com': { a: '192.168.122.1' } });
    const server = dns.server;
    const resolve = (n: string) => dnsIpv4Address(n, { timeouts: [0.3], servers: [server], search: NO_SEARCH });
    expect(await resolveNextServer('boot.example.com', resolve)).toEqual({ hex: 'c0:a8:7a:01' });
    expect(await resolveNextServer('tftp.example.invalid', resolve)).toEqual({ name: 'tftp.example.invalid' });
    expect(typeof nextServerResolver([1])).toBe('function');
  });
});
