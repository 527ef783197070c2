/**
 * DhcpProvider over Kea's command API (reference dhcp-backends.md §3):
 * - subnets, their options and the configured reservations from `config-get` (re-read when older
 *   than READ_TTL_MS; concurrent readers share one request);
 * - leases live from the lease_cmds hook (`lease4-get-all`, `lease4-get`, `lease4-get-by-hw-address`);
 * - writes with host_cmds (`reservation-add`/`-del`) where Kea can store the reservation that way,
 *   otherwise by editing the configuration through ConfigWriter (Kea 2.2 on Debian 12).
 * Errors carry the same texts as the ISC provider's for the same situations.
 */
import { log } from '../../../../core/log';
import { ResolveIpv4 } from '../../boot-options';
import { DhcpError, DhcpProvider, DhcpRecord, Lease, Reservation, Subnet } from '../../provider';
import { describeRecord } from '../../service';
import { SubnetIndex } from '../../subnet-index';
import { ConfigChangedError, ConfigWriter, PersistError } from './config-writer';
import { KeaClient, KeaCommandError, KeaError, KeaHttpError, KeaUnreachableError, KeaUnsupportedError } from './kea-client';
import { addReservationTo, asArray, isObject, Json, removeReservationFrom, sameMac, toReservation } from './kea-config';
import { leasesOf } from './kea-leases';
import { buildKeaReservation, UnwritableValueError } from './kea-reservation';
import { buildView, KeaView, reservationIndex } from './kea-view';
import { decideWriteMode, hostCmdsAdd, hostCmdsDelete, hostCmdsList, KeaWriteMode } from './host-cmds';

export { decideWriteMode, versionAtLeast } from './host-cmds';

/** How long a configuration read serves lookups before config-get is sent again. */
export const READ_TTL_MS = 2000;

export interface KeaProviderOptions {
  blacklistDurationSeconds?: number;
  resolve?: ResolveIpv4;
  /** config-write after each change (default true). */
  persist?: boolean;
}

export class KeaProvider implements DhcpProvider {
  readonly supportsVendorOptions = false;
  readonly blacklistDurationSeconds?: number;
  readonly writer: ConfigWriter;
  /** `raw`: the configuration is config-get's answer (not one this process built and set). */
  private view?: { at: number; value: KeaView; raw: boolean };
  private lastGood?: KeaView;
  private reading?: Promise<KeaView>;
  /** Bumped by every configuration this process sets: an older read must not replace it. */
  private generation = 0;
  private mode?: Promise<KeaWriteMode>;
  private readonly hostReservations = new Map<number, { at: number; value: Promise<SubnetIndex> }>();
  private readonly resolve?: ResolveIpv4;

  constructor(readonly client: KeaClient, opts: KeaProviderOptions = {}) {
    this.blacklistDurationSeconds = opts.blacklistDurationSeconds;
    this.resolve = opts.resolve;
    this.writer = new ConfigWriter({
      get: () => this.configGet(),
      recent: () => (this.view?.raw && Date.now() - this.view.at < READ_TTL_MS ? this.view.value.config : undefined),
      // Only Dhcp4: newer Kea adds members such as "hash" to config-get's answer.
      test: async (config) => void (await client.command('config-test', { Dhcp4: config.Dhcp4 })),
      set: async (config) => void (await client.command('config-set', { Dhcp4: config.Dhcp4 })),
      write: async () => void (await client.command('config-write')),
    }, {
      persist: opts.persist,
      applied: (config) => this.adopt(config),
    });
  }

  /** Checks at start-up that Kea answers and has lease_cmds; an unreachable Kea is only logged. */
  async probe(): Promise<void> {
    let commands: string[];
    try {
      commands = await this.commands();
    } catch (e) {
      if (e instanceof KeaUnreachableError) {
        log.warn(`Kea at ${this.client.url} does not answer yet (${e.message}); will retry on each request`);
        return;
      }
      throw new Error(`Kea at ${this.client.url}: ${(e as Error).message}`);
    }
    if (!commands.includes('lease4-get-all')) {
      throw new Error(`Kea's ${this.client.service} has no lease commands: load the lease_cmds hook (libdhcp_lease_cmds.so)`);
    }
    const mode = await this.writeMode();
    log.info(`Kea ${mode.version} at ${this.client.url}: reservations written ${mode.hostCmds ? 'with host_cmds' : 'by config-set and config-write'}`);
  }

  close(): void {
    this.client.close();
  }

  // ---- reads --------------------------------------------------------------------------------

  async subnets(): Promise<Subnet[]> {
    return (await this.currentView()).index.subnets();
  }

  async findSubnet(address: string): Promise<Subnet | undefined> {
    return (await this.currentView()).index.findSubnet(address);
  }

  async reservations(network: string): Promise<Reservation[]> {
    return (await this.reservationsIndex(network)).allReservations(network);
  }

  async findReservationsByIp(network: string, ip: string): Promise<Reservation[]> {
    return (await this.reservationsIndex(network)).findReservationsByIp(network, ip);
  }

  async findReservationByMac(network: string, mac: string): Promise<Reservation | undefined> {
    return (await this.reservationsIndex(network)).findReservationByMac(network, mac);
  }

  async leases(network: string): Promise<Lease[]> {
    const at = await this.subnetAt(network);
    if (!at) return [];
    const answer = await this.read(() => this.client.command<{ leases?: unknown }>('lease4-get-all', { subnets: [at.id] }));
    return leasesOf(answer.arguments?.leases, at.subnet, at.id);
  }

  async findLeaseByIp(network: string, ip: string): Promise<Lease | undefined> {
    const at = await this.subnetAt(network);
    if (!at) return undefined;
    const answer = await this.read(() => this.client.command<Json>('lease4-get', { 'ip-address': ip }));
    if (answer.result === 3 || !isObject(answer.arguments)) return undefined;
    return leasesOf([answer.arguments], at.subnet, at.id)[0];
  }

  async findLeaseByMac(network: string, mac: string): Promise<Lease | undefined> {
    const at = await this.subnetAt(network);
    if (!at) return undefined;
    const answer = await this.read(() => this.client.command<{ leases?: unknown }>('lease4-get-by-hw-address', { 'hw-address': mac }));
    const found = leasesOf(answer.arguments?.leases, at.subnet, at.id);
    // The most recent one, as the ISC provider's index keeps the last lease seen for a MAC.
    return found.sort((a, b) => (a.starts ?? 0) - (b.starts ?? 0)).pop();
  }

  // ---- writes -------------------------------------------------------------------------------

  async addReservation(record: Reservation): Promise<void> {
    const network = record.subnet.network;
    try {
      const entry = await buildKeaReservation(record, this.resolve);
      const id = await this.subnetId(network);
      const mode = await this.writeMode();
      if (mode.hostCmds) {
        this.hostReservations.delete(id);
        await hostCmdsAdd(this.client, mode, id, entry);
        this.hostReservations.delete(id);
      } else {
        await this.writer.submit((dhcp4) => addReservationTo(dhcp4, id, entry, network));
      }
    } catch (e) {
      throw this.writeFailure(`Failed to add DHCP reservation for ${describeRecord(record)}`, e);
    }
  }

  async deleteRecord(record: DhcpRecord): Promise<void> {
    const network = record.subnet.network;
    try {
      const id = await this.subnetId(network);
      const mode = await this.writeMode();
      if (mode.hostCmds) {
        this.hostReservations.delete(id);
        await hostCmdsDelete(this.client, mode, id, record.mac);
        this.hostReservations.delete(id);
      } else {
        await this.writer.submit((dhcp4) => removeReservationFrom(dhcp4, id, record.mac));
      }
    } catch (e) {
      throw this.writeFailure(`Failed to remove DHCP reservation for ${record.name} => ${describeRecord(record)}`, e);
    }
    await this.releaseLease(record);
  }

  /**
   * After a reservation is removed, its client's lease on that address is deleted too, so the
   * address can be reserved for another host at once and the client gets a pool address at its
   * next request (Kea otherwise keeps the lease until it expires). Failures are only logged.
   */
  private async releaseLease(record: DhcpRecord): Promise<void> {
    try {
      const answer = await this.client.command<Json>('lease4-get', { 'ip-address': record.ip });
      if (answer.result === 3 || !isObject(answer.arguments) || !sameMac(answer.arguments['hw-address'], record.mac)) return;
      await this.client.command('lease4-del', { 'ip-address': record.ip });
    } catch (e) {
      log.warn(`Could not delete the lease of ${record.ip} after removing its reservation: ${(e as Error).message}`);
    }
  }

  /** The baseline's "<action>: <reason>" texts; conflicts keep their 409. */
  private writeFailure(prefix: string, e: unknown): DhcpError {
    if (e instanceof DhcpError) {
      return e.kind === 'collision' ? e : new DhcpError(e.kind, `${prefix}: ${e.message}`, e.status);
    }
    if (e instanceof KeaUnreachableError) {
      log.error(`${prefix}: Kea at ${this.client.url} did not answer: ${e.message}`);
      return new DhcpError('server', `${prefix}: No response from DHCP server`);
    }
    if (e instanceof KeaUnsupportedError) this.mode = undefined;
    const status = e instanceof ConfigChangedError ? 503 : e instanceof PersistError ? 500 : undefined;
    const reason = e instanceof KeaHttpError ? `Kea answered ${e.message}` : e instanceof Error ? e.message : String(e);
    if (!(e instanceof UnwritableValueError || e instanceof KeaCommandError)) log.error(`${prefix}: ${reason}`);
    return new DhcpError('server', `${prefix}: ${reason}`, status);
  }

  // ---- the configuration view ---------------------------------------------------------------

  private async configGet(): Promise<Json> {
    const answer = await this.client.command<Json>('config-get');
    if (!isObject(answer.arguments) || !isObject(answer.arguments.Dhcp4)) {
      throw new KeaError(`config-get on ${this.client.service} returned no Dhcp4 configuration`);
    }
    return answer.arguments;
  }

  /** A configuration this process just set becomes the view at once (F4's spirit). */
  private adopt(config: Json): void {
    this.generation += 1;
    try {
      const value = buildView(config);
      this.view = { at: Date.now(), value, raw: false };
      this.lastGood = value;
    } catch (e) {
      this.view = undefined;
      log.warn(`Kea configuration view not updated after a write: ${(e as Error).message}`);
    }
  }

  private async currentView(): Promise<KeaView> {
    if (this.view && Date.now() - this.view.at < READ_TTL_MS) return this.view.value;
    if (!this.reading) {
      const generation = this.generation;
      this.reading = (async () => {
        try {
          const value = buildView(await this.configGet());
          // A write adopted meanwhile is newer than this answer may be.
          if (generation !== this.generation && this.view) return this.view.value;
          this.view = { at: Date.now(), value, raw: true };
          this.lastGood = value;
          return value;
        } finally {
          this.reading = undefined;
        }
      })();
    }
    try {
      return await this.reading;
    } catch (e) {
      // Like the ISC provider reading its files while dhcpd is down: lookups keep working on the
      // last configuration seen; writes still fail with "No response from DHCP server".
      if (e instanceof KeaUnreachableError && this.lastGood) {
        log.warn(`Kea at ${this.client.url} does not answer (${e.message}); using the configuration read before`);
        return this.lastGood;
      }
      throw readFailure(e);
    }
  }

  /** The subnet whose network string is exactly `network`, with its Kea id (records are keyed so). */
  private async subnetAt(network: string): Promise<{ subnet: Subnet; id: number } | undefined> {
    const view = await this.currentView();
    const subnet = view.index.findSubnet(network);
    const id = view.subnetIds.get(network);
    if (!subnet || subnet.network !== network || id === undefined) return undefined;
    return { subnet, id };
  }

  private async subnetId(network: string): Promise<number> {
    const id = (await this.currentView()).subnetIds.get(network);
    if (id === undefined) throw new DhcpError('invalid', `Kea has no subnet ${network} with an id`);
    return id;
  }

  private async reservationsIndex(network: string): Promise<SubnetIndex> {
    const view = await this.currentView();
    const mode = await this.writeModeIfKnown();
    if (!mode?.hostCmds) return view.index;
    const at = await this.subnetAt(network);
    if (!at) return new SubnetIndex();
    const cached = this.hostReservations.get(at.id);
    if (cached && Date.now() - cached.at < READ_TTL_MS) return cached.value;
    const value = this.read(() => hostCmdsList(this.client, mode, at.id))
      .then((hosts) => reservationIndex(hosts
        .map((h) => toReservation(h, at.subnet))
        .filter((r): r is Reservation => r !== undefined)));
    this.hostReservations.set(at.id, { at: Date.now(), value });
    value.catch(() => this.hostReservations.delete(at.id));
    return value;
  }

  /** The write mode when it can be learned (Kea answering); undefined means "config reservations". */
  private async writeModeIfKnown(): Promise<KeaWriteMode | undefined> {
    try {
      return await this.writeMode();
    } catch {
      return undefined;
    }
  }

  private async commands(): Promise<string[]> {
    const answer = await this.client.command<unknown>('list-commands');
    return asArray(answer.arguments).filter((c): c is string => typeof c === 'string');
  }

  private writeMode(): Promise<KeaWriteMode> {
    if (!this.mode) {
      this.mode = (async () => {
        const [commands, version, view] = await Promise.all([
          this.commands(),
          this.client.command('version-get').then((a) => a.text),
          this.currentView(),
        ]);
        return decideWriteMode(commands, version, view.hostsDatabase);
      })();
      this.mode.catch(() => (this.mode = undefined));
    }
    return this.mode;
  }

  /** Runs a read command; "unsupported" means the hook is missing, which deserves a clear text. */
  private async read<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw readFailure(e);
    }
  }
}

function readFailure(e: unknown): Error {
  if (e instanceof DhcpError) return e;
  if (e instanceof KeaUnsupportedError) {
    return new DhcpError('server', `Kea does not know ${e.command}: load the ${e.command.startsWith('lease') ? 'lease_cmds' : 'host_cmds'} hook library`);
  }
  if (e instanceof KeaUnreachableError) return new DhcpError('server', `No response from DHCP server (Kea: ${e.message})`);
  if (e instanceof KeaHttpError) return new DhcpError('server', `Kea answered ${e.message}`);
  return new DhcpError('server', `Kea: ${e instanceof Error ? e.message : String(e)}`);
}
