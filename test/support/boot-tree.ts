import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const GRUB_CFG = Buffer.from('set default=0\nset timeout=5\n'.padEnd(2048, '#'));

/**
 * The boot tree the reference responses were captured on (reference-responses.md §0):
 * files, a dot file, symlinks inside and outside, a dangling link, a FIFO and directories.
 */
export function makeBootTree(): { root: string; outside: string; cleanup(): void } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-boot-'));
  const root = path.join(base, 'tftpboot');
  const outside = path.join(base, 'outside');
  const w = (rel: string, data: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), data);
  };
  w('grub2/grub.cfg', GRUB_CFG);
  w('grub2/grubx64.efi', Buffer.alloc(4096, 0x4d));
  w('EFI/BOOT/BOOTX64.EFI', Buffer.alloc(1024, 0x5a));
  w('boot/vmlinuz', Buffer.alloc(8192, 1));
  w('boot/initrd.img', Buffer.alloc(8192, 2));
  w('boot/image.iso', Buffer.alloc(100, 3));
  w('pxelinux.0', Buffer.alloc(100, 4));
  w('data.json', '{"a":1}');
  w('notes.txt', 'hello');
  w('with space.cfg', 'space');
  w('.hidden.cfg', 'hidden');
  fs.mkdirSync(path.join(root, 'pxelinux.cfg'));
  fs.mkdirSync(path.join(root, 'empty-dir'));
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
  fs.symlinkSync('grub.cfg', path.join(root, 'grub2/grub-link.cfg'));
  fs.symlinkSync(path.join(root, 'grub2/grub.cfg'), path.join(root, 'abs-link.cfg'));
  fs.symlinkSync('does-not-exist', path.join(root, 'dangling-link'));
  fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'escape-file'));
  fs.symlinkSync(outside, path.join(root, 'escape-dir'));
  fs.symlinkSync('../outside/secret', path.join(root, 'relative-escape'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  return { root, outside, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}
