import type { IncomingMessage, ServerResponse } from 'http';
import type { Router } from 'express';
import type { GlobalSettings, Settings } from './settings';
import type { Validator } from './validators';

/** Which listeners a module is enabled for, from its `enabled` setting. */
export interface Exposure {
  http: boolean;
  https: boolean;
}

/** Facts about the process that programmable settings and capabilities may depend on. */
export interface RuntimeInfo {
  global: GlobalSettings;
  /** True when the HTTPS listener is really configured (certificate, key and CA all set). */
  httpsConfigured: boolean;
  /**
   * Resolves once the proxy answers requests (its listeners are up), or once start-up gave up.
   * Modules may defer background work to it, such as reading a large file, so that it does not
   * hold up the start. Absent when modules are started on their own (tests): do the work at once.
   */
  launched?: Promise<void>;
}

/** Everything a module or provider gets when it starts. */
export interface StartContext {
  name: string;
  /** Effective settings: defaults overridden by the settings file (providers: merged with the main module's). */
  settings: Settings;
  runtime: RuntimeInfo;
}

export interface ModuleStartContext<P = unknown> extends StartContext {
  /** Started provider instances, in `use_provider` order (modules that use providers only). */
  providers: P[];
  /** Read-only view of every module's state, for modules that report on the others (root). */
  modules: ModuleIntrospection;
}

export interface ModuleIntrospection {
  /** Names of running, listed modules in registration order. */
  runningNames(): string[];
  /** The body of GET /v2/features. */
  v2Features(): Record<string, unknown>;
}

export type Capability = string | ((ctx: { settings: Settings; runtime: RuntimeInfo }) => string | string[] | null | undefined);

/** A raw request handler that serves before express (hot paths such as file serving). */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

/** A whole 200 answer from memory: the header lines that follow `Server` (each ending in CRLF), and the body. */
export interface QuickAnswer {
  headers: string;
  body: Buffer;
}

/**
 * Answers a plain GET or HEAD of `path` (raw, with the mount prefix; no query, range or
 * conditional) exactly as `raw` would with a 200, or returns null to let `raw` handle it.
 */
export type QuickHandler = (path: string) => QuickAnswer | null;

export interface Mount {
  /** Mount path, e.g. `/tftp`; `/` for the root API. */
  path: string;
  router?: Router;
  /** Served without express for speed; receives the raw path including the mount prefix. */
  raw?: RawHandler;
  /** Plain-HTTP requests `raw` would answer from memory, answered without node:http (quick-http.ts). */
  quick?: QuickHandler;
  /** trusted_hosts and client-certificate filters run on every request below this mount. */
  protected: boolean;
}

export interface StartedModule {
  mounts: Mount[];
  stop?(): Promise<void> | void;
}

export interface ModuleDeclaration<P = unknown> {
  name: string;
  /** Setting keys holding file or folder paths: relative values resolve against the settings file's folder. */
  pathSettings?: string[];
  /** `enabled` when the module has no settings file or no key (the baseline: true only for logs). */
  defaultEnabled?: boolean | 'http' | 'https';
  defaultSettings: Settings;
  validators?: Validator[];
  /** Extra computed settings, added before validation (httpboot's ports). */
  programmableSettings?: (settings: Settings, exposure: Exposure, runtime: RuntimeInfo) => Settings;
  /** Setting keys shown in /v2/features (null when the module is disabled). */
  exposedSettings?: string[];
  capabilities?: Capability[];
  /** The module selects providers through its `use_provider` setting. */
  usesProviders?: boolean;
  /** Declared by modules this proxy lists for /v2/features but does not implement. */
  notImplemented?: boolean;
  /** The root module: always enabled on both ports, reads no settings file, never listed. */
  root?: boolean;
  start(ctx: ModuleStartContext<P>): Promise<StartedModule> | StartedModule;
  /**
   * Raw mounts a worker process can serve on its own from the running module's settings, with no
   * state and no side effects (file serving). Everything else is forwarded to the primary process.
   */
  workerMounts?(settings: Settings): Mount[];
}

export interface StartedProvider<I = unknown> {
  instance: I;
  stop?(): Promise<void> | void;
}

export interface ProviderDeclaration<I = unknown> {
  name: string;
  /** The main module this provider serves, e.g. `dhcp`. */
  module: string;
  pathSettings?: string[];
  defaultSettings: Settings;
  validators?: Validator[];
  capabilities?: Capability[];
  start(ctx: StartContext): Promise<StartedProvider<I>> | StartedProvider<I>;
}
