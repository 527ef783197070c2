/**
 * The provider's picture of Kea's configuration: subnets (by any inner address), the subnet id of
 * each network, and the reservations found in the configuration, in a SubnetIndex. Built from one
 * config-get answer; pure.
 */
import { log } from '../../../../core/log';
import { Reservation } from '../../provider';
import { SubnetIndex } from '../../subnet-index';
import { asArray, isObject, Json, subnetEntries, toReservation, toSubnet } from './kea-config';

export interface KeaView {
  /** config-get's arguments (`{ "Dhcp4": … }`). */
  config: Json;
  index: SubnetIndex;
  /** Kea subnet id by network address. */
  subnetIds: Map<string, number>;
  /** Whether Kea keeps host reservations in a database (`hosts-database(s)`). */
  hostsDatabase: boolean;
}

export function buildView(config: Json, warn: (m: string) => void = (m) => log.warn(m)): KeaView {
  const dhcp4 = config.Dhcp4;
  if (!isObject(dhcp4)) throw new Error('config-get returned no Dhcp4 configuration');
  const index = new SubnetIndex();
  const subnetIds = new Map<string, number>();
  for (const s of subnetEntries(dhcp4)) {
    let subnet;
    try {
      subnet = toSubnet(s, dhcp4);
      index.addSubnet(subnet);
    } catch (e) {
      warn(`Ignoring Kea subnet ${String(s.entry.subnet)} (id ${String(s.entry.id)}): ${(e as Error).message}`);
      continue;
    }
    if (typeof s.entry.id === 'number') subnetIds.set(subnet.network, s.entry.id);
    for (const raw of asArray(s.entry.reservations)) {
      const r = isObject(raw) ? toReservation(raw, subnet) : undefined;
      if (r) index.addReservation(r);
    }
  }
  const db = dhcp4['hosts-databases'];
  const hostsDatabase = isObject(dhcp4['hosts-database']) || (Array.isArray(db) && db.length > 0);
  return { config, index, subnetIds, hostsDatabase };
}

/** An index holding only the given reservations (for host_cmds answers). */
export function reservationIndex(reservations: Reservation[]): SubnetIndex {
  const index = new SubnetIndex();
  for (const r of reservations) index.addReservation(r);
  return index;
}
