import { Reservation } from '../../provider';
import { SubnetIndex } from '../../subnet-index';
import { ParsedConfig, ParsedHost, ParsedLease, ParsedRecord } from './parser/types';
import { isSkip, toLease, toReservation, toSubnet } from './records';

export interface IscStateOptions {
  /** Told about records that are skipped for a reason an operator may want to know. */
  warn?: (message: string) => void;
  /** Clock used to decide whether a lease has expired (tests pin it). */
  now?: () => Date;
}

/**
 * The ISC provider's view of dhcpd: subnets from dhcpd.conf, reservations from its host blocks and
 * from the leases file, and active leases, kept in a SubnetIndex. Records are applied in file order
 * with the baseline's rules (reference §7.8.2, §7.8.3):
 * - a host with `deleted;` removes the reservation with that host name and adds nothing;
 * - a new reservation replaces the one with the same MAC in its subnet; several may share an IP;
 * - a lease that is `free`, or whose next state is `free` and whose end has passed, removes the
 *   lease holding its IP (never a reservation);
 * - any other lease replaces the leases with its MAC and with its IP.
 */
export class IscState {
  private current: SubnetIndex;
  /** Writes applied during a rebuild, replayed onto the rebuilt index (see beginRebuild). */
  private journal: { op: 'add' | 'remove'; reservation: Reservation }[] | null = null;

  constructor(index: SubnetIndex = new SubnetIndex(), private readonly options: IscStateOptions = {}) {
    this.current = index;
  }

  /** The live index; read it afresh on every use (a full reload swaps it). */
  get index(): SubnetIndex {
    return this.current;
  }

  /**
   * Adds the config's subnets, then its host (and lease) blocks. Invalid subnets (bad address,
   * router or range, duplicate network) throw the baseline's error and leave the load unfinished,
   * so load into `spawnEmpty()` and swap it in with `adopt` once it loaded.
   */
  loadConfig(config: ParsedConfig): void {
    for (const parsed of config.subnets) {
      try {
        this.current.addSubnet(toSubnet(parsed));
      } catch (err) {
        (err as Error).message = `${(err as Error).message} (subnet ${parsed.network} at ${parsed.file}:${parsed.line})`;
        throw err;
      }
    }
    this.applyRecords(config.records);
  }

  /** Applies host and lease blocks in order. */
  applyRecords(records: ParsedRecord[]): void {
    for (const record of records) {
      if (record.kind === 'host') this.applyHost(record);
      else this.applyLease(record);
    }
  }

  applyHost(host: ParsedHost): void {
    const index = this.current;
    if (host.attributes.deleted) {
      const existing = index.findReservationByName(host.name);
      if (existing) index.deleteReservation(existing);
      return;
    }
    const reservation = toReservation(host, (ip) => index.findSubnet(ip));
    if (isSkip(reservation)) {
      if (reservation.warn) this.warn(`Ignoring host ${host.name} (line ${host.line}): ${reservation.reason}`);
      return;
    }
    this.putReservation(this.current, reservation);
  }

  applyLease(parsed: ParsedLease): void {
    const index = this.current;
    const lease = toLease(parsed, (ip) => index.findSubnet(ip));
    if (isSkip(lease)) {
      if (lease.warn) this.warn(`Ignoring lease ${parsed.ip} (line ${parsed.line}): ${lease.reason}`);
      return;
    }
    const network = lease.subnet.network;
    const now = this.options.now ? this.options.now().getTime() : Date.now();
    if (lease.state === 'free' || (lease.options.next_state === 'free' && lease.ends !== null && lease.ends < now)) {
      const stale = index.findLeaseByIp(network, lease.ip);
      if (stale) index.deleteLease(stale);
      return;
    }
    const sameMac = index.findLeaseByMac(network, lease.mac);
    if (sameMac) index.deleteLease(sameMac);
    const sameIp = index.findLeaseByIp(network, lease.ip);
    if (sameIp) index.deleteLease(sameIp);
    index.addLease(lease);
  }

  /**
   * Adds a reservation right after dhcpd confirmed an OMAPI create (F4), so a GET sees the host
   * before dhcpd's leases file is read back; replaces the one with the same MAC in its subnet.
   */
  addReservation(reservation: Reservation): void {
    this.journal?.push({ op: 'add', reservation });
    this.putReservation(this.current, reservation);
  }

  /**
   * Removes a reservation right after dhcpd confirmed an OMAPI delete (F4): the one with the same
   * MAC in the record's subnet (that is what the delete addressed), else the given record itself.
   */
  removeReservation(reservation: Reservation): void {
    this.journal?.push({ op: 'remove', reservation });
    this.dropReservation(this.current, reservation);
  }

  /** An empty state with the same options, to load a full reload into off to the side. */
  spawnEmpty(): IscState {
    return new IscState(new SubnetIndex(), this.options);
  }

  /**
   * Starts a rebuild: writes applied from now on (F4) are remembered, so that `adopt` can replay
   * them on the rebuilt index if the files it was read from predate them.
   */
  beginRebuild(): void {
    this.journal = [];
  }

  /** Takes over a rebuilt state's index and replays the writes made meanwhile. */
  adopt(rebuilt: IscState): void {
    const journal = this.journal ?? [];
    this.journal = null;
    this.current = rebuilt.current;
    for (const { op, reservation } of journal) {
      // Re-attach to the rebuilt index's subnet object; drop it if that subnet is gone.
      const subnet = this.current.findSubnet(reservation.subnet.network);
      if (!subnet || subnet.network !== reservation.subnet.network) continue;
      const record = { ...reservation, subnet };
      if (op === 'add') this.putReservation(this.current, record);
      else this.dropReservation(this.current, record);
    }
  }

  /** Abandons a rebuild that failed; the current index stays. */
  abortRebuild(): void {
    this.journal = null;
  }

  clear(): void {
    this.current.clear();
  }

  private putReservation(index: SubnetIndex, reservation: Reservation): void {
    const dupe = index.findReservationByMac(reservation.subnet.network, reservation.mac);
    if (dupe) index.deleteReservation(dupe);
    index.addReservation(reservation);
  }

  private dropReservation(index: SubnetIndex, reservation: Reservation): void {
    const stored = index.findReservationByMac(reservation.subnet.network, reservation.mac);
    index.deleteReservation(stored ?? reservation);
  }

  private warn(message: string): void {
    this.options.warn?.(message);
  }
}
