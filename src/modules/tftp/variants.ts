/**
 * Boot-config variants and the file names each one uses (reference §6.2, §6.3). Pure: no I/O.
 * Names are relative to tftproot and use `/`; the caller joins them to the root.
 */

export const VARIANTS = ['Syslinux', 'Pxelinux', 'Pxegrub', 'Pxegrub2', 'Ztp', 'Poap', 'Ipxe'] as const;
export type Variant = (typeof VARIANTS)[number];

/** 6 groups (Ethernet) or 20 groups (InfiniBand) of one or two hex digits, any case. */
const MAC_48 = /^([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}$/i;
const MAC_160 = /^([0-9a-f]{1,2}:){19}[0-9a-f]{1,2}$/i;

export function isValidMac(mac: string): boolean {
  return MAC_48.test(mac) || MAC_160.test(mac);
}

/** First letter upper, the rest lower, as the baseline capitalises the variant before its lookup. */
function capitalise(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
}

/** The canonical variant for a name given in any case, or null when it is not one. */
export function variantOf(name: string): Variant | null {
  const c = capitalise(name);
  return (VARIANTS as readonly string[]).includes(c) ? (c as Variant) : null;
}

/** The MAC spellings used in file names. Single-digit groups are kept as given (not padded). */
const dashLower = (mac: string) => mac.replace(/:/g, '-').toLowerCase();
const dashUpper = (mac: string) => mac.replace(/:/g, '-').toUpperCase();
const hexUpper = (mac: string) => mac.replace(/:/g, '').toUpperCase();

/**
 * Per-MAC config files: POST writes all of them, DELETE removes all, GET reads the first.
 * The `01` / `01-` prefix (ARP type Ethernet) is used even for 20-byte MACs, as the baseline does.
 */
export function perMacFiles(variant: Variant, mac: string): string[] {
  switch (variant) {
    case 'Syslinux':
    case 'Pxelinux':
      return [`pxelinux.cfg/01-${dashLower(mac)}`];
    case 'Pxegrub':
      return [`grub/menu.lst.01${hexUpper(mac)}`, `grub/01-${dashUpper(mac)}`];
    case 'Pxegrub2':
      return [`grub2/grub.cfg-01-${dashLower(mac)}`, `grub2/grub.cfg-${mac.toLowerCase()}`];
    case 'Ipxe':
      return [`pxelinux.cfg/01-${dashLower(mac)}.ipxe`];
    case 'Ztp':
      return [`ztp.cfg/${hexUpper(mac)}`, `ztp.cfg/${hexUpper(mac)}.cfg`];
    case 'Poap':
      return [`poap.cfg/${hexUpper(mac)}`];
  }
}

/**
 * Default menu files written by create_default. ztp and poap have no default menu: the baseline
 * writes the menu to the path of their config *directory*, which fails once that directory exists.
 */
export function defaultFiles(variant: Variant): string[] {
  switch (variant) {
    case 'Syslinux':
    case 'Pxelinux':
      return ['pxelinux.cfg/default'];
    case 'Pxegrub':
      return ['grub/menu.lst', 'grub/efidefault'];
    case 'Pxegrub2':
      return ['grub2/grub.cfg'];
    case 'Ipxe':
      return ['pxelinux.cfg/default.ipxe'];
    case 'Ztp':
      return ['ztp.cfg'];
    case 'Poap':
      return ['poap.cfg'];
  }
}
