import { AsyncLocalStorage } from 'async_hooks';
import { randomUUID } from 'crypto';

/** Per-request data that log lines pick up wherever they are written. */
export interface RequestContext {
  /** X-Request-Id, or a random UUID. */
  requestId: string;
  /** X-Session-Id; when absent a random UUID is made the first time a log pattern asks (`%X{session}`). */
  sessionId?: string;
  /** The client's address (REMOTE_ADDR in the baseline). */
  remoteIp?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * The current request's value for a key of the baseline's mapped diagnostic context
 * (`request`, `session`, `remote_ip`), as log patterns print it with `%X{key}`.
 */
export function currentMdcValue(key: string): string | undefined {
  const ctx = requestContext.getStore();
  if (!ctx) return undefined;
  switch (key) {
    case 'request': return ctx.requestId;
    case 'session': return (ctx.sessionId ??= randomUUID());
    case 'remote_ip': return ctx.remoteIp;
    default: return undefined;
  }
}
