import type { Mount } from '../../core/module';
import type { Settings } from '../../core/settings';
import { fileServer } from './file-server';

const MOUNTS = ['/httpboot', '/EFI'];

/** `/httpboot` and `/EFI` serve root_dir with the mount prefix stripped. */
export function fileMounts(settings: Settings): Mount[] {
  const { raw, quick } = fileServer(String(settings.root_dir), MOUNTS);
  return MOUNTS.map((p) => ({ path: p, raw, quick, protected: false }));
}
