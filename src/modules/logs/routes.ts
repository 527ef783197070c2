import { Router } from 'express';
import { HttpError, JSON_TYPE, sendBody } from '../../core/errors';
import { route } from '../../core/http';
import { logBuffer } from '../../core/log';
import { ERROR_SEVERITY } from '../../core/log-buffer';

/**
 * Seconds since the epoch, as the baseline's `params[:from_timestamp].to_f rescue 0`: a string's
 * leading number, else 0 ("everything"); a list or map (`from_timestamp[]=…`) has no to_f, so 0.
 */
function fromTimestamp(value: unknown): number {
  const n = typeof value === 'string' ? parseFloat(value) : 0;
  return Number.isFinite(n) ? n : 0;
}

export function logsRoutes(): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.get(['/', ''], route((req, res) => {
    try {
      const buffer = logBuffer();
      const body = {
        info: {
          size: buffer.size,
          tail_size: buffer.tailSize,
          level: null,
          level_tail: ERROR_SEVERITY,
          failed_modules: buffer.failedModules,
        },
        logs: buffer.entries(fromTimestamp(req.query.from_timestamp)),
      };
      sendBody(req, res, 200, JSON_TYPE, JSON.stringify(body));
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
  }));
  return router;
}
