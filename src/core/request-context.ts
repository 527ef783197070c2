import { AsyncLocalStorage } from 'async_hooks';

/** Per-request data that log lines pick up wherever they are written. */
export interface RequestContext {
  requestId: string;
  sessionId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** First 8 characters of the current request id, as the baseline's log pattern prints it. */
export function currentRequestId(): string | undefined {
  const ctx = requestContext.getStore();
  return ctx ? ctx.requestId.slice(0, 8) : undefined;
}
