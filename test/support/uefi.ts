/**
 * Real UEFI firmware for end-to-end boot tests: Debian's OVMF under QEMU (TCG — the /dev/kvm on
 * these machines is kvm-pvm, which cannot run firmware), attached through a tap to a bridge in a
 * network namespace the test created. Facts from ../shared/reference/uefi-lab.md:
 *  - `romfile=` keeps QEMU's iPXE ROM away so OVMF's own HttpBootDxe drives the NIC;
 *  - fw_cfg IPv4PXESupport=no + IPv6Support=no leave "UEFI HTTPv4" as the only NIC boot option
 *    (otherwise PXEv4 and PXEv6 time out first: ~2 minutes);
 *  - `etc/edk2/https/cacerts` (EFI_SIGNATURE_LIST, src/tools/edk2-cacerts.ts) enrolls HTTPS CAs;
 *  - `-no-reboot` + GRUB `halt` → QEMU exits on its own.
 * Each VM gets a fresh copy of the VARS store; the serial console goes to a file the test reads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { run } from './netns';
import { spawnInNamespace } from './ns-processes';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
export const QEMU = 'qemu-system-x86_64';

/** Lines OVMF prints when it gives up on HTTP boot (then it falls through to the EFI shell). */
export const FIRMWARE_GAVE_UP = /failed to load Boot[0-9A-F]{4} "UEFI HTTP|EFI Internal Shell|No bootable option/;

/**
 * Bridges `uplinkIf` (e.g. the client end of the DHCP veth) with a new tap inside `ns`, so a VM on
 * the tap shares the DHCP server's link. IPv6 is switched off in `ns` to keep the wire quiet.
 * Everything lives in `ns` and disappears with it.
 */
export async function addTapBridge(ns: string, uplinkIf: string, names = { bridge: 'vmbr0', tap: 'vmtap0' }): Promise<{ tap: string }> {
  const ipn = (...args: string[]) => run('ip', ['-n', ns, ...args]);
  await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'])
    .catch(() => undefined);
  await ipn('link', 'add', names.bridge, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0');
  await ipn('tuntap', 'add', 'dev', names.tap, 'mode', 'tap');
  await ipn('link', 'set', names.tap, 'master', names.bridge);
  await ipn('link', 'set', uplinkIf, 'master', names.bridge);
  for (const i of [names.tap, uplinkIf, names.bridge]) await ipn('link', 'set', i, 'up');
  return { tap: names.tap };
}

export interface UefiVmOptions {
  /** Namespace holding the tap (QEMU runs there, so the NIC can reach nothing else). */
  ns: string;
  tap: string;
  mac: string;
  /** Folder for this VM's VARS copy, serial log and QEMU output. */
  dir: string;
  /** EFI_SIGNATURE_LIST file handed to the firmware as its HTTPS CA list; none = no CA enrolled. */
  caCertsEsl?: string;
  memoryMb?: number;
}

export interface WatchResult {
  /** What ended the watch. */
  outcome: 'matched' | 'firmware-gave-up' | 'qemu-exited' | 'timeout';
  /** Seconds since QEMU started. */
  seconds: number;
}

export interface UefiVm {
  pid: number;
  serialFile: string;
  /** The serial console so far, without CR and ANSI escapes, progress counters squeezed. */
  serial(): string;
  /** QEMU's own stderr (warnings, errors). */
  qemuOutput(): string;
  /** Records, from now on, when `pattern` first shows on the console (see `timings`). */
  track(name: string, pattern: string | RegExp): void;
  /** Seconds after QEMU's start at which each tracked pattern first appeared. */
  timings(): Record<string, number>;
  /** Polls the console until `done` matches, the firmware gives up, QEMU exits or time runs out. */
  watch(done: RegExp | string, timeoutMs: number): Promise<WatchResult>;
  /** Stops QEMU (TERM, then KILL) if it still runs; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Removes what makes a raw serial log unreadable: CRs, ANSI sequences, download progress. */
export function cleanSerial(raw: string): string {
  return raw
    .replace(/\r/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;=?]*[A-Za-z]/g, '')
    .replace(/(Downloading\.\.\.\d+% *)+/g, 'Downloading… ')
    .replace(/(Press ESC in \d+ seconds[^\n]*?continue\.)+/g, 'Press ESC … continue.');
}

export function qemuArgs(o: UefiVmOptions, varsFile: string, serialFile: string): string[] {
  const args = [
    '-accel', 'tcg', '-machine', 'q35', '-m', String(o.memoryMb ?? 512), '-smp', '1',
    '-nodefaults', '-display', 'none', '-vga', 'none', '-monitor', 'none', '-no-reboot',
    '-serial', `file:${serialFile}`,
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${varsFile}`,
    '-netdev', `tap,id=n0,ifname=${o.tap},script=no,downscript=no`,
    '-device', `virtio-net-pci,netdev=n0,mac=${o.mac},romfile=,bootindex=1`,
    '-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=no',
    '-fw_cfg', 'name=opt/org.tianocore/IPv6Support,string=no',
  ];
  if (o.caCertsEsl) args.push('-fw_cfg', `name=etc/edk2/https/cacerts,file=${o.caCertsEsl}`);
  return args;
}

export function requireFirmware(): void {
  for (const f of [OVMF_CODE, OVMF_VARS]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: install Debian's ovmf (scripts/install-deps.sh)`);
  }
  if (!fs.existsSync('/dev/net/tun')) throw new Error('/dev/net/tun is missing: QEMU cannot attach a tap');
}

export function startUefiVm(o: UefiVmOptions): UefiVm {
  requireFirmware();
  fs.mkdirSync(o.dir, { recursive: true });
  const varsFile = path.join(o.dir, 'OVMF_VARS.fd');
  const serialFile = path.join(o.dir, 'serial.log');
  fs.copyFileSync(OVMF_VARS, varsFile);
  fs.writeFileSync(serialFile, '');
  // `ip netns exec` execs QEMU in place, so the process's PID is QEMU's.
  const qemu = spawnInNamespace(o.ns, QEMU, qemuArgs(o, varsFile, serialFile));
  const startedAt = Date.now();
  const serial = () => {
    try {
      return cleanSerial(fs.readFileSync(serialFile, 'latin1'));
    } catch {
      return '';
    }
  };
  const matches = (text: string, pat: string | RegExp) => (typeof pat === 'string' ? text.includes(pat) : pat.test(text));
  const tracked = new Map<string, string | RegExp>();
  const times: Record<string, number> = {};
  const poll = () => {
    const text = serial();
    const now = (Date.now() - startedAt) / 1000;
    for (const [name, pat] of tracked) if (times[name] === undefined && matches(text, pat)) times[name] = Number(now.toFixed(1));
    return text;
  };
  const ticker = setInterval(poll, 200);
  void qemu.exited.then(() => {
    clearInterval(ticker);
    poll();
  });

  return {
    pid: qemu.pid,
    serialFile,
    serial,
    qemuOutput: qemu.output,
    track: (name, pattern) => void tracked.set(name, pattern),
    timings: () => ({ ...times }),
    async watch(done, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seconds = Number(((Date.now() - startedAt) / 1000).toFixed(1));
        const text = poll();
        if (matches(text, done)) return { outcome: 'matched', seconds };
        if (FIRMWARE_GAVE_UP.test(text)) return { outcome: 'firmware-gave-up', seconds };
        if (!qemu.running()) {
          // The console may have been written just before QEMU exited: look once more.
          return { outcome: matches(poll(), done) ? 'matched' : 'qemu-exited', seconds };
        }
        if (Date.now() > deadline) return { outcome: 'timeout', seconds };
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      await qemu.stop();
      clearInterval(ticker);
    },
  };
}
