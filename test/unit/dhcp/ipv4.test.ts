import { intToIpv4, ipv4ToInt } from '../../../src/modules/dhcp/ipv4';

describe('IPv4 integers', () => {
  test.each([
    ['0.0.0.0', 0],
    ['0.0.0.1', 1],
    ['10.77.172.54', 0x0a4dac36],
    ['192.168.122.255', 0xc0a87aff],
    ['255.255.255.255', 0xffffffff],
  ])('%s is %d, and back', (address, value) => {
    expect(ipv4ToInt(address)).toBe(value);
    expect(intToIpv4(value)).toBe(address);
  });

  test('leading zeros count as decimal digits, as the validated forms allow', () => {
    expect(ipv4ToInt('010.001.000.009')).toBe(ipv4ToInt('10.1.0.9'));
  });
});
