/**
 * The DHCP module over the real `dhcp_kea` provider, mounted through the real core (registry,
 * settings validation, authorization, OpenAPI validation, error handling), as a request listener
 * for supertest. Settings are given as the two files would hold them (dhcp.yml, dhcp_kea.yml).
 */
import type { RuntimeInfo } from '../../src/core/module';
import { buildRequestListener, RequestListener } from '../../src/core/http';
import { ModuleRegistry, ModuleRuntime } from '../../src/core/registry';
import { globalSettingsFrom, Settings } from '../../src/core/settings';
import { createDhcpModule } from '../../src/modules/dhcp';
import { keaProviderDeclaration } from '../../src/modules/dhcp/providers/kea';
import { KeaProvider } from '../../src/modules/dhcp/providers/kea/provider';

export interface KeaTestApp {
  listener: RequestListener;
  registry: ModuleRegistry;
  dhcp: ModuleRuntime;
  /** The started provider (undefined when the module failed to start). */
  provider?: KeaProvider;
  stop(): Promise<void>;
}

export async function keaTestApp(keaSettings: Settings, dhcpSettings: Settings = {}): Promise<KeaTestApp> {
  const global = globalSettingsFrom({ http_port: 8000, log_file: '/dev/null' }, '/tmp');
  const runtime: RuntimeInfo = { global, httpsConfigured: false };
  const registry = new ModuleRegistry([createDhcpModule()], [keaProviderDeclaration], runtime);
  const files: Record<string, Settings> = {
    dhcp: { enabled: true, use_provider: 'dhcp_kea', ping_free_ip: false, ...dhcpSettings },
    dhcp_kea: keaSettings,
  };
  await registry.initialize((name) => files[name]);
  const dhcp = registry.modules.find((m) => m.decl.name === 'dhcp')!;
  const provider = dhcp.providers[0]?.started?.instance as KeaProvider | undefined;
  return { listener: buildRequestListener(registry, 'http', global), registry, dhcp, provider, stop: () => registry.stop() };
}
