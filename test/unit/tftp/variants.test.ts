import { defaultFiles, isValidMac, perMacFiles, VARIANTS, variantOf } from '../../../src/modules/tftp/variants';

const MAC20 = Array.from({ length: 20 }, (_, i) => (i + 0xa0).toString(16)).join(':');

describe('MAC validation (reference §6.2)', () => {
  test.each([
    'aa:bb:cc:dd:ee:ff', 'AA:BB:CC:DD:EE:0F', 'a:b:c:d:e:f', '0:1:22:3:44:5', MAC20, MAC20.toUpperCase(),
  ])('%s is valid', (mac) => expect(isValidMac(mac)).toBe(true));

  test.each([
    'aa:bb:cc:00:11:zz', 'zz:11', 'aa:bb:cc:dd:ee', 'aa:bb:cc:dd:ee:ff:00', 'aaa:bb:cc:dd:ee:ff', 'aa-bb-cc-dd-ee-ff',
    'aabbccddeeff', '', 'aa:bb:cc:dd:ee:ff\n', ' aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:', `${MAC20}:00`,
    Array.from({ length: 8 }, () => 'aa').join(':'), 'serverName', 'create_default',
  ])('%j is refused', (mac) => expect(isValidMac(mac)).toBe(false));
});

describe('variant names (case-insensitive, capitalised as the baseline)', () => {
  test.each([
    ['syslinux', 'Syslinux'], ['PXELinux', 'Pxelinux'], ['pxegrub', 'Pxegrub'], ['PXEGrub2', 'Pxegrub2'],
    ['iPXE', 'Ipxe'], ['ZTP', 'Ztp'], ['poap', 'Poap'], ['SYSLINUX', 'Syslinux'],
  ])('%s -> %s', (name, canonical) => expect(variantOf(name)).toBe(canonical));

  test.each(['Server', 'foo', 'grub', 'pxegrub3', '', 'create_default', 'pxe.grub'])('%j is not a variant', (name) => {
    expect(variantOf(name)).toBeNull();
  });

  test('exactly the seven baseline variants', () => {
    expect([...VARIANTS].sort()).toEqual(['Ipxe', 'Poap', 'Pxegrub', 'Pxegrub2', 'Pxelinux', 'Syslinux', 'Ztp']);
  });
});

describe('file names per variant (reference §6.3, observed examples for AA:BB:CC:DD:EE:0F)', () => {
  const mac = 'AA:BB:CC:DD:EE:0F';
  test.each([
    ['Syslinux', ['pxelinux.cfg/01-aa-bb-cc-dd-ee-0f'], ['pxelinux.cfg/default']],
    ['Pxelinux', ['pxelinux.cfg/01-aa-bb-cc-dd-ee-0f'], ['pxelinux.cfg/default']],
    ['Pxegrub', ['grub/menu.lst.01AABBCCDDEE0F', 'grub/01-AA-BB-CC-DD-EE-0F'], ['grub/menu.lst', 'grub/efidefault']],
    ['Pxegrub2', ['grub2/grub.cfg-01-aa-bb-cc-dd-ee-0f', 'grub2/grub.cfg-aa:bb:cc:dd:ee:0f'], ['grub2/grub.cfg']],
    ['Ipxe', ['pxelinux.cfg/01-aa-bb-cc-dd-ee-0f.ipxe'], ['pxelinux.cfg/default.ipxe']],
    ['Ztp', ['ztp.cfg/AABBCCDDEE0F', 'ztp.cfg/AABBCCDDEE0F.cfg'], ['ztp.cfg']],
    ['Poap', ['poap.cfg/AABBCCDDEE0F'], ['poap.cfg']],
  ] as const)('%s', (variant, perMac, defaults) => {
    expect(perMacFiles(variant, mac)).toEqual(perMac);
    expect(defaultFiles(variant)).toEqual(defaults);
  });

  test('single-digit groups stay single-digit', () => {
    expect(perMacFiles('Pxegrub2', 'A:b:C:d:E:f')).toEqual(['grub2/grub.cfg-01-a-b-c-d-e-f', 'grub2/grub.cfg-a:b:c:d:e:f']);
    expect(perMacFiles('Pxegrub', '0:1:2:3:4:5')).toEqual(['grub/menu.lst.01012345', 'grub/01-0-1-2-3-4-5']);
  });

  test('20-byte MACs keep the 01 prefix', () => {
    const dashed = MAC20.replace(/:/g, '-');
    expect(perMacFiles('Syslinux', MAC20)).toEqual([`pxelinux.cfg/01-${dashed}`]);
    expect(perMacFiles('Pxegrub', MAC20)).toEqual([
      `grub/menu.lst.01${MAC20.replace(/:/g, '').toUpperCase()}`, `grub/01-${dashed.toUpperCase()}`]);
  });
});
