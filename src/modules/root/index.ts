import type { ModuleDeclaration } from '../../core/module';
import { apidocRoutes } from './apidoc';
import { v1Routes, v2Routes } from './routes';

/** The root module (`foreman_proxy`): feature and version reporting. */
export const rootModule: ModuleDeclaration = {
  name: 'foreman_proxy',
  root: true,
  defaultSettings: {},
  start: ({ modules }) => ({
    mounts: [
      { path: '/v2', router: v2Routes(modules), protected: true },
      // The API reference page, behind the same authorization as /v2/features.
      { path: '/apidoc', router: apidocRoutes(), protected: true },
      { path: '/', router: v1Routes(modules), protected: false },
    ],
  }),
};
