import { DhcpError } from '../../../src/modules/dhcp/provider';
import { isIpv4, isMac, shown, validateIpv4, validateMac } from '../../../src/modules/dhcp/validation';
import { hostRange, intToIpv4, ipv4ToInt, looseIpv4ToInt, prefixLength } from '../../../src/modules/dhcp/ipv4';

describe('IPv4 validation (reference §7.2)', () => {
  test.each(['0.0.0.0', '192.168.122.0', '255.255.255.255', '10.0.0.1', '1.2.3.4'])('%s is valid', (ip) => {
    expect(isIpv4(ip)).toBe(true);
    expect(validateIpv4(ip)).toBe(ip);
  });

  test.each(['192.168.122.300', '392.168.122.1', '01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', '1.2.3.4 ', ' 1.2.3.4',
    '1.2.3.4\n', 'not-an-ip', '', '::1', '2001:db8::1', '1..2.3', '٣.1.1.1', '1.2.3.-1'])('%p is invalid', (ip) => {
    expect(isIpv4(ip)).toBe(false);
    expect(() => validateIpv4(ip)).toThrow(`Invalid IP Address ${ip}`);
  });

  test('a missing value reads as empty in the message, and errors are DhcpError invalid', () => {
    expect(() => validateIpv4(undefined)).toThrow(/^Invalid IP Address $/);
    try {
      validateIpv4(null);
    } catch (e) {
      expect(e).toBeInstanceOf(DhcpError);
      expect((e as DhcpError).kind).toBe('invalid');
    }
  });
});

describe('MAC validation (validations_test)', () => {
  test.each([
    ['aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff'],
    ['AA:BB:CC:DD:EE:FF', 'aa:bb:cc:dd:ee:ff'],
    ['a:b:c:d:e:f', 'a:b:c:d:e:f'],
    ['80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:ff', '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:ff'],
  ])('%s is valid and lower-cased', (mac, lower) => {
    expect(isMac(mac)).toBe(true);
    expect(validateMac(mac)).toBe(lower);
  });

  test.each(['aa:bb:cc:dd:ee:ff:00', 'aa:bb:cc:dd:ee:zz', '00-aa-bb-cc-dd-ee', 'zz:zz', 'bad', '', 'aabbccddeeff',
    'aa:bb:cc:dd:ee:fff', 'aa:bb:cc:dd:ee:ff\n', '01:02:03:04:05:06:07:08'])('%p is invalid', (mac) => {
    expect(() => validateMac(mac)).toThrow(`Invalid MAC ${mac}`);
  });

  test('the message shows the value as given and nothing for a missing one', () => {
    expect(() => validateMac('ZZ:ZZ')).toThrow(/^Invalid MAC ZZ:ZZ$/);
    expect(() => validateMac(undefined)).toThrow(/^Invalid MAC $/);
  });

  test('lists and maps from bracket syntax show in Ruby inspect form', () => {
    expect(shown(['a', 'b'])).toBe('["a", "b"]');
    expect(shown({ core: 'x' })).toBe('{"core"=>"x"}');
    expect(() => validateMac(['a'])).toThrow('Invalid MAC ["a"]');
  });
});

describe('IPv4 arithmetic (ipv4_address_arithmetic_test)', () => {
  test('ip <-> int round trips', () => {
    for (const ip of ['0.0.0.0', '192.168.122.1', '255.255.255.255', '10.20.30.40']) expect(intToIpv4(ipv4ToInt(ip))).toBe(ip);
    expect(ipv4ToInt('192.168.122.1')).toBe(3232266753);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
  });

  test('host range excludes network and broadcast; /31 is empty and /32 runs to 255.255.255.255 (baseline arithmetic)', () => {
    const r24 = hostRange('192.168.122.0', '255.255.255.0');
    expect([intToIpv4(r24.first), intToIpv4(r24.last)]).toEqual(['192.168.122.1', '192.168.122.254']);
    const r26 = hostRange('192.168.123.0', '255.255.255.192');
    expect([intToIpv4(r26.first), intToIpv4(r26.last)]).toEqual(['192.168.123.1', '192.168.123.62']);
    const r31 = hostRange('10.0.0.0', '255.255.255.254');
    expect(r31.last - r31.first + 1).toBe(0);
    const r32 = hostRange('10.0.0.5', '255.255.255.255');
    expect([intToIpv4(r32.first), intToIpv4(r32.last)]).toEqual(['10.0.0.6', '255.255.255.255']);
  });

  test('unvalidated bounds convert the baseline way (leading digits, garbage is 0)', () => {
    expect(looseIpv4ToInt('192.168.122.7')).toBe(ipv4ToInt('192.168.122.7'));
    expect(looseIpv4ToInt('garbage')).toBe(0);
    expect(looseIpv4ToInt('1.2.3')).toBe(0x010203);
    expect(looseIpv4ToInt('1.2.3.4.5')).toBe(ipv4ToInt('1.2.3.4'));
  });

  test('prefix length', () => {
    expect(prefixLength('255.255.255.0')).toBe(24);
    expect(prefixLength('255.255.255.192')).toBe(26);
    expect(prefixLength('252.0.0.0')).toBe(6);
    expect(prefixLength('0.0.0.0')).toBe(0);
  });
});
