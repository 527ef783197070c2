import { OmapiClient, OmapiClientOptions } from '../../src/modules/dhcp/providers/isc/omapi/client';
import { DhcpdInstance } from './dhcpd';

/**
 * The proxy's OMAPI client pointed at a test dhcpd, with its key (name, secret, algorithm) when it
 * has one; `options` adds or overrides settings (timeoutMs, …).
 */
export function omapiClientFor(dhcpd: DhcpdInstance, options: Partial<OmapiClientOptions> = {}): OmapiClient {
  const key = dhcpd.key;
  return new OmapiClient({
    host: dhcpd.omapiHost,
    port: dhcpd.omapiPort,
    ...(key ? { keyName: key.name, keySecret: key.secret, keyAlgorithm: key.algorithm } : {}),
    ...options,
  });
}
