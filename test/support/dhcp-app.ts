/**
 * The DHCP module mounted through the real core (registry, authorization, OpenAPI validation,
 * error handling) over a FakeDhcpProvider, as a request listener for supertest.
 */
import type { RuntimeInfo } from '../../src/core/module';
import { buildRequestListener, RequestListener } from '../../src/core/http';
import { ModuleRegistry } from '../../src/core/registry';
import { globalSettingsFrom, Settings } from '../../src/core/settings';
import { createDhcpModule, DhcpModuleOptions } from '../../src/modules/dhcp';
import { FakeDhcpProvider, fakeProviderDeclaration } from './fake-dhcp-provider';

export interface DhcpTestApp {
  listener: RequestListener;
  registry: ModuleRegistry;
  provider: FakeDhcpProvider;
  stop(): Promise<void>;
}

export async function dhcpTestApp(provider: FakeDhcpProvider, dhcpSettings: Settings = {},
  opts: DhcpModuleOptions = {}): Promise<DhcpTestApp> {
  const global = globalSettingsFrom({ http_port: 8000, log_file: '/dev/null' }, '/tmp');
  const runtime: RuntimeInfo = { global, httpsConfigured: false };
  const registry = new ModuleRegistry([createDhcpModule(opts)], [fakeProviderDeclaration(provider)], runtime);
  const files: Record<string, Settings> = {
    dhcp: { enabled: true, use_provider: 'dhcp_fake', ping_free_ip: false, ...dhcpSettings },
  };
  await registry.initialize((name) => files[name]);
  const state = registry.modules.find((m) => m.decl.name === 'dhcp')!;
  if (state.state !== 'running') throw new Error(`dhcp module did not start: ${state.state}`);
  return { listener: buildRequestListener(registry, 'http', global), registry, provider, stop: () => registry.stop() };
}

/**
 * A supertest body parser that keeps the body as text: error bodies are plain text even when
 * labelled application/json. Use as `.buffer(true).parse(textBody)`; the text is then `res.body`.
 */
export function textBody(res: any, cb: (err: Error | null, body: string) => void): void {
  let data = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => { data += chunk; });
  res.on('end', () => cb(null, data));
}
