import { log } from '../../../../core/log';
import type { ProviderDeclaration } from '../../../../core/module';
import type { Settings } from '../../../../core/settings';
import type { DhcpProvider } from '../../provider';
import { LeasesFollower } from './leases-follower';
import { parseAlgorithm } from './omapi/auth';
import { OmapiClient } from './omapi/client';
import { nextServerResolver } from './omapi/statements';
import { IscDhcpProvider } from './provider';
import { IscState } from './state';

/** A started dhcp_isc provider; `follower` is exposed for diagnostics and tests. */
export interface StartedIscProvider {
  provider: IscDhcpProvider;
  follower: LeasesFollower;
  omapi: OmapiClient;
}

function portOf(value: unknown): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`Setting 'omapi_port' must be a TCP port number, got '${String(value)}'`);
  }
  return port;
}

/** Key name and secret count only when both are set (as the baseline's omshell session). */
function keyOf(settings: Settings): { keyName?: string; keySecret?: string; keyAlgorithm?: string } {
  const name = settings.key_name;
  const secret = settings.key_secret;
  if (name === undefined || name === null || name === '' || secret === undefined || secret === null || secret === '') return {};
  return { keyName: String(name), keySecret: String(secret), keyAlgorithm: String(settings.key_algorithm ?? 'hmac-md5') };
}

/**
 * Builds and starts the parts: the state, the follower, the OMAPI client. dhcpd.conf is loaded
 * before this resolves (its errors fail the module); the leases file is read in the background,
 * so the proxy can answer (files, /features) meanwhile, and DHCP requests wait for it.
 */
export async function startIscProvider(settings: Settings, dnsResolvTimeouts?: number[] | null, launched?: Promise<void>): Promise<StartedIscProvider> {
  const state = new IscState(undefined, { warn: (m) => log.warn(m) });
  const follower = new LeasesFollower({ configPath: String(settings.config), leasesPath: String(settings.leases), state });
  const omapi = new OmapiClient({ host: String(settings.server), port: portOf(settings.omapi_port), ...keyOf(settings) });
  await follower.begin(launched);
  const provider = new IscDhcpProvider({
    state,
    omapi,
    blacklistDurationSeconds: Number(settings.blacklist_duration_minutes),
    follower,
    ready: () => follower.loaded(),
    resolveName: nextServerResolver(dnsResolvTimeouts),
    // dhcpd has written the change to its leases file before it answered: read it now.
    afterWrite: () => follower.poke(),
  });
  return { provider, follower, omapi };
}

/**
 * `dhcp_isc` (reference §7.8): ISC dhcpd, read from dhcpd.conf and dhcpd.leases, written through
 * OMAPI at `server` (dhcp.yml) : `omapi_port`. `key_algorithm` is this project's addition (the
 * baseline's omshell only used HMAC-MD5).
 */
export const iscProvider: ProviderDeclaration<DhcpProvider> = {
  name: 'dhcp_isc',
  module: 'dhcp',
  defaultSettings: {
    config: '/etc/dhcp/dhcpd.conf',
    leases: '/var/lib/dhcpd/dhcpd.leases',
    omapi_port: 7911,
    blacklist_duration_minutes: 1800,
    key_algorithm: 'hmac-md5',
  },
  pathSettings: ['config', 'leases'],
  validators: [
    { kind: 'file_readable', key: 'config' },
    { kind: 'file_readable', key: 'leases' },
    {
      kind: 'custom',
      check: (s) => {
        portOf(s.omapi_port);
        parseAlgorithm(String(s.key_algorithm));
        if (!(Number(s.blacklist_duration_minutes) >= 0)) {
          throw new Error(`Setting 'blacklist_duration_minutes' must be a number, got '${String(s.blacklist_duration_minutes)}'`);
        }
      },
    },
  ],
  capabilities: ['dhcp_filename_hostname', 'dhcp_filename_ipv4'],
  async start(ctx) {
    const started = await startIscProvider(ctx.settings, ctx.runtime.global.dns_resolv_timeouts, ctx.runtime.launched);
    return {
      instance: started.provider,
      stop: async () => {
        await started.follower.stop();
        await started.omapi.close();
      },
    };
  },
};
