/** The provider-independent server logic (reference §7.4–§7.6; server_test, record_test). */
import { FreeIps } from '../../../src/modules/dhcp/free-ips';
import { LocalOfferedAddresses } from '../../../src/modules/dhcp/offered-addresses';
import { DhcpError, Reservation } from '../../../src/modules/dhcp/provider';
import { equalReservations } from '../../../src/modules/dhcp/record-equality';
import { DhcpService } from '../../../src/modules/dhcp/service';
import { FakeDhcpProvider, lease, reservation, subnet } from '../../support/fake-dhcp-provider';

const net122 = subnet('192.168.122.0', '255.255.255.0', { routers: ['192.168.122.250'] });
const net123 = subnet('192.168.123.0', '255.255.255.192');

/** Every test runs twice: with a provider that only lists records, and one with indexed lookups. */
let indexed = false;

function setup(extra: Partial<{ reservations: Reservation[] }> = {}) {
  const provider = new FakeDhcpProvider({
    indexed,
    subnets: [net122, net123],
    reservations: [
      reservation(net122, 'ten.example.com', '192.168.122.10', '10:10:10:10:10:10', { hardware_type: 'ethernet' }),
      reservation(net122, 'bond-01', '192.168.122.43', '44:1e:a1:73:36:10', { hostname: 'bond.example.com' }),
      reservation(net122, 'bond-02', '192.168.122.43', '44:1e:a1:73:36:11', { hostname: 'bond.example.com' }),
      reservation(net122, 'static.example.com', '192.168.122.80', '44:1e:a1:11:36:15', { deleteable: false }),
      ...(extra.reservations ?? []),
    ],
    leases: [lease(net122, '192.168.122.2', '00:aa:bb:cc:dd:ee'), lease(net122, '192.168.122.10', 'aa:aa:aa:aa:aa:aa')],
  });
  const freeIps = new FreeIps({ store: new LocalOfferedAddresses(), ttlSeconds: 1800, ping: false, prober: { isAlive: async () => false } });
  return { provider, service: new DhcpService(provider, freeIps) };
}

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: DhcpError) => `${e.kind}: ${e.message}`);

describe.each([['list-only', false], ['indexed', true]] as const)('%s provider', (_name, flag) => {
  beforeAll(() => { indexed = flag; });

  describe('lookups', () => {
    test('find by MAC: the reservation, else the lease, else nothing', async () => {
      const { service } = setup();
      expect((await service.findRecordByMac('192.168.122.0', '10:10:10:10:10:10'))?.type).toBe('reservation');
      expect((await service.findRecordByMac('192.168.122.0', '00:aa:bb:cc:dd:ee'))?.type).toBe('lease');
      expect(await service.findRecordByMac('192.168.122.0', '01:02:03:04:05:06')).toBeUndefined();
    });

    test('find by IP: all reservations (bonded), else [lease], else []', async () => {
      const { service } = setup();
      expect((await service.findRecordsByIp('192.168.122.0', '192.168.122.43')).map((r) => r.name)).toEqual(['bond-01', 'bond-02']);
      expect((await service.findRecordsByIp('192.168.122.0', '192.168.122.10')).map((r) => r.type)).toEqual(['reservation']);
      expect((await service.findRecordsByIp('192.168.122.0', '192.168.122.2')).map((r) => r.type)).toEqual(['lease']);
      expect(await service.findRecordsByIp('192.168.122.0', '192.168.122.99')).toEqual([]);
    });

    test('an unknown subnet is SubnetNotFound; an inner address finds the subnet but no records (keyed by the string)', async () => {
      const { service } = setup();
      expect(await code(service.findRecordByMac('10.0.0.0', '10:10:10:10:10:10'))).toBe('subnet_not_found: No such subnet: 10.0.0.0');
      expect(await service.records('192.168.122.7')).toEqual({ reservations: [], leases: [] });
      expect((await service.records('192.168.122.0')).reservations).toHaveLength(4);
    });
  });

  describe('add_record', () => {
    const post = (over: Record<string, unknown> = {}) => ({
      hostname: 'new.example.com', name: 'new.example.com', ip: '192.168.122.77', mac: 'aa:bb:cc:dd:ee:01',
      network: '192.168.122.0', nextServer: '192.168.122.1', filename: 'pxelinux.0', ...over,
    });

    test('a new record reaches the provider with the cleaned-up parameters as options', async () => {
      const { service, provider } = setup();
      expect(await service.addRecord(post({ related_macs: '', subnet: 'x', captures: 'y', splat: 'z', ztp_firmware: { core: 'a' } }))).toBe('created');
      const r = provider.calls[0].record as Reservation;
      expect(r).toMatchObject({ type: 'reservation', name: 'new.example.com', ip: '192.168.122.77', mac: 'aa:bb:cc:dd:ee:01', subnet: net122 });
      expect(r.options).toEqual({ deleteable: true, hostname: 'new.example.com', nextServer: '192.168.122.1', filename: 'pxelinux.0', ztp_firmware: { core: 'a' } });
      expect(Object.keys(r.options).slice(0, 2)).toEqual(['deleteable', 'hostname']);
    });

    test('name and hostname fall back on each other', async () => {
      const { service, provider } = setup();
      await service.addRecord(post({ name: undefined, hostname: 'h.example.com', ip: '192.168.122.78', mac: 'aa:bb:cc:dd:ee:02' }));
      await service.addRecord(post({ name: 'n-01', hostname: undefined, ip: '192.168.122.79', mac: 'aa:bb:cc:dd:ee:03' }));
      expect(provider.calls.map((c) => [c.record.name, c.record.options.hostname])).toEqual([['h.example.com', 'h.example.com'], ['n-01', 'n-01']]);
    });

    test.each([
      [{ mac: 'nope' }, 'invalid: Invalid MAC nope'],
      [{ mac: undefined }, 'invalid: Invalid MAC '],
      [{ name: undefined, hostname: undefined }, 'invalid: Must provide hostname'],
      [{ network: '10.0.0.0' }, 'invalid: No Subnet detected for: 10.0.0.0'],
      [{ ip: undefined }, 'invalid: Invalid IP Address '],
      [{ ip: '192.168.122.300' }, 'invalid: Invalid IP Address 192.168.122.300'],
      // The MAC is checked before the name, the name before the subnet, the subnet before the IP.
      [{ mac: 'x', name: undefined, hostname: undefined }, 'invalid: Invalid MAC x'],
      [{ name: undefined, hostname: undefined, network: '10.0.0.0' }, 'invalid: Must provide hostname'],
      [{ network: '10.0.0.0', ip: 'bad' }, 'invalid: No Subnet detected for: 10.0.0.0'],
    ])('%p -> %s', async (over, expected) => {
      const { service, provider } = setup();
      expect(await code(service.addRecord(post(over)))).toBe(expected);
      expect(provider.calls).toEqual([]);
    });

    test('the IP is not checked against the subnet (baseline)', async () => {
      const { service } = setup();
      expect(await service.addRecord(post({ ip: '10.9.9.9' }))).toBe('created');
    });

    test('vendor options need a provider that supports them', async () => {
      const { service, provider } = setup();
      provider.supportsVendorOptions = false;
      expect(await code(service.addRecord(post({ '<SPARC-Enterprise-T5120>root_path_name': '/x' }))))
        .toBe('invalid: DHCP implementation does not support Vendor Options');
      provider.supportsVendorOptions = true;
      expect(await service.addRecord(post({ '<SPARC-Enterprise-T5120>root_path_name': '/x' }))).toBe('created');
      expect(provider.calls[0].record.options['<SPARC-Enterprise-T5120>root_path_name']).toBe('/x');
    });

    test('an identical reservation is AlreadyExists; parser-only hardware_type is ignored on both sides (F3)', async () => {
      const { service, provider } = setup();
      const same = { hostname: 'ten.example.com', ip: '192.168.122.10', mac: '10:10:10:10:10:10', network: '192.168.122.0' };
      expect(await service.addRecord(same)).toBe('already_exists');
      expect(await service.addRecord({ ...same, hardware_type: 'ethernet' })).toBe('already_exists');
      expect(await service.addRecord({ ...same, mac: '10:10:10:10:10:10'.toUpperCase() })).toBe('already_exists'); // F12
      expect(provider.calls).toEqual([]);
    });

    test('any other difference in the options map is a Collision', async () => {
      const { service } = setup();
      const same = { hostname: 'ten.example.com', ip: '192.168.122.10', mac: '10:10:10:10:10:10', network: '192.168.122.0' };
      expect(await code(service.addRecord({ ...same, filename: 'x' }))).toBe('collision: Record 192.168.122.0/192.168.122.10 already exists');
      expect(await code(service.addRecord({ ...same, _method: 'POST' }))).toBe('collision: Record 192.168.122.0/192.168.122.10 already exists');
      expect(await code(service.addRecord({ ...same, name: 'other' }))).toBe('collision: Record 192.168.122.0/192.168.122.10 already exists');
    });

    test('same IP with another MAC, and same MAC with another IP, collide; the MAC in any case (F12)', async () => {
      const { service } = setup();
      expect(await code(service.addRecord(post({ ip: '192.168.122.10' })))).toBe('collision: Record 192.168.122.0/192.168.122.10 already exists');
      expect(await code(service.addRecord(post({ mac: '10:10:10:10:10:10' })))).toBe('collision: Record 192.168.122.0/192.168.122.77 already exists');
      expect(await code(service.addRecord(post({ mac: '10:10:10:10:10:10'.toUpperCase() })))).toBe('collision: Record 192.168.122.0/192.168.122.77 already exists');
    });

    test('leases never collide', async () => {
      const { service } = setup();
      expect(await service.addRecord(post({ ip: '192.168.122.2', mac: '00:aa:bb:cc:dd:ee' }))).toBe('created');
    });

    test('records whose MAC is in related_macs are exempt (bonds), in any form and case', async () => {
      const { service } = setup();
      const bond3 = post({ name: 'bond-03', hostname: 'bond.example.com', ip: '192.168.122.43', mac: '44:1e:a1:73:36:12' });
      expect(await code(service.addRecord({ ...bond3, related_macs: ['44:1e:a1:73:36:10'] }))).toMatch(/^collision/);
      expect(await service.addRecord({ ...bond3, related_macs: ['44:1E:A1:73:36:10', '44:1e:a1:73:36:11'] })).toBe('created');
      const { service: s2 } = setup();
      expect(await s2.addRecord({ ...bond3, related_macs: { 0: '44:1e:a1:73:36:10', 1: '44:1e:a1:73:36:11' } })).toBe('created');
    });

    test('provider failures pass through unchanged', async () => {
      const { service, provider } = setup();
      provider.failNext = new DhcpError('server', 'Hardware address conflict.', 409);
      await expect(service.addRecord(post())).rejects.toMatchObject({ kind: 'server', status: 409, message: 'Hardware address conflict.' });
    });

    test('record equality (record_test): kind, name, ip, mac, subnet incl. options, deletability, options', () => {
      const a = reservation(net122, 'a', '192.168.122.5', 'aa:aa:aa:aa:aa:01', { filename: 'x', list: [['a', 'b']] });
      const same = reservation({ ...net122, options: { routers: ['192.168.122.250'] } }, 'a', '192.168.122.5', 'aa:aa:aa:aa:aa:01', { list: [['a', 'b']], filename: 'x' });
      expect(equalReservations(a, same)).toBe(true);
      expect(equalReservations(a, { ...same, name: 'b' })).toBe(false);
      expect(equalReservations(a, { ...same, subnet: { ...net122, options: {} } })).toBe(false);
      expect(equalReservations(a, { ...same, options: { ...same.options, list: [['a'], ['b']] } })).toBe(false);
      expect(equalReservations(a, { ...same, options: { ...same.options, deleteable: 'yes' } })).toBe(false);
      expect(equalReservations(a, { ...same, options: { ...same.options, hardware_type: 'ethernet' } })).toBe(true);
    });
  });

  describe('deletes', () => {
    test('every reservation with the IP is removed (F11)', async () => {
      const { service, provider } = setup();
      await service.deleteRecordsByIp('192.168.122.0', '192.168.122.43');
      expect(provider.calls.map((c) => c.record.name)).toEqual(['bond-01', 'bond-02']);
      expect(await service.findRecordsByIp('192.168.122.0', '192.168.122.43')).toEqual([]);
    });

    test('the first failure aborts', async () => {
      const { service, provider } = setup();
      provider.failNext = new DhcpError('server', 'Failed to remove DHCP reservation for bond-01');
      expect(await code(service.deleteRecordsByIp('192.168.122.0', '192.168.122.43'))).toBe('server: Failed to remove DHCP reservation for bond-01');
      expect(provider.calls).toEqual([]);
    });

    test('static hosts and leases are not deleteable, with the baseline texts', async () => {
      const { service, provider } = setup();
      expect(await code(service.deleteRecordByMac('192.168.122.0', '44:1e:a1:11:36:15')))
        .toBe('invalid: static.example.com (192.168.122.80 / 44:1e:a1:11:36:15) is static - unable to delete');
      expect(await code(service.deleteRecordsByIp('192.168.122.0', '192.168.122.2')))
        .toBe('invalid: 192.168.122.2 / 00:aa:bb:cc:dd:ee is static - unable to delete');
      expect(provider.calls).toEqual([]);
    });

    test('nothing found is a no-op; an unknown subnet is SubnetNotFound', async () => {
      const { service, provider } = setup();
      await service.deleteRecordByMac('192.168.122.0', '01:02:03:04:05:06');
      await service.deleteRecordsByIp('192.168.122.0', '192.168.122.99');
      expect(provider.calls).toEqual([]);
      expect(await code(service.deleteRecordsByIp('10.0.0.0', '10.0.0.1'))).toMatch(/^subnet_not_found/);
    });
  });

  describe('unused_ip', () => {
    test("reuses the MAC's address only inside the range; the MAC in any case (F5)", async () => {
      const { service } = setup();
      expect(await service.unusedIp('192.168.122.0', { mac: '10:10:10:10:10:10' })).toBe('192.168.122.10');
      expect(await service.unusedIp('192.168.122.0', { mac: '10:10:10:10:10:10'.toUpperCase() })).toBe('192.168.122.10');
      expect(await service.unusedIp('192.168.122.0', { mac: '00:aa:bb:cc:dd:ee', from: '192.168.122.2', to: '192.168.122.2' })).toBe('192.168.122.2');
      const other = await service.unusedIp('192.168.122.0', { mac: '10:10:10:10:10:10', from: '192.168.122.100', to: '192.168.122.110' });
      expect(Number(other!.split('.')[3])).toBeGreaterThanOrEqual(100);
    });

    test('never offers a record IP; gives null when the range is full', async () => {
      const { service } = setup();
      expect(await service.unusedIp('192.168.122.0', { from: '192.168.122.10', to: '192.168.122.10' })).toBeNull();
      expect(await service.unusedIp('192.168.122.0', { from: '192.168.122.42', to: '192.168.122.44' })).toMatch(/^192\.168\.122\.4[24]$/);
    });

    test.each([
      [{ from: '192.168.123.1', to: '192.168.122.5' }, 'invalid: Range does not belong to provided subnet'],
      [{ from: '192.168.122.110', to: '192.168.122.100' }, "invalid: 192.168.122.110 can't be lower IP address than 192.168.122.100 - change the order?"],
      [{ from: '192.168.122.300', to: '192.168.122.5' }, 'invalid: Invalid IP Address 192.168.122.300'],
    ])('%p -> %s', async (q, expected) => {
      const { service } = setup();
      expect(await code(service.unusedIp('192.168.122.0', q))).toBe(expected);
    });

    test('bounds are clamped to the host range; a lone bound is used unvalidated', async () => {
      const { service } = setup();
      expect(service.rangeWithin(net122, '192.168.122.0', '192.168.122.255')).toEqual({ first: 3232266753, last: 3232267006 });
      expect(service.rangeWithin(net122, 'garbage', undefined)).toEqual({ first: 3232266753, last: 3232267006 });
      expect(await code(service.unusedIp('192.168.122.0', { to: 'garbage' }))).toBe('undefined: Zero or negative number of indices');
      expect(await service.unusedIp('192.168.122.0', { from: '192.168.122.254' })).toBe('192.168.122.254');
    });

    test('a provider with its own search gets the subnet and the lower-cased MAC', async () => {
      const { service, provider } = setup();
      const seen: unknown[] = [];
      provider.unusedIp = async (s, opts) => { seen.push([s.network, opts]); return '192.168.122.200'; };
      expect(await service.unusedIp('192.168.122.0', { mac: 'AA:BB:CC:DD:EE:FF', from: '192.168.122.1', to: '192.168.122.9' })).toBe('192.168.122.200');
      expect(seen).toEqual([['192.168.122.0', { mac: 'aa:bb:cc:dd:ee:ff', from: '192.168.122.1', to: '192.168.122.9' }]]);
    });
  });
});
