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
 * The context of a request whose handler runs synchronously (file serving). An AsyncLocalStorage
 * that has ever been entered makes Node run a hook for every async resource the process creates;
 * a worker process that serves only files never enters it, and no file request pays for it.
 */
let syncContext: RequestContext | undefined;

/** Runs `fn` now with `ctx` as the current context; callbacks it schedules must be `bound`. */
export function withContextNow<T>(ctx: RequestContext, fn: () => T): T {
  const outer = syncContext;
  syncContext = ctx;
  try {
    return fn();
  } finally {
    syncContext = outer;
  }
}

/** `fn`, run later with the context current now (if any). */
export function bound<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  const ctx = currentContext();
  return ctx ? (...args: A) => withContextNow(ctx, () => fn(...args)) : fn;
}

function currentContext(): RequestContext | undefined {
  return syncContext ?? requestContext.getStore();
}

/**
 * The current request's value for a key of the baseline's mapped diagnostic context
 * (`request`, `session`, `remote_ip`), as log patterns print it with `%X{key}`.
 */
export function currentMdcValue(key: string): string | undefined {
  const ctx = currentContext();
  if (!ctx) return undefined;
  switch (key) {
    case 'request': return ctx.requestId;
    case 'session': return (ctx.sessionId ??= randomUUID());
    case 'remote_ip': return ctx.remoteIp;
    default: return undefined;
  }
}
