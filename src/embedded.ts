import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SettingsSource } from './core/registry';
import { globalSettingsFrom, GlobalSettings, Settings } from './core/settings';

/**
 * The embedded default configuration: HTTP on loopback, logging to stdout, every module enabled
 * on a sample boot tree in a state folder of its own, so a fresh checkout serves real endpoints
 * with no settings file at all.
 */
export interface EmbeddedConfig {
  global: GlobalSettings;
  settingsSource: SettingsSource;
  stateDir: string;
}

const SAMPLE_FILES: Record<string, string> = {
  'grub2/grub.cfg': 'set default=0\nset timeout=5\nmenuentry "Sample entry (smart proxy embedded default)" {\n  echo "Served by the smart proxy embedded default"\n}\n',
  'pxelinux.cfg/default': 'DEFAULT local\nLABEL local\n  LOCALBOOT 0\n',
  'boot/README.txt': 'Kernels and initrds fetched through POST /tftp/fetch_boot_file land here.\n',
};

function writeSampleTree(root: string): void {
  for (const [rel, content] of Object.entries(SAMPLE_FILES)) {
    const file = path.join(root, rel);
    if (fs.existsSync(file)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

export function embeddedConfig(env: NodeJS.ProcessEnv = process.env): EmbeddedConfig {
  const stateDir = env.SMART_PROXY_STATE_DIR || path.join(os.tmpdir(), `smart-proxy-embedded-${process.getuid?.() ?? 0}`);
  const bootRoot = path.join(stateDir, 'tftpboot');
  writeSampleTree(bootRoot);
  const global = globalSettingsFrom({
    http_port: Number(env.SMART_PROXY_HTTP_PORT || 8000),
    bind_host: ['127.0.0.1'],
    log_file: 'STDOUT',
    log_level: 'INFO',
    settings_directory: path.join(stateDir, 'settings.d'),
  }, stateDir);
  const modules: Record<string, Settings> = {
    logs: { enabled: true },
    httpboot: { enabled: true, root_dir: bootRoot },
    tftp: { enabled: true, tftproot: bootRoot, tftp_servername: '127.0.0.1' },
  };
  return { global, stateDir, settingsSource: (name) => modules[name] };
}
