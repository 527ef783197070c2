import type { ModuleDeclaration } from '../../core/module';
import { fileMounts } from './mounts';

/** HTTPBoot: the TFTP boot tree over HTTP(S) for UEFI HTTP boot (reference §5). */
export const httpbootModule: ModuleDeclaration = {
  name: 'httpboot',
  defaultSettings: { root_dir: '/var/lib/tftpboot' },
  pathSettings: ['root_dir'],
  // Foreman builds boot URLs from these; https_port only when HTTPS really listens (F6).
  programmableSettings: (_settings, exposure, runtime) => ({
    http_port: exposure.http ? runtime.global.http_port : null,
    https_port: exposure.https && runtime.httpsConfigured ? runtime.global.https_port : null,
  }),
  exposedSettings: ['http_port', 'https_port'],
  capabilities: [],
  start: ({ settings }) => ({ mounts: fileMounts(settings) }),
  // Pure file serving: worker processes serve it themselves.
  workerMounts: fileMounts,
};
