/**
 * GRUB EFI images built at test time with grub-mkstandalone (Debian grub-efi-amd64-bin), with an
 * embedded grub.cfg. Debian's GRUB 2.06 takes its network setup from the UEFI HTTP boot device
 * path (no second DHCP), so `$net_default_mac` / `$net_default_ip` are set when the embedded
 * config runs. Its http driver speaks plain HTTP only: configs must name `(http,IP:PORT)`.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const GRUB_MKSTANDALONE = 'grub-mkstandalone';
export const GRUB_EFI_MODULE_DIR = '/usr/lib/grub/x86_64-efi';

/** Modules the test configs use: net + efinet + http, configfile/source, regexp for MAC → dashes. */
const MODULES = ['normal', 'echo', 'halt', 'sleep', 'test', 'configfile', 'regexp', 'net', 'efinet', 'http'];

/** Builds a standalone x86_64-efi GRUB whose embedded /boot/grub/grub.cfg is `config`. */
export async function buildGrubEfi(output: string, config: string): Promise<void> {
  if (!fs.existsSync(GRUB_EFI_MODULE_DIR)) {
    throw new Error(`${GRUB_EFI_MODULE_DIR} is missing: install Debian's grub-efi-amd64-bin (scripts/install-deps.sh)`);
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'grub-cfg-'));
  try {
    const cfg = path.join(work, 'grub.cfg');
    fs.writeFileSync(cfg, config);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    await new Promise<void>((resolve, reject) => {
      execFile(GRUB_MKSTANDALONE, [
        '-O', 'x86_64-efi', '-o', output,
        `--install-modules=${MODULES.join(' ')}`, `--modules=${MODULES.join(' ')}`,
        '--locales=', '--fonts=', '--themes=',
        `boot/grub/grub.cfg=${cfg}`,
      ], { timeout: 60_000 }, (err, _out, stderr) => (err ? reject(new Error(`grub-mkstandalone failed: ${stderr || err.message}`)) : resolve()));
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Embedded config of the network boot loader: prints `<marker> …`, then loads the per-host config
 * the TFTP module writes for the booting NIC — `grub2/grub.cfg-01-aa-bb-cc-dd-ee-ff` — over HTTP
 * from `server:port`, as Foreman's pxegrub2 templates do. The dashed name is built from the MAC
 * GRUB got from the firmware (`$net_default_mac`), so the file fetched is the one for this NIC.
 */
export function hostConfigLoader(o: { server: string; httpPort: number; marker: string }): string {
  const hex = '([0-9a-f][0-9a-f])';
  const re = `^${Array(6).fill(hex).join(':')}$`;
  const sets = [1, 2, 3, 4, 5, 6].map((i) => `--set=${i}:m${i}`).join(' ');
  const dashed = '01-$m1-$m2-$m3-$m4-$m5-$m6';
  return [
    'set timeout=0',
    // GRUB's console wraps at 80 columns: keep each line short so tests can match it whole.
    `echo "${o.marker} cmdpath=$cmdpath"`,
    `echo "${o.marker} ip=$net_default_ip mac=$net_default_mac"`,
    `if regexp ${sets} '${re}' "$net_default_mac"; then`,
    `  echo "${o.marker}-LOADING grub2/grub.cfg-${dashed}"`,
    `  configfile (http,${o.server}:${o.httpPort})/httpboot/grub2/grub.cfg-${dashed}`,
    'fi',
    // Only reached when the per-host config is missing or does not end the boot itself.
    `echo "${o.marker}-NO-HOST-CONFIG"`,
    'sleep 1',
    'halt',
    '',
  ].join('\n');
}
