/**
 * The whole DHCP API with the dhcp_isc provider, through the real core, against a real ISC dhcpd
 * 4.4.3 in its own network namespace (OMAPI with a TSIG key), then a real dhclient in a second
 * namespace: create (as Foreman posts it), read back at once (F4) and after dhcpd wrote its
 * leases file, re-POST (F3), collisions, deletes (F11), 6- and 20-byte and upper-case MACs (F12),
 * unsafe values (F13), host names with `_`, an unreachable dhcpd, a wrong key, an HMAC-SHA256 key set by
 * key_algorithm (a second dhcpd), unused_ip, a dhcpd restart.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OmapiClient } from '../../../src/modules/dhcp/providers/isc/omapi/client';
import type { IscDhcpProvider } from '../../../src/modules/dhcp/providers/isc/provider';
import { runDhclient } from '../../support/dhclient';
import { DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { randomTestLan } from '../../support/netns';
import { omapiClientFor } from '../../support/omapi';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { rawRequest, RawResponse } from '../../support/raw-http';

jest.setTimeout(180_000);

const FOREMAN_HEADERS = { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' };

/** Form body as rest-client encodes Foreman's attributes; a null value is a bare key. */
function form(fields: [string, string | null][]): string {
  return fields.map(([k, v]) => (v === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
}

interface Api {
  get(p: string): Promise<RawResponse>;
  post(p: string, fields: [string, string | null][]): Promise<RawResponse>;
  del(p: string): Promise<RawResponse>;
}

function api(base: string): Api {
  return {
    get: (p) => rawRequest(base, p, { headers: { Accept: 'application/json' } }),
    post: (p, fields) => rawRequest(base, p, { method: 'POST', headers: FOREMAN_HEADERS, body: form(fields) }),
    del: (p) => rawRequest(base, p, { method: 'DELETE', headers: { Accept: 'application/json' } }),
  };
}

const text = (r: RawResponse) => r.body.toString();
const json = (r: RawResponse) => JSON.parse(text(r));

/** The ERROR lines GET /logs shows for a write whose key was refused (`failed`: the 400 body). */
async function keyRefusals(a: Api, failed: string): Promise<string[]> {
  const logged = json(await a.get('/logs')).logs as { level: string; message: string }[];
  return logged.filter((e) => e.level === 'ERROR' && e.message.startsWith(`${failed}: OMAPI key refused by the DHCP server: `)).map((e) => e.message);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dhcp_isc against a real dhcpd 4.4.3, through the API', () => {
  let dhcpd: DhcpdInstance;
  let tp: TestProxy;
  let http: Api;
  let omapi: OmapiClient;
  let provider: IscDhcpProvider;
  const others: TestProxy[] = [];
  const otherDhcpds: DhcpdInstance[] = [];
  const otherClients: OmapiClient[] = [];
  const dirs: string[] = [];
  const lan = randomTestLan();
  const net = lan.network;
  const ip = lan.ip;
  const HIDDEN_MAC = '52:54:00:cc:00:01';
  const HIDDEN_MAC20 = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:cc:00:01';

  /** Foreman's create payload for a single-NIC host; `extra` replaces or adds fields. */
  const host = (name: string, addr: string, mac: string, extra: [string, string | null][] = []): [string, string | null][] => {
    const fields = new Map<string, string | null>([
      ['hostname', name], ['mac', mac], ['ip', addr], ['network', net], ['nextServer', ip(1)], ['filename', 'pxelinux.0'],
      ['name', name], ['related_macs', null],
    ]);
    for (const [k, v] of extra) fields.set(k, v);
    return [...fields];
  };

  /** dhcp.yml and dhcp_isc.yml for a proxy in front of `d` (the shared dhcpd unless told). */
  const dhcpSettings = (overrides: Record<string, unknown> = {}, files = { config: '', leases: '' }, d: DhcpdInstance = dhcpd) => ({
    dhcp: { enabled: true, use_provider: 'dhcp_isc', server: d.omapiHost, ping_free_ip: false },
    dhcp_isc: {
      config: files.config || d.confFile,
      leases: files.leases || d.leasesFile,
      omapi_port: d.omapiPort,
      key_name: d.key!.name,
      key_secret: d.key!.secret,
      ...overrides,
    },
  });

  async function startProxy(settings: ReturnType<typeof dhcpSettings>): Promise<TestProxy> {
    const p = await startTestProxy({ http_port: 'auto' }, settings);
    const dhcp = p.proxy.registry.modules.find((m) => m.decl.name === 'dhcp')!;
    if (dhcp.state !== 'running') throw new Error(`the dhcp module did not start: ${dhcp.state}`);
    return p;
  }

  const providerOf = (p: TestProxy) =>
    p.proxy.registry.modules.find((m) => m.decl.name === 'dhcp')!.providers[0].started!.instance as IscDhcpProvider;

  beforeAll(async () => {
    dhcpd = await startDhcpd({
      subnet: lan.cidr,
      serverIp: ip(1),
      subnetExtra: `range ${ip(100)} ${ip(150)};\n  option routers ${ip(1)};`,
      // Hosts the proxy cannot index (no fixed-address) but dhcpd knows by name and MAC.
      confExtra: `host hidden-host { hardware ethernet ${HIDDEN_MAC}; }\nhost hidden-ib { hardware ethernet ${HIDDEN_MAC20}; }`,
      prefix: 'iscprov',
    });
    tp = await startProxy(dhcpSettings());
    http = api(tp.http!);
    provider = providerOf(tp);
    omapi = omapiClientFor(dhcpd);
  });

  afterAll(async () => {
    for (const p of others) await p.stop().catch(() => undefined);
    await tp?.stop().catch(() => undefined);
    for (const c of [omapi, ...otherClients]) await c?.close().catch(() => undefined);
    for (const d of otherDhcpds) await d.stop();
    await dhcpd?.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('reports the subnet from dhcpd.conf and the provider capabilities', async () => {
    expect(json(await http.get('/dhcp'))).toEqual([
      { network: net, netmask: '255.255.255.0', options: { routers: [ip(1)], range: [ip(100), ip(150)] } },
    ]);
    const v2 = json(await http.get('/v2/features'));
    expect(v2.dhcp).toMatchObject({ state: 'running', settings: { use_provider: 'dhcp_isc' }, capabilities: ['dhcp_filename_hostname', 'dhcp_filename_ipv4'] });
  });

  it('create, read back at once (F4) and again from the leases file dhcpd wrote; re-POST is a no-op (F3)', async () => {
    const mac = '52:54:00:aa:00:10';
    const created = await http.post(`/dhcp/${net}`, host('alpha.example.test', ip(10), mac));
    expect([created.status, text(created), created.headers['content-type']]).toEqual([200, '', 'application/json']);
    const expected = {
      name: 'alpha.example.test', ip: ip(10), mac, subnet: `${net}/255.255.255.0`, type: 'reservation',
      deleteable: true, hostname: 'alpha.example.test', hardware_type: 'ethernet', filename: 'pxelinux.0', nextServer: ip(1),
    };
    expect(json(await http.get(`/dhcp/${net}/mac/${mac}`))).toEqual(expected);
    expect(json(await http.get(`/dhcp/${net}/ip/${ip(10)}`))).toEqual([expected]);
    expect(await omapi.lookupHost({ mac })).toMatchObject({ name: 'alpha.example.test', ip: ip(10), mac });

    // dhcpd appended the host to its leases file before answering; the follower reads it back.
    expect(fs.readFileSync(dhcpd.leasesFile, 'utf8')).toContain('host alpha.example.test {');
    await provider.follower!.settled();
    expect(json(await http.get(`/dhcp/${net}/mac/${mac}`))).toEqual(expected);

    const again = await http.post(`/dhcp/${net}`, host('alpha.example.test', ip(10), mac));
    expect([again.status, text(again)]).toEqual([200, '']);
    const upper = await http.post(`/dhcp/${net}`, host('alpha.example.test', ip(10), mac.toUpperCase()));
    expect([upper.status, text(upper)]).toEqual([200, '']); // F12
    expect(json(await http.get(`/dhcp/${net}/mac/${mac.toUpperCase()}`)).ip).toBe(ip(10));
  });

  it('collisions: 409 from the proxy (same IP or same MAC) and from dhcpd (MAC of a host the proxy cannot see)', async () => {
    const sameIp = await http.post(`/dhcp/${net}`, host('other.example.test', ip(10), '52:54:00:aa:00:11'));
    expect([sameIp.status, text(sameIp)]).toEqual([409, `Record ${net}/${ip(10)} already exists`]);
    const sameMac = await http.post(`/dhcp/${net}`, host('other.example.test', ip(11), '52:54:00:aa:00:10'));
    expect([sameMac.status, text(sameMac)]).toEqual([409, `Record ${net}/${ip(11)} already exists`]);
    const hidden = await http.post(`/dhcp/${net}`, host('seen.example.test', ip(12), HIDDEN_MAC));
    expect([hidden.status, text(hidden)]).toEqual([409, 'Hardware address conflict.']);
    const name = await http.post(`/dhcp/${net}`, host('hidden-host', ip(13), '52:54:00:aa:00:13'));
    expect([name.status, text(name)]).toEqual([400,
      `Failed to add DHCP reservation for hidden-host (${ip(13)} / 52:54:00:aa:00:13): Entry already exists`]);
    for (const [mac, addr] of [[HIDDEN_MAC, ip(12)], ['52:54:00:aa:00:13', ip(13)]]) {
      expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
      expect((await http.get(`/dhcp/${net}/ip/${addr}`)).status).toBe(404);
    }
  });

  it('delete by MAC (any case) and by IP; a bond shares one IP and both go (F11)', async () => {
    const mac = '52:54:00:aa:00:20';
    expect((await http.post(`/dhcp/${net}`, host('beta.example.test', ip(20), mac))).status).toBe(200);
    const del = await http.del(`/dhcp/${net}/mac/${mac.toUpperCase()}`);
    expect([del.status, text(del), del.headers['content-type']]).toEqual([200, '', 'text/html;charset=utf-8']);
    expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
    expect(await omapi.lookupHost({ mac })).toBeNull();

    const [a, b] = ['52:54:00:aa:00:21', '52:54:00:aa:00:22'];
    for (const [suffix, mine, other] of [['01', a, b], ['02', b, a]]) {
      const r = await http.post(`/dhcp/${net}`, [
        ['hostname', 'bond.example.test'], ['mac', mine], ['ip', ip(21)], ['network', net], ['name', `bond.example.test-${suffix}`],
        ['related_macs[]', other],
      ]);
      expect([r.status, text(r)]).toEqual([200, '']);
    }
    expect(json(await http.get(`/dhcp/${net}/ip/${ip(21)}`)).map((r: { mac: string }) => r.mac)).toEqual([a, b]);
    const delIp = await http.del(`/dhcp/${net}/ip/${ip(21)}`);
    expect([delIp.status, text(delIp)]).toEqual([200, '']);
    expect((await http.get(`/dhcp/${net}/ip/${ip(21)}`)).status).toBe(404);
    expect(await omapi.lookupHost({ mac: a })).toBeNull();
    expect(await omapi.lookupHost({ mac: b })).toBeNull();
    await provider.follower!.settled();
    expect((await http.get(`/dhcp/${net}/ip/${ip(21)}`)).status).toBe(404);
  });

  it('a 20-byte hardware address: create, read back, re-POST (200), collide (409), delete by MAC and by IP', async () => {
    const mac = '80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:aa:bb:cc';
    const created = await http.post(`/dhcp/${net}`, host('ib.example.test', ip(30), mac));
    expect([created.status, text(created)]).toEqual([200, '']);
    const expected = {
      name: 'ib.example.test', ip: ip(30), mac, subnet: `${net}/255.255.255.0`, type: 'reservation',
      deleteable: true, hostname: 'ib.example.test', hardware_type: 'ethernet', filename: 'pxelinux.0', nextServer: ip(1),
    };
    expect(json(await http.get(`/dhcp/${net}/mac/${mac}`))).toEqual(expected);
    expect(await omapi.lookupHost({ mac })).toMatchObject({ name: 'ib.example.test', ip: ip(30), mac });
    await provider.follower!.settled();
    expect(json(await http.get(`/dhcp/${net}/ip/${ip(30)}`))).toEqual([expected]);

    for (const m of [mac, mac.toUpperCase()]) {
      const again = await http.post(`/dhcp/${net}`, host('ib.example.test', ip(30), m));
      expect([again.status, text(again)]).toEqual([200, '']); // F3, F12
    }
    const sameIp = await http.post(`/dhcp/${net}`, host('ib2.example.test', ip(30), mac.replace(/cc$/, 'cd')));
    expect([sameIp.status, text(sameIp)]).toEqual([409, `Record ${net}/${ip(30)} already exists`]);
    const sameMac = await http.post(`/dhcp/${net}`, host('ib2.example.test', ip(31), mac));
    expect([sameMac.status, text(sameMac)]).toEqual([409, `Record ${net}/${ip(31)} already exists`]);
    const hidden = await http.post(`/dhcp/${net}`, host('seen-ib.example.test', ip(32), HIDDEN_MAC20));
    expect([hidden.status, text(hidden)]).toEqual([409, 'Hardware address conflict.']);
    for (const addr of [ip(31), ip(32)]) expect((await http.get(`/dhcp/${net}/ip/${addr}`)).status).toBe(404);

    const byMac = await http.del(`/dhcp/${net}/mac/${mac.toUpperCase()}`);
    expect([byMac.status, text(byMac)]).toEqual([200, '']);
    expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
    expect(await omapi.lookupHost({ mac })).toBeNull();

    expect((await http.post(`/dhcp/${net}`, host('ib.example.test', ip(33), mac))).status).toBe(200);
    expect(await omapi.lookupHost({ mac })).toMatchObject({ ip: ip(33) });
    const byIp = await http.del(`/dhcp/${net}/ip/${ip(33)}`);
    expect([byIp.status, text(byIp)]).toEqual([200, '']);
    expect((await http.get(`/dhcp/${net}/ip/${ip(33)}`)).status).toBe(404);
    expect(await omapi.lookupHost({ mac })).toBeNull();
    await provider.follower!.settled();
    expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
  });

  it('a name with `_`, as dhcpd writes it: still listed after a full reload, re-POST 200, DELETE removes it', async () => {
    const name = 'under_score.example.test';
    const mac = '52:54:00:aa:00:35';
    expect((await http.post(`/dhcp/${net}`, host(name, ip(35), mac))).status).toBe(200);
    // Unquoted, `_` and all; dhcpd reads that back itself at its next start.
    expect(fs.readFileSync(dhcpd.leasesFile, 'utf8')).toContain(`host ${name} {\n  dynamic;\n  hardware ethernet ${mac};`);

    const loads = provider.follower!.stats.fullLoads;
    await dhcpd.restart(); // dhcpd rewrites its leases file: the proxy rebuilds its view from the files alone
    await waitFor('the full reload of the rewritten leases file', async () => provider.follower!.stats.fullLoads > loads);
    await provider.follower!.settled();
    expect(json(await http.get(`/dhcp/${net}/mac/${mac}`))).toMatchObject({ name, ip: ip(35), mac, deleteable: true });
    expect(await omapi.lookupHost({ name })).toMatchObject({ ip: ip(35), mac });

    const again = await http.post(`/dhcp/${net}`, host(name, ip(35), mac));
    expect([again.status, text(again)]).toEqual([200, '']);
    const del = await http.del(`/dhcp/${net}/mac/${mac}`);
    expect([del.status, text(del)]).toEqual([200, '']);
    expect(await omapi.lookupHost({ mac })).toBeNull();
    await provider.follower!.settled();
    expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
  });

  it('a name dhcpd could not read back at its next start is refused with a clear 400 (F13)', async () => {
    const mac = '52:54:00:aa:00:36';
    const r = await http.post(`/dhcp/${net}`, host('_lead.example.test', ip(36), mac));
    expect([r.status, text(r)]).toEqual([400, 'Invalid host name "_lead.example.test": dhcpd can only store names of letters, '
      + "digits, '.', '-' and '_' whose dot-separated labels are not empty, do not start with '_' and have at most 1499 characters"]);
    expect(await omapi.lookupHost({ mac })).toBeNull();
    expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
  });

  it('a value dhcpd cannot store is refused with a clear 400, and nothing is created (F13)', async () => {
    const mac = '52:54:00:aa:00:40';
    const r = await http.post(`/dhcp/${net}`, host('quote.example.test', ip(40), mac, [['filename', 'pxe"linux.0']]));
    expect(r.status).toBe(400);
    expect(text(r)).toBe('Invalid filename "pxe"linux.0": dhcpd cannot store a double quote, backslash, control or non-ASCII character');
    expect((await http.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
    expect(await omapi.lookupHost({ mac })).toBeNull();
  });

  it('unused_ip never offers a reserved address', async () => {
    for (const [n, mac] of [[60, '52:54:00:aa:00:60'], [61, '52:54:00:aa:00:61']] as const) {
      expect((await http.post(`/dhcp/${net}`, host(`u${n}.example.test`, ip(n), mac))).status).toBe(200);
    }
    const q = `/dhcp/${net}/unused_ip?from=${ip(60)}&to=${ip(62)}`;
    expect(json(await http.get(q))).toEqual({ ip: ip(62) });
    expect(json(await http.get(q))).toEqual({ ip: null });
    expect(json(await http.get(`/dhcp/${net}/unused_ip?mac=52:54:00:AA:00:61`))).toEqual({ ip: ip(61) });
  });

  it('dhcpd unreachable: the baseline 400 text, nothing changes', async () => {
    const down = await startProxy(dhcpSettings({ omapi_port: 7999 }));
    others.push(down);
    const d = api(down.http!);
    const mac = '52:54:00:aa:00:70';
    const r = await d.post(`/dhcp/${net}`, host('down.example.test', ip(70), mac));
    expect([r.status, text(r)]).toEqual([400,
      `Failed to add DHCP reservation for down.example.test (${ip(70)} / ${mac}): No response from DHCP server`]);
    expect((await d.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
    const del = await d.del(`/dhcp/${net}/mac/52:54:00:aa:00:10`);
    expect([del.status, text(del)]).toEqual([400, `Failed to remove DHCP reservation for alpha.example.test => alpha.example.test (${ip(10)} / 52:54:00:aa:00:10): No response from DHCP server`]);
    expect((await d.get(`/dhcp/${net}/mac/52:54:00:aa:00:10`)).status).toBe(200);
    expect(await omapi.lookupHost({ mac })).toBeNull();
  });

  it('a wrong key: the baseline 400 text, the reason in an ERROR line of GET /logs, nothing changes', async () => {
    const wrong = await startProxy(dhcpSettings({ key_secret: Buffer.from('not the secret').toString('base64') }));
    others.push(wrong);
    const w = api(wrong.http!);
    const mac = '52:54:00:aa:00:71';
    const r = await w.post(`/dhcp/${net}`, host('key.example.test', ip(71), mac));
    const failed = `Failed to add DHCP reservation for key.example.test (${ip(71)} / ${mac})`;
    expect([r.status, text(r)]).toEqual([400, failed]);
    expect(await keyRefusals(w, failed)).toEqual([expect.stringMatching(/: message signature refused by the server \(wrong key secret\?\)$/)]);
    expect((await w.get(`/dhcp/${net}/mac/${mac}`)).status).toBe(404);
    expect(await omapi.lookupHost({ mac })).toBeNull();
    const del = await w.del(`/dhcp/${net}/mac/52:54:00:aa:00:10`);
    expect([del.status, text(del)]).toEqual([400,
      `Failed to remove DHCP reservation for alpha.example.test => alpha.example.test (${ip(10)} / 52:54:00:aa:00:10)`]);
    expect(await omapi.lookupHost({ mac: '52:54:00:aa:00:10' })).toMatchObject({ ip: ip(10) });
  });

  it('key_algorithm hmac-sha256 in dhcp_isc.yml against a dhcpd with a SHA-256 key: create, read, delete; as MD5 or under an unknown name it is refused', async () => {
    const shaLan = randomTestLan();
    const sha = await startDhcpd({ subnet: shaLan.cidr, serverIp: shaLan.ip(1), key: { algorithm: 'hmac-sha256' }, prefix: 'iscsha' });
    otherDhcpds.push(sha);
    const check = omapiClientFor(sha);
    otherClients.push(check);
    const good = await startProxy(dhcpSettings({ key_algorithm: 'hmac-sha256' }, undefined, sha));
    others.push(good);
    const g = api(good.http!);
    const [name, addr, mac] = ['sha2.example.test', shaLan.ip(40), '52:54:00:aa:00:90'];
    const fields: [string, string][] = [['hostname', name], ['mac', mac], ['ip', addr], ['network', shaLan.network], ['name', name]];
    const r = await g.post(`/dhcp/${shaLan.network}`, fields);
    expect([r.status, text(r)]).toEqual([200, '']);
    expect(json(await g.get(`/dhcp/${shaLan.network}/mac/${mac}`))).toMatchObject({ name, ip: addr, mac });
    expect(await check.lookupHost({ mac })).toMatchObject({ name, ip: addr });
    expect(fs.readFileSync(sha.leasesFile, 'utf8')).toContain(`host ${name} {`);
    const del = await g.del(`/dhcp/${shaLan.network}/mac/${mac}`);
    expect([del.status, text(del)]).toEqual([200, '']);
    expect(await check.lookupHost({ mac })).toBeNull();

    // Without key_algorithm the key is used as HMAC-MD5 (the baseline's only algorithm), and a key
    // name dhcpd does not have: dhcpd finds no such key, so the proxy answers the baseline's text.
    for (const [overrides, keyDesc] of [[{}, '"omapi_key" (hmac-md5)'], [{ key_name: 'no_such_key', key_algorithm: 'hmac-sha256' }, '"no_such_key" (hmac-sha256)']] as const) {
      const refusing = await startProxy(dhcpSettings(overrides, undefined, sha));
      others.push(refusing);
      const w = api(refusing.http!);
      const refused = await w.post(`/dhcp/${shaLan.network}`, fields);
      const failed = `Failed to add DHCP reservation for ${name} (${addr} / ${mac})`;
      expect([refused.status, text(refused)]).toEqual([400, failed]);
      expect(await keyRefusals(w, failed)).toEqual([expect.stringContaining(`refused key ${keyDesc}: not found (no object matches specification)`)]);
    }
    expect(await check.lookupHost({ mac })).toBeNull();
  });

  it('F4 without the follower: a proxy reading a copy of the files still shows its own writes at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iscprov-copy-'));
    dirs.push(dir);
    const files = { config: path.join(dir, 'dhcpd.conf'), leases: path.join(dir, 'dhcpd.leases') };
    fs.copyFileSync(dhcpd.confFile, files.config);
    fs.writeFileSync(files.leases, '');
    const remote = await startProxy(dhcpSettings({}, files));
    others.push(remote);
    const r = api(remote.http!);
    const mac = '52:54:00:aa:00:72';
    expect((await r.post(`/dhcp/${net}`, host('copy.example.test', ip(72), mac))).status).toBe(200);
    expect(json(await r.get(`/dhcp/${net}/ip/${ip(72)}`))).toMatchObject([{ name: 'copy.example.test', mac }]);
    expect((await r.del(`/dhcp/${net}/ip/${ip(72)}`)).status).toBe(200);
    expect((await r.get(`/dhcp/${net}/ip/${ip(72)}`)).status).toBe(404);
    expect(fs.readFileSync(files.leases, 'utf8')).toBe('');
  });

  it('a real dhclient (vendor class HTTPClient) gets the reserved address, the URL and option 60', async () => {
    const mac = '52:54:00:aa:00:50';
    const url = `http://${ip(1)}:8000/httpboot/grub2/grubx64.efi`;
    const r = await http.post(`/dhcp/${net}`, host('uefi.example.test', ip(50), mac, [['filename', url]]));
    expect([r.status, text(r)]).toEqual([200, '']);
    await provider.follower!.settled();
    expect(json(await http.get(`/dhcp/${net}/mac/${mac}`))).toMatchObject({ filename: url, vendor_class_identifier: [['HTTPClient']] });
    expect((await http.post(`/dhcp/${net}`, host('uefi.example.test', ip(50), mac, [['filename', url]]))).status).toBe(200);

    const lease = await runDhclient({ ns: dhcpd.clientNs, iface: dhcpd.clientIf, mac, vendorClass: 'HTTPClient', requestList: 'uefi' });
    expect(lease.bound).toBe(true);
    expect(lease.vars).toMatchObject({
      new_ip_address: ip(50), new_filename: url, new_next_server: ip(1), new_vendor_class_identifier: 'HTTPClient',
      new_host_name: 'uefi.example.test',
    });
  });

  it('dhcpd restarts: the state reloads from the rewritten leases file and writes reconnect', async () => {
    const loads = provider.follower!.stats.fullLoads;
    await dhcpd.restart();
    await waitFor('the full reload of the rewritten leases file', async () => provider.follower!.stats.fullLoads > loads);
    await provider.follower!.settled();
    expect(json(await http.get(`/dhcp/${net}/mac/52:54:00:aa:00:10`))).toMatchObject({ name: 'alpha.example.test', ip: ip(10) });
    expect(json(await http.get(`/dhcp/${net}/mac/52:54:00:aa:00:50`))).toMatchObject({ vendor_class_identifier: [['HTTPClient']] });
    expect((await http.get(`/dhcp/${net}/mac/52:54:00:aa:00:20`)).status).toBe(404);

    const mac = '52:54:00:aa:00:80';
    expect((await http.post(`/dhcp/${net}`, host('after.example.test', ip(80), mac))).status).toBe(200);
    expect(await omapi.lookupHost({ mac })).toMatchObject({ ip: ip(80) });
    expect((await http.del(`/dhcp/${net}/mac/${mac}`)).status).toBe(200);
    expect(await omapi.lookupHost({ mac })).toBeNull();
  });

  it('POST + DELETE round trips through the API (figures in the test output)', async () => {
    const posts: number[] = [];
    const deletes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const mac = `52:54:00:bb:00:${i.toString(16).padStart(2, '0')}`;
      let t0 = process.hrtime.bigint();
      const r = await http.post(`/dhcp/${net}`, host(`rt${i}.example.test`, ip(151 + (i % 100)), mac));
      posts.push(Number(process.hrtime.bigint() - t0) / 1e6);
      expect(r.status).toBe(200);
      t0 = process.hrtime.bigint();
      expect((await http.del(`/dhcp/${net}/mac/${mac}`)).status).toBe(200);
      deletes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(2);
    const max = (xs: number[]) => Math.max(...xs).toFixed(2);
    // eslint-disable-next-line no-console
    console.log(`dhcp_isc via the API, 50 rounds: POST median ${median(posts)} ms (max ${max(posts)}), DELETE median ${median(deletes)} ms (max ${max(deletes)})`);
  });
});
