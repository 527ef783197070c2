/**
 * dhcp_isc settings that only show at run time, taken the way an operator sets them: the real
 * dhcp module and dhcp_isc provider started by the registry from settings, requests through the
 * HTTP stack, OMAPI to a scripted server on loopback.
 * - `blacklist_duration_minutes` (read as seconds, as the baseline) is how long unused_ip keeps an
 *   offered address marked;
 * - `key_algorithm` (this project's addition) is the HMAC that signs every OMAPI message.
 * The same key_algorithm path against a real dhcpd: test/integration/dhcp/isc-provider.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import request from 'supertest';
import { buildRequestListener } from '../../../src/core/http';
import { logBuffer } from '../../../src/core/log';
import { ModuleRegistry } from '../../../src/core/registry';
import { globalSettingsFrom, Settings } from '../../../src/core/settings';
import { createDhcpModule } from '../../../src/modules/dhcp';
import { LocalOfferedAddresses } from '../../../src/modules/dhcp/offered-addresses';
import { iscProvider } from '../../../src/modules/dhcp/providers/isc';
import { OmapiSigner } from '../../../src/modules/dhcp/providers/isc/omapi/auth';
import { OmapiOp, type OmapiMessage } from '../../../src/modules/dhcp/providers/isc/omapi/codec';
import { textBody } from '../../support/dhcp-app';
import { fakeOmapiServer, FakeOmapiServer, hostUpdate } from '../../support/omapi-fake-server';

const NET = '192.0.2.0';
const SECRET = Buffer.from('a shared secret of the test key').toString('base64');

/** Remembers how long each claimed mark was to last. */
class RecordingStore extends LocalOfferedAddresses {
  readonly ttlsMs: number[] = [];
  override async claim(ip: string, now: number, expiresAt: number): Promise<boolean> {
    this.ttlsMs.push(expiresAt - now);
    return super.claim(ip, now, expiresAt);
  }
}

const valueOf = (m: OmapiMessage, part: 'message' | 'object', name: string) => m[part].find(([n]) => n === name)?.[1].toString();
const isAuthenticatorOpen = (m: OmapiMessage) => m.op === OmapiOp.Open && valueOf(m, 'message', 'type') === 'authenticator';

/** A dhcpd stand-in: accepts the authenticator, then answers every signed request with a host, signed by `signer`. */
function omapiServer(signer: OmapiSigner): Promise<FakeOmapiServer> {
  return fakeOmapiServer((req) => (isAuthenticatorOpen(req) ? { ...hostUpdate(1, 'omapi_key'), object: [] } : { ...hostUpdate(5, 'h'), authId: 1 }), { signer });
}

let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isc-settings-'));
  fs.writeFileSync(path.join(dir, 'dhcpd.conf'), `subnet ${NET} netmask 255.255.255.0 {}\n`);
  fs.writeFileSync(path.join(dir, 'dhcpd.leases'), '');
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts dhcp + dhcp_isc from settings files' contents; `iscSettings` is dhcp_isc.yml. */
async function start(iscSettings: Settings) {
  const store = new RecordingStore();
  const global = globalSettingsFrom({ http_port: 8000, log_file: '/dev/null' }, dir);
  const registry = new ModuleRegistry([createDhcpModule({ offeredStore: () => store })], [iscProvider], { global, httpsConfigured: false });
  const files: Record<string, Settings> = {
    dhcp: { enabled: true, use_provider: 'dhcp_isc', server: '127.0.0.1', ping_free_ip: false },
    dhcp_isc: { config: path.join(dir, 'dhcpd.conf'), leases: path.join(dir, 'dhcpd.leases'), ...iscSettings },
  };
  await registry.initialize((name) => files[name]);
  cleanups.push(() => registry.stop());
  const dhcp = registry.modules.find((m) => m.decl.name === 'dhcp')!;
  return { store, dhcp, listener: buildRequestListener(registry, 'http', global) };
}

describe('blacklist_duration_minutes (dhcp_isc.yml)', () => {
  it.each([
    [{ blacklist_duration_minutes: 90 }, 90_000],
    [{ blacklist_duration_minutes: '600' }, 600_000], // settings files may give it as a string
    [{}, 1_800_000], // the default, 1800, is 30 minutes because it is read as seconds
  ])('%j: an address unused_ip offers stays marked %i ms', async (settings, ttlMs) => {
    const { store, listener } = await start({ omapi_port: 7911, ...settings });
    const res = await request(listener).get(`/dhcp/${NET}/unused_ip?from=192.0.2.10&to=192.0.2.11`).buffer(true).parse(textBody);
    expect(res.status).toBe(200);
    const { ip } = JSON.parse(res.body);
    expect(['192.0.2.10', '192.0.2.11']).toContain(ip);
    expect(store.ttlsMs).toEqual([ttlMs]);
    expect(await store.isOffered(ip, Date.now() + ttlMs - 1000)).toBe(true);
    expect(await store.isOffered(ip, Date.now() + ttlMs + 1000)).toBe(false);
  });

  it('a value that is not a number fails the module with the reason', async () => {
    const { dhcp } = await start({ blacklist_duration_minutes: 'half an hour' });
    expect(dhcp.state).toBe('failed');
    expect(logBuffer().failedModules.dhcp).toMatch(/Setting 'blacklist_duration_minutes' must be a number, got 'half an hour'/);
  });
});

describe('key_algorithm (dhcp_isc.yml)', () => {
  it.each([
    ['hmac-sha256', 'hmac-sha256', 32],
    ['HMAC-SHA512', 'hmac-sha512', 64],
    [undefined, 'hmac-md5', 16], // the default: the baseline's omshell signed with HMAC-MD5 only
  ])('%s: the authenticator names %s and every request is signed with it', async (setting, algorithm, length) => {
    const signer = new OmapiSigner(algorithm, SECRET);
    const server = await omapiServer(signer);
    cleanups.push(() => server.close());
    const { listener } = await start({
      omapi_port: server.port, key_name: 'omapi_key', key_secret: SECRET, ...(setting ? { key_algorithm: setting } : {}),
    });
    const res = await request(listener).post(`/dhcp/${NET}`).type('form').buffer(true).parse(textBody)
      .send({ hostname: 'h.example.com', name: 'h.example.com', ip: '192.0.2.20', mac: '52:54:00:aa:00:01', network: NET });
    expect([res.status, res.body]).toEqual([200, '']);

    const [auth, create] = server.received;
    expect(isAuthenticatorOpen(auth)).toBe(true);
    expect([valueOf(auth, 'object', 'name'), valueOf(auth, 'object', 'algorithm')]).toEqual(['omapi_key', `${algorithm}.SIG-ALG.REG.INT.`]);
    expect([create.op, valueOf(create, 'object', 'name'), create.authId, create.signature.length]).toEqual([OmapiOp.Open, 'h.example.com', 1, length]);
    expect(signer.verify(server.signed[1], create.signature)).toBe(true);
  });

  it('an algorithm dhcpd does not know fails the module with the list of supported ones', async () => {
    const { dhcp } = await start({ key_algorithm: 'hmac-sha3' });
    expect(dhcp.state).toBe('failed');
    expect(logBuffer().failedModules.dhcp).toMatch(/Unsupported OMAPI key algorithm "hmac-sha3" \(supported: hmac-md5, hmac-sha1,/);
  });
});
