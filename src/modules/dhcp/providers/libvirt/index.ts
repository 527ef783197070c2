import { log } from '../../../../core/log';
import type { ProviderDeclaration } from '../../../../core/module';
import type { DhcpProvider } from '../../provider';
import { LibvirtDhcpProvider } from './provider';
import { findOnPath, Virsh } from './virsh';
import { parseNetworkXml } from './xml';

/**
 * `dhcp_libvirt` (reference §7.9; docs/dhcp-libvirt.md): DHCP reservations in one libvirt
 * network, through the `virsh` client. Settings as the baseline: `url` (a libvirt URI, must have a
 * scheme) and `network`. No capabilities.
 */
export const dhcpLibvirtProvider: ProviderDeclaration<DhcpProvider> = {
  name: 'dhcp_libvirt',
  module: 'dhcp',
  defaultSettings: { url: 'qemu:///system', network: 'default' },
  validators: [{ kind: 'url', key: 'url' }],
  capabilities: [],
  async start(ctx) {
    const binary = findOnPath('virsh');
    if (!binary) {
      throw new Error(`dhcp_libvirt needs the virsh command (Debian/Ubuntu package libvirt-clients), not found on PATH (${process.env.PATH ?? ''})`);
    }
    const url = String(ctx.settings.url);
    const network = String(ctx.settings.network);
    const virsh = new Virsh({ binary, url });
    // Like the Ruby provider, start even when libvirt cannot be reached now (it is read per
    // request); one look at the network tells the operator at once whether the settings work.
    try {
      const { subnets } = parseNetworkXml(await virsh.run(['net-dumpxml', '--network', network], 'virNetworkGetXMLDesc', 10_000));
      log.info(`dhcp_libvirt: network '${network}' at ${url}: ${subnets.map((s) => `${s.network}/${s.netmask}`).join(', ') || 'no IPv4 subnet'}`);
    } catch (err) {
      log.warn(`dhcp_libvirt: network '${network}' at ${url} cannot be read yet: ${(err as Error).message}`);
    }
    return {
      instance: new LibvirtDhcpProvider({ client: virsh, network }),
      stop: () => virsh.drain(),
    };
  },
};
