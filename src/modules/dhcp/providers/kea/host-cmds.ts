/**
 * Reservations through Kea's host_cmds hook, where Kea can store them that way:
 * - Kea ≥ 2.7.7 (host_cmds open source, `operation-target`): in the JSON configuration
 *   (`operation-target: "primary"`), made permanent with `config-write`;
 * - any version with a `hosts-database(s)`: in the database (the commands' default target).
 * Kea 2.2's paid host_cmds without a hosts database cannot store a reservation at all, so the
 * configuration is edited instead (config-writer.ts). Debian 12's Kea 2.2 has no host_cmds.
 */
import { PersistError } from './config-writer';
import { KeaClient, KeaCommandError } from './kea-client';
import { asArray, isObject, Json } from './kea-config';

/** host_cmds can edit the configuration's reservations (operation-target) from this version on. */
const CONFIG_TARGET_SINCE = [2, 7, 7];

/** Hosts asked for per reservation-get-page call. */
const PAGE_SIZE = 500;

/** How reservations are written, decided from list-commands, the version and the configuration. */
export interface KeaWriteMode {
  hostCmds: boolean;
  /** operation-target for host_cmds writes: 'primary' = the JSON configuration (then config-write). */
  target?: 'primary';
  /** reservation-get-page is there (reads in pages instead of one reservation-get-all). */
  paged?: boolean;
  version: string;
}

export function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split(/[.-]/).map((p) => parseInt(p, 10));
  for (let i = 0; i < min.length; i++) {
    const v = Number.isFinite(parts[i]) ? parts[i] : 0;
    if (v !== min[i]) return v > min[i];
  }
  return true;
}

export function decideWriteMode(commands: string[], version: string, hostsDatabase: boolean): KeaWriteMode {
  const hasHostCmds = commands.includes('reservation-add') && commands.includes('reservation-del');
  const paged = commands.includes('reservation-get-page');
  if (hasHostCmds && hostsDatabase) return { hostCmds: true, paged, version };
  if (hasHostCmds && versionAtLeast(version, CONFIG_TARGET_SINCE)) return { hostCmds: true, target: 'primary', paged, version };
  // Kea < 2.7.7's host_cmds writes only to a hosts database: edit the configuration instead.
  return { hostCmds: false, version };
}

/** Adds a reservation; resolves once Kea stored it (and wrote its configuration, if there). */
export async function hostCmdsAdd(client: KeaClient, mode: KeaWriteMode, subnetId: number, entry: Json): Promise<void> {
  const args: Json = { reservation: { ...entry, 'subnet-id': subnetId } };
  if (mode.target) args['operation-target'] = mode.target;
  await client.command('reservation-add', args);
  if (mode.target === 'primary') await persist(client);
}

/** Deletes the subnet's reservation for `mac`; one that is already gone is not an error. */
export async function hostCmdsDelete(client: KeaClient, mode: KeaWriteMode, subnetId: number, mac: string): Promise<void> {
  const args: Json = { 'subnet-id': subnetId, 'identifier-type': 'hw-address', identifier: mac };
  if (mode.target) args['operation-target'] = mode.target;
  try {
    await client.command('reservation-del', args);
  } catch (e) {
    if (!(e instanceof KeaCommandError && /not found|not deleted/i.test(e.message))) throw e;
  }
  if (mode.target === 'primary') await persist(client);
}

/** The change is live in Kea's memory; config-write makes it permanent (500 if that fails). */
async function persist(client: KeaClient): Promise<void> {
  try {
    await client.command('config-write');
  } catch (e) {
    throw new PersistError(e);
  }
}

/** Every reservation of a subnet (configuration and database), in pages when Kea can. */
export async function hostCmdsList(client: KeaClient, mode: KeaWriteMode, subnetId: number): Promise<Json[]> {
  if (!mode.paged) {
    const answer = await client.command<{ hosts?: unknown }>('reservation-get-all', { 'subnet-id': subnetId });
    return asArray(answer.arguments?.hosts).filter(isObject);
  }
  const hosts: Json[] = [];
  let next: Json = {};
  for (;;) {
    const answer = await client.command<{ hosts?: unknown; count?: number; next?: Json }>(
      'reservation-get-page', { 'subnet-id': subnetId, limit: PAGE_SIZE, ...next },
    );
    const page = asArray(answer.arguments?.hosts).filter(isObject);
    hosts.push(...page);
    const cursor = answer.arguments?.next;
    // Result 3 or an empty page: no more hosts.
    if (answer.result === 3 || page.length === 0 || !isObject(cursor)) return hosts;
    next = { 'source-index': cursor['source-index'], from: cursor.from };
  }
}
