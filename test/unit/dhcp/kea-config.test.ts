import { DhcpError, Reservation } from '../../../src/modules/dhcp/provider';
import {
  addReservationTo, parsePool, parsePrefix, removeReservationFrom, toReservation, toSubnet,
} from '../../../src/modules/dhcp/providers/kea/kea-config';
import { toLease } from '../../../src/modules/dhcp/providers/kea/kea-leases';
import { buildKeaReservation, UnwritableValueError } from '../../../src/modules/dhcp/providers/kea/kea-reservation';
import { buildView } from '../../../src/modules/dhcp/providers/kea/kea-view';

/** Shapes as Kea 2.2's config-get prints them (defaults explicit, options with code and space). */
const opt = (name: string, code: number, data: string, extra: Record<string, unknown> = {}) => ({
  'always-send': false, code, 'csv-format': true, data, name, space: 'dhcp4', ...extra,
});

const subnetEntry = (extra: Record<string, unknown> = {}) => ({
  id: 1,
  subnet: '10.99.0.0/24',
  pools: [{ 'option-data': [], pool: '10.99.0.100-10.99.0.150' }],
  'option-data': [opt('routers', 3, '10.99.0.1'), opt('domain-name', 15, 'example.com'), opt('interface-mtu', 26, '9000'),
    opt('ntp-servers', 42, '10.99.0.3, 10.99.0.4')],
  reservations: [],
  ...extra,
});

describe('addresses', () => {
  test('prefixes and pools', () => {
    expect(parsePrefix('10.99.0.0/24')).toEqual({ network: '10.99.0.0', netmask: '255.255.255.0' });
    expect(parsePrefix('10.99.0.77/26')).toEqual({ network: '10.99.0.64', netmask: '255.255.255.192' });
    expect(parsePrefix('2001:db8::/64')).toBeUndefined();
    expect(parsePool('10.99.0.100-10.99.0.150')).toEqual(['10.99.0.100', '10.99.0.150']);
    expect(parsePool('10.99.0.100 - 10.99.0.150')).toEqual(['10.99.0.100', '10.99.0.150']);
    expect(parsePool('10.99.0.128/25')).toEqual(['10.99.0.128', '10.99.0.255']);
    expect(parsePool('junk')).toBeUndefined();
  });
});

describe('subnets', () => {
  test('options in the ISC provider\'s shapes, first pool as range', () => {
    const s = toSubnet({ entry: subnetEntry() }, {});
    expect(s).toEqual({
      network: '10.99.0.0', netmask: '255.255.255.0',
      options: { routers: ['10.99.0.1'], domain_name: [['example.com']], ntp_servers: [['10.99.0.3'], ['10.99.0.4']], interface_mtu: 9000, range: ['10.99.0.100', '10.99.0.150'] },
    });
  });

  test('options a client gets: subnet, else shared network, else global; by code too; hex data decoded', () => {
    const dhcp4 = {
      'option-data': [opt('domain-name-servers', 6, '1.1.1.1, 8.8.8.8'), opt('domain-name', 15, 'global.example')],
      'shared-networks': [{
        name: 'floor1',
        'option-data': [{ code: 3, data: '0a630001', 'csv-format': false }],
        subnet4: [{ id: 7, subnet: '10.99.0.0/24', 'option-data': [opt('domain-name', 15, 'own.example')], reservations: [] }],
      }],
      subnet4: [],
    };
    const view = buildView({ Dhcp4: dhcp4 });
    expect(view.index.subnets()).toEqual([{
      network: '10.99.0.0', netmask: '255.255.255.0',
      options: { routers: ['10.99.0.1'], domain_name: [['own.example']], domain_name_servers: ['1.1.1.1', '8.8.8.8'] },
    }]);
    expect(view.subnetIds.get('10.99.0.0')).toBe(7);
  });

  test('a subnet that cannot be represented is skipped with a warning, the others stay', () => {
    const warnings: string[] = [];
    const view = buildView({ Dhcp4: { subnet4: [subnetEntry({ subnet: 'bogus' }), subnetEntry({ id: 2, subnet: '10.98.0.0/24', pools: [] })] } },
      (m) => warnings.push(m));
    expect(view.index.subnets().map((s) => s.network)).toEqual(['10.98.0.0']);
    expect(warnings).toEqual(['Ignoring Kea subnet bogus (id 1): Kea subnet bogus is not an IPv4 prefix']);
  });
});

describe('reservations', () => {
  const subnet = toSubnet({ entry: subnetEntry() }, {});
  const kea22 = (extra: Record<string, unknown>) => ({
    'boot-file-name': '', 'client-classes': [], hostname: '', 'hw-address': '52:54:00:aa:00:01', 'ip-address': '10.99.0.50',
    'next-server': '0.0.0.0', 'option-data': [], 'server-hostname': '', ...extra,
  });

  test('written by someone else: name from the hostname, boot fields as options, deleteable', () => {
    expect(toReservation(kea22({ hostname: 'a.example.com', 'boot-file-name': 'pxelinux.0', 'next-server': '10.99.0.1' }), subnet)).toEqual({
      type: 'reservation', name: 'a.example.com', ip: '10.99.0.50', mac: '52:54:00:aa:00:01', subnet,
      options: { deleteable: true, hostname: 'a.example.com', filename: 'pxelinux.0', nextServer: '10.99.0.1' },
    });
    expect(toReservation(kea22({}), subnet)?.name).toBe('reservation-525400aa0001');
  });

  test('entries the API cannot show are skipped', () => {
    expect(toReservation(kea22({ 'hw-address': undefined, 'client-id': '01:02' }), subnet)).toBeUndefined();
    expect(toReservation(kea22({ 'ip-address': undefined }), subnet)).toBeUndefined();
    expect(toReservation(kea22({ 'hw-address': '01:02:03:04:05:06:07:08' }), subnet)).toBeUndefined();
  });

  const record = (options: Record<string, unknown>, name = 'host-01'): Reservation => ({
    type: 'reservation', name, ip: '10.99.0.50', mac: '52:54:00:aa:00:01', subnet, options: { deleteable: true, ...options },
  });

  test('a posted record round-trips through Kea exactly, option order included', async () => {
    const posted = record({ hostname: 'host.example.com', nextServer: 'tftp.example.com', filename: 'http://10.99.0.1/x.efi', custom: 'kept' });
    const entry = await buildKeaReservation(posted, async () => '10.99.0.1');
    expect(entry).toEqual({
      'hw-address': '52:54:00:aa:00:01', 'ip-address': '10.99.0.50', hostname: 'host.example.com', 'next-server': '10.99.0.1',
      'boot-file-name': 'http://10.99.0.1/x.efi',
      'option-data': [{ name: 'vendor-class-identifier', data: 'HTTPClient', 'always-send': true }],
      'user-context': { 'foreman-proxy': {
        name: 'host-01',
        options: [['deleteable', true], ['hostname', 'host.example.com'], ['nextServer', 'tftp.example.com'], ['filename', 'http://10.99.0.1/x.efi'], ['custom', 'kept']],
        wrote: { hostname: 'host.example.com', 'boot-file-name': 'http://10.99.0.1/x.efi', 'next-server': '10.99.0.1' },
      } },
    });
    // What config-get gives back: Kea's defaults added, keys sorted.
    const back = toReservation(kea22(entry), subnet)!;
    expect(back).toEqual(posted);
    expect(Object.keys(back.options)).toEqual(['deleteable', 'hostname', 'nextServer', 'filename', 'custom']);
  });

  test('a reservation changed behind the proxy\'s back shows what Kea has, not the stored record', async () => {
    const entry = await buildKeaReservation(record({ hostname: 'h', filename: 'pxelinux.0' }));
    const edited = kea22({ ...entry, 'boot-file-name': 'grubx64.efi' });
    expect(toReservation(edited, subnet)?.options).toEqual({ deleteable: true, hostname: 'h', filename: 'grubx64.efi' });
  });

  test('TFTP file names get no option 60; POAP gets options 66 and 67', async () => {
    expect((await buildKeaReservation(record({ filename: 'pxelinux.0' })))['option-data']).toBeUndefined();
    expect((await buildKeaReservation(record({ filename: 'poap.cfg/script.py', nextServer: '10.99.0.1' })))['option-data']).toEqual([
      { name: 'tftp-server-name', data: '10.99.0.1' }, { name: 'boot-file-name', data: 'poap.cfg/script.py' },
    ]);
  });

  test('what Kea cannot store is refused with a reason', async () => {
    await expect(buildKeaReservation(record({ nextServer: 'nowhere.invalid' }), async () => null))
      .rejects.toThrow(new UnwritableValueError('next-server nowhere.invalid is neither an IPv4 address nor a name that resolves to one (Kea stores only addresses)'));
    await expect(buildKeaReservation(record({ filename: 'x'.repeat(128) }))).rejects.toThrow("filename is 128 bytes long; Kea's limit is 127");
    await expect(buildKeaReservation(record({ filename: ['a', 'b'] }))).rejects.toThrow('Invalid filename: a single text value is expected');
    await expect(buildKeaReservation(record({ filename: 'ztp.cfg/x.cfg', nextServer: '10.99.0.1' }))).rejects.toThrow(/ZTP/);
  });

  test('adding and removing in a configuration', () => {
    const dhcp4: any = { subnet4: [subnetEntry()] };
    const entry = { 'hw-address': '52:54:00:aa:00:01', 'ip-address': '10.99.0.50', hostname: 'a' };
    expect(addReservationTo(dhcp4, 1, entry, '10.99.0.0')).toBe(true);
    expect(addReservationTo(dhcp4, 1, { ...entry }, '10.99.0.0')).toBe(false);
    expect(() => addReservationTo(dhcp4, 1, { ...entry, 'ip-address': '10.99.0.51' }, '10.99.0.0'))
      .toThrow(new DhcpError('collision', 'Record 10.99.0.0/10.99.0.51 already exists'));
    expect(() => addReservationTo(dhcp4, 9, entry, '10.99.0.0')).toThrow('Kea has no subnet with id 9 (10.99.0.0) any more');
    expect(removeReservationFrom(dhcp4, 1, '52:54:00:AA:00:01')).toBe(true);
    expect(removeReservationFrom(dhcp4, 1, '52:54:00:aa:00:01')).toBe(false);
    expect(dhcp4.subnet4[0].reservations).toEqual([]);
  });

  test('a subnet declared in a shared network is edited where it is', () => {
    const dhcp4: any = { subnet4: [], 'shared-networks': [{ name: 'floor1', subnet4: [subnetEntry({ id: 3, reservations: undefined })] }] };
    expect(addReservationTo(dhcp4, 3, { 'hw-address': '52:54:00:aa:00:02', 'ip-address': '10.99.0.60' }, '10.99.0.0')).toBe(true);
    expect(dhcp4['shared-networks'][0].subnet4[0].reservations).toEqual([{ 'hw-address': '52:54:00:aa:00:02', 'ip-address': '10.99.0.60' }]);
    expect(buildView({ Dhcp4: dhcp4 }).index.findReservationByMac('10.99.0.0', '52:54:00:aa:00:02')?.ip).toBe('10.99.0.60');
    expect(removeReservationFrom(dhcp4, 3, '52:54:00:aa:00:02')).toBe(true);
  });
});

describe('leases', () => {
  const subnet = toSubnet({ entry: subnetEntry() }, {});
  const now = new Date(1_795_604_400_000);
  const raw = { cltt: 1795604358, 'fqdn-fwd': false, 'fqdn-rev': false, hostname: '', 'hw-address': '52:54:00:99:00:0c', 'ip-address': '10.99.0.100', state: 0, 'subnet-id': 1, 'valid-lft': 600 };

  test('start, end, state and name', () => {
    expect(toLease(raw, subnet, now)).toEqual({
      type: 'lease', name: 'lease-52540099000c', ip: '10.99.0.100', mac: '52:54:00:99:00:0c', subnet,
      starts: 1795604358_000, ends: 1795604958_000, state: 'active', options: {},
    });
    expect(toLease({ ...raw, state: 1, hostname: 'pc' }, subnet, now)).toMatchObject({ state: 'declined', options: { client_hostname: 'pc' } });
  });

  test('reclaimed and expired leases are free addresses: not reported', () => {
    expect(toLease({ ...raw, state: 2 }, subnet, now)).toBeUndefined();
    expect(toLease(raw, subnet, new Date(1795604958_000))).toBeUndefined();
    expect(toLease({ ...raw, 'hw-address': '' }, subnet, now)).toBeUndefined();
  });
});
