import { ClusterHandle, startWorkers } from './cluster';
import { buildRequestListener } from './http';
import { closeListeners, httpsConfigured, Listener, startListeners } from './listeners';
import { closeLogs, configureLogging, log } from './log';
import type { ModuleDeclaration, ProviderDeclaration, RuntimeInfo } from './module';
import { fileSettingsSource, ModuleRegistry, SettingsSource } from './registry';
import type { GlobalSettings } from './settings';

export interface ProxyOptions {
  global: GlobalSettings;
  modules: ModuleDeclaration<any>[];
  providers: ProviderDeclaration<any>[];
  /** Module settings from memory instead of settings_directory (the embedded default). */
  settingsSource?: SettingsSource;
  /** Skip opening listeners (the `check` command). */
  listen?: boolean;
  /** Processes accepting on the public sockets, this one included; 0 or 1: this process alone. */
  workers?: number;
}

export interface RunningProxy {
  registry: ModuleRegistry;
  listeners: Listener[];
  stop(): Promise<void>;
}

/** Loads modules and opens the HTTP and HTTPS listeners (reference §1.1). */
export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const { global } = opts;
  configureLogging(global);
  const withHttp = global.http_port !== null;
  const withHttps = httpsConfigured(global);
  if (!withHttp && !withHttps) throw new Error('Both http and https are disabled, unable to start.');
  if (!withHttps) log.warn('Missing SSL setup, https is disabled.');
  let launch!: () => void;
  const launched = new Promise<void>((resolve) => (launch = resolve));
  const runtime: RuntimeInfo = { global, httpsConfigured: withHttps, launched };
  const registry = new ModuleRegistry(opts.modules, opts.providers, runtime);
  let listeners: Listener[] = [];
  let workers: ClusterHandle | undefined;
  try {
    await registry.initialize(opts.settingsSource ?? fileSettingsSource(runtime));
    if (opts.listen !== false) {
      try {
        listeners = await startListeners(global,
          withHttp ? buildRequestListener(registry, 'http', global) : null,
          withHttps ? buildRequestListener(registry, 'https', global) : null);
        if ((opts.workers ?? 1) > 1) workers = await startWorkers(registry, global, listeners, opts.workers! - 1);
      } catch (err) {
        await closeListeners(listeners);
        await registry.stop();
        throw err;
      }
    }
  } finally {
    // Up, or given up: deferred module work may go ahead (a stopped module drops it).
    launch();
  }
  if (opts.listen !== false) {
    log.info(`Smart proxy has launched on ${listeners.length} socket(s), waiting for requests`);
  }
  return {
    registry,
    listeners,
    async stop() {
      await workers?.stop();
      await closeListeners(listeners);
      await registry.stop();
    },
  };
}

export { closeLogs };
