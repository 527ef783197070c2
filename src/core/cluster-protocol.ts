import type { LogEvent } from './log';
import type { Exposure } from './module';
import type { GlobalSettings, Settings } from './settings';

/** What the primary and its worker processes say to each other. */

export const IDENTITY_HEADER = 'x-smart-proxy-forwarded-client';
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'proxy-connection', 'upgrade']);
/** Set in a worker's environment by the primary. */
export const WORKER_ENV = 'SMART_PROXY_WORKER';

export interface WorkerPlan {
  type: 'plan';
  global: GlobalSettings;
  socketPath: string;
  token: string;
  modules: Array<{ name: string; settings: Settings; exposure: Exposure }>;
}

/** Sent with a listening socket handle: accept on it too. */
export interface ListenMessage {
  type: 'listen';
  scheme: 'http' | 'https';
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'log'; events: LogEvent[] };
