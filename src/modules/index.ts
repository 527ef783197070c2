import type { ModuleDeclaration, ProviderDeclaration } from '../core/module';
import { bmc, dns, facts, puppet, puppetca, realm, registration, templates } from './foreign';
import { dhcpModule } from './dhcp';
import { iscProvider } from './dhcp/providers/isc';
import { keaProviderDeclaration } from './dhcp/providers/kea';
import { dhcpLibvirtProvider } from './dhcp/providers/libvirt';
import { httpbootModule } from './httpboot';
import { logsModule } from './logs';
import { rootModule } from './root';
import { tftpModule } from './tftp';

/** Every module, in the baseline's registration order (it decides the /v2/features order). */
export const MODULES: ModuleDeclaration<any>[] = [
  rootModule, facts, dns, templates, tftpModule, dhcpModule, puppetca, puppet, bmc, realm, logsModule, httpbootModule, registration,
];

export const PROVIDERS: ProviderDeclaration<any>[] = [iscProvider, dhcpLibvirtProvider, keaProviderDeclaration];
