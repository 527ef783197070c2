import * as path from 'path';
import { log } from '../../core/log';
import type { ModuleDeclaration } from '../../core/module';
import { BootFileService } from './boot-file';
import { BootFileDownloader, DEFAULT_TUNING, DownloaderTuning } from './downloader';
import { PxeConfigStore } from './pxe-configs';
import { tftpRoutes } from './routes';

/** tftp_connect_timeout in ms; anything that is not a positive number falls back to the default. */
function connectTimeoutMs(value: unknown): number {
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds > 0) return seconds * 1000;
  log.warn(`TFTP: tftp_connect_timeout ${JSON.stringify(value)} is not a positive number of seconds, using 10`);
  return 10_000;
}

/**
 * The TFTP module (reference §6): per-host boot configs and default menus in tftproot, and boot
 * files downloaded into it. `tuning` overrides downloader timings (tests use short retry delays);
 * the settings still decide the connect timeout and certificate verification.
 */
export function createTftpModule(tuning: Partial<DownloaderTuning> = {}): ModuleDeclaration {
  return {
    name: 'tftp',
    pathSettings: ['tftproot'],
    defaultSettings: { tftproot: '/var/lib/tftpboot', tftp_connect_timeout: 10, verify_server_cert: true },
    validators: [{ kind: 'boolean', key: 'verify_server_cert' }],
    // No default, so never presence-checked; null in /v2/features when unset.
    exposedSettings: ['tftp_servername'],
    capabilities: [],
    start: ({ settings, runtime }) => {
      // The core resolves a relative tftproot against the settings file's folder (pathSettings).
      const root = path.resolve(runtime.global.base_dir ?? process.cwd(), String(settings.tftproot));
      const downloader = new BootFileDownloader({
        ...DEFAULT_TUNING,
        connectTimeoutMs: connectTimeoutMs(settings.tftp_connect_timeout),
        verifyServerCert: settings.verify_server_cert !== false,
        ...tuning,
      });
      const router = tftpRoutes({
        configs: new PxeConfigStore(root),
        bootFiles: new BootFileService(root, downloader),
        serverName: settings.tftp_servername,
      });
      return { mounts: [{ path: '/tftp', router, protected: true }], stop: () => downloader.stop() };
    },
  };
}

export const tftpModule = createTftpModule();
