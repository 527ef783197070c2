import type { ModuleDeclaration } from '../../core/module';
import { DEFAULT_OFFER_TTL_SECONDS, FreeIps } from './free-ips';
import { LocalOfferedAddresses, OfferedAddressStore } from './offered-addresses';
import { AddressProber, TcpIcmpProber } from './probe';
import type { DhcpProvider } from './provider';
import { dhcpRoutes } from './routes';
import { DhcpService } from './service';

export interface DhcpModuleOptions {
  /** The "recently offered" memory; one per process by default (shared across workers later). */
  offeredStore?: () => OfferedAddressStore;
  prober?: () => AddressProber;
}

/** Builds the `dhcp` module declaration; the parts are replaceable for tests and clustering. */
export function createDhcpModule(opts: DhcpModuleOptions = {}): ModuleDeclaration<DhcpProvider> {
  return {
    name: 'dhcp',
    defaultSettings: { use_provider: 'dhcp_isc', server: '127.0.0.1', subnets: [], ping_free_ip: true },
    validators: [{ kind: 'boolean', key: 'ping_free_ip' }],
    exposedSettings: ['use_provider'],
    usesProviders: true,
    start(ctx) {
      const provider = ctx.providers[0];
      if (!provider) throw new Error('the dhcp module needs a provider');
      const freeIps = new FreeIps({
        store: (opts.offeredStore ?? (() => new LocalOfferedAddresses()))(),
        ttlSeconds: provider.blacklistDurationSeconds ?? DEFAULT_OFFER_TTL_SECONDS,
        ping: ctx.settings.ping_free_ip === true,
        prober: (opts.prober ?? (() => new TcpIcmpProber()))(),
      });
      freeIps.start();
      const service = new DhcpService(provider, freeIps);
      return {
        mounts: [{ path: '/dhcp', router: dhcpRoutes(service), protected: true }],
        stop: () => freeIps.stop(),
      };
    },
  };
}

/** The DHCP module (reference §7): routes under /dhcp over the configured provider. */
export const dhcpModule = createDhcpModule();
