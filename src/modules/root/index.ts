import type { ModuleDeclaration } from '../../core/module';
import { v1Routes, v2Routes } from './routes';

/** The root module (`foreman_proxy`): feature and version reporting. */
export const rootModule: ModuleDeclaration = {
  name: 'foreman_proxy',
  root: true,
  defaultSettings: {},
  start: ({ modules }) => ({
    mounts: [
      { path: '/v2', router: v2Routes(modules), protected: true },
      { path: '/', router: v1Routes(modules), protected: false },
    ],
  }),
};
