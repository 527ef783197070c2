import type { AddressInfo } from 'net';
import { startProxy, RunningProxy } from '../../src/core/proxy';
import { globalSettingsFrom, Settings } from '../../src/core/settings';
import { MODULES, PROVIDERS } from '../../src/modules';

export interface TestProxy {
  proxy: RunningProxy;
  /** Base URL of the first HTTP listener, e.g. http://127.0.0.1:41234 */
  http?: string;
  https?: string;
  stop(): Promise<void>;
}

/** Ports chosen by the kernel: a listener on port 0 reports the port it got. */
async function freePort(): Promise<number> {
  const net = await import('net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the whole proxy (every registered module) on loopback with in-memory settings,
 * as `node dist/main.js` would with the equivalent files.
 */
export async function startTestProxy(global: Settings, modules: Record<string, Settings>, baseDir = '/tmp'): Promise<TestProxy> {
  const g: Settings = { bind_host: ['127.0.0.1'], log_file: '/dev/null', ...global };
  if (g.http_port === 'auto') g.http_port = await freePort();
  if (g.https_port === 'auto') g.https_port = await freePort();
  const proxy = await startProxy({
    global: globalSettingsFrom(g, baseDir),
    modules: MODULES,
    providers: PROVIDERS,
    settingsSource: (name) => modules[name],
  });
  const first = (scheme: 'http' | 'https') => {
    const l = proxy.listeners.find((x) => x.scheme === scheme);
    return l ? `${scheme}://127.0.0.1:${l.address.port}` : undefined;
  };
  return { proxy, http: first('http'), https: first('https'), stop: () => proxy.stop() };
}
