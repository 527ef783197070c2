import { Router } from 'express';
import { HttpError, sendBody, JSON_TYPE } from '../../core/errors';
import { route } from '../../core/http';
import type { ModuleIntrospection } from '../../core/module';
import { MODULE_VERSION, VERSION } from '../../core/version';

function json(body: unknown): string {
  return JSON.stringify(body);
}

/** `/features` and `/version`: public, as in the baseline. */
export function v1Routes(modules: ModuleIntrospection): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.get('/features', route((req, res) => {
    try {
      sendBody(req, res, 200, JSON_TYPE, json([...modules.runningNames()].sort()));
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }));
  router.get('/version', route((req, res) => {
    try {
      const versions: Record<string, string> = {};
      for (const name of modules.runningNames()) versions[name] = MODULE_VERSION;
      sendBody(req, res, 200, JSON_TYPE, json({ version: VERSION, modules: versions }));
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }));
  return router;
}

/** `/v2/features`: every module in any state, behind the authorization filters. */
export function v2Routes(modules: ModuleIntrospection): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.get('/features', route((req, res) => {
    try {
      sendBody(req, res, 200, JSON_TYPE, json(modules.v2Features()));
    } catch (err) {
      throw new HttpError(500, (err as Error).message);
    }
  }));
  return router;
}
