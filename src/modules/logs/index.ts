import type { ModuleDeclaration } from '../../core/module';
import { logsRoutes } from './routes';

/** The logs module: the in-memory log ring for Foreman's log viewer (reference §4). */
export const logsModule: ModuleDeclaration = {
  name: 'logs',
  defaultEnabled: true,
  defaultSettings: {},
  exposedSettings: [],
  capabilities: [],
  start: () => ({ mounts: [{ path: '/logs', router: logsRoutes(), protected: true }] }),
};
