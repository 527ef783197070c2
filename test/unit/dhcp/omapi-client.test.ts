/**
 * OmapiClient behaviour that a healthy dhcpd never shows (silence, garbage, hang-ups, bad
 * signatures), against a scripted OMAPI server on loopback. The happy paths and dhcpd's real
 * answers are in test/integration/dhcp/omapi-client.test.ts.
 */
import { OmapiOp } from '../../../src/modules/dhcp/providers/isc/omapi/codec';
import { OmapiSigner } from '../../../src/modules/dhcp/providers/isc/omapi/auth';
import { OmapiClient, OmapiError, UnsafeValueError } from '../../../src/modules/dhcp/providers/isc/omapi/client';
import { fakeOmapiServer as fakeServer, FakeOmapiServer as FakeServer, hostUpdate, status } from '../../support/omapi-fake-server';

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'success';
  } catch (e) {
    if (!(e instanceof OmapiError)) throw e;
    return e.kind;
  }
}

const HOST = { name: 'h', ip: '10.1.2.3', mac: '52:54:00:aa:00:01', hardwareType: 1 };
const servers: FakeServer[] = [];
const clients: OmapiClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
function track(s: FakeServer): FakeServer {
  servers.push(s);
  return s;
}
function clientFor(s: FakeServer, extra: Partial<ConstructorParameters<typeof OmapiClient>[0]> = {}): OmapiClient {
  const c = new OmapiClient({ host: '127.0.0.1', port: s.port, timeoutMs: 300, ...extra });
  clients.push(c);
  return c;
}

describe('OmapiClient failure handling', () => {
  it('no introduction from the server → timeout', async () => {
    const s = track(await fakeServer(() => 'silence', { intro: false }));
    expect(await kindOf(clientFor(s).lookupHost({ mac: HOST.mac }))).toBe('timeout');
  });

  it('no answer to a request → timeout; the next call uses a fresh connection', async () => {
    const s = track(await fakeServer((_req, n) => (n === 1 ? 'silence' : hostUpdate(5, 'h'))));
    const c = clientFor(s);
    expect(await kindOf(c.lookupHost({ mac: HOST.mac }))).toBe('timeout');
    expect(await c.lookupHost({ mac: HOST.mac })).toMatchObject({ handle: 5, name: 'h' });
    expect(s.connections).toBe(2);
  });

  it('hang-up while a request waits on a fresh connection → unreachable, not retried', async () => {
    const s = track(await fakeServer(() => 'hangup'));
    expect(await kindOf(clientFor(s).createHost(HOST))).toBe('unreachable');
    expect(s.received).toHaveLength(1);
  });

  it('hang-up on a reused connection → the request is sent once more on a new one', async () => {
    const s = track(await fakeServer((_req, n) => (n === 2 ? 'hangup' : hostUpdate(7, 'h'))));
    const c = clientFor(s);
    await c.lookupHost({ mac: HOST.mac });
    expect(await c.lookupHost({ mac: HOST.mac })).toMatchObject({ handle: 7 });
    expect(s.connections).toBe(2);
    expect(s.received).toHaveLength(3);
  });

  it('garbage from the server → server error, no hang', async () => {
    const s = track(await fakeServer(() => 'garbage'));
    expect(await kindOf(clientFor(s).lookupHost({ mac: HOST.mac }))).toBe('server');
  });

  it('maps STATUS results to kinds', async () => {
    const results: Record<number, string> = { 18: 'exists', 23: 'success', [0x60007]: 'conflict', [0x6000b]: 'auth', [0x60008]: 'server' };
    for (const [code, kind] of Object.entries(results)) {
      const s = track(await fakeServer(() => status(Number(code), 'text')));
      // lookupHost turns "not found" into null, so use createHost for the others.
      const p = Number(code) === 23 ? clientFor(s).lookupHost({ mac: HOST.mac }) : clientFor(s).createHost(HOST);
      expect([code, await kindOf(p)]).toEqual([code, kind]);
    }
  });

  it('deleteHostByMac: open, then DELETE of the returned handle', async () => {
    const s = track(await fakeServer((req) => (req.op === OmapiOp.Open ? hostUpdate(42, 'h') : status(0))));
    await clientFor(s).deleteHostByMac(HOST.mac);
    expect(s.received.map((m) => [m.op, m.handle])).toEqual([
      [OmapiOp.Open, 0],
      [OmapiOp.Delete, 42],
    ]);
  });

  it('never has two requests in flight, whatever the callers do', async () => {
    const s = track(
      await fakeServer(async (req) => {
        await new Promise((r) => setTimeout(r, 5));
        return req.op === OmapiOp.Open ? hostUpdate(1, 'h') : status(0);
      }),
    );
    const c = clientFor(s, { timeoutMs: 2000 });
    await Promise.all([
      ...Array.from({ length: 10 }, () => c.createHost(HOST)),
      ...Array.from({ length: 5 }, () => c.deleteHostByMac(HOST.mac)),
    ]);
    expect(s.received).toHaveLength(20);
    expect(s.maxInFlight).toBe(1);
    expect(s.connections).toBe(1);
  });

  it('a reply signed with another key → auth', async () => {
    const wrong = new OmapiSigner('hmac-md5', Buffer.from('wrong'));
    const s = track(
      await fakeServer(
        (req) =>
          req.message.some(([n, v]) => n === 'type' && v.toString() === 'authenticator')
            ? { ...hostUpdate(1, 'k'), object: [] }
            : { ...hostUpdate(3, 'h'), authId: 1 },
        { signer: wrong },
      ),
    );
    const c = clientFor(s, { keyName: 'k', keySecret: Buffer.from('right').toString('base64') });
    expect(await kindOf(c.lookupHost({ mac: HOST.mac }))).toBe('auth');
  });

  it('an unsigned UPDATE once authenticated → auth', async () => {
    const s = track(await fakeServer((req) => (req.authId ? hostUpdate(3, 'h') : { ...hostUpdate(1, 'k'), object: [] })));
    const c = clientFor(s, { keyName: 'k', keySecret: Buffer.from('right').toString('base64') });
    expect(await kindOf(c.lookupHost({ mac: HOST.mac }))).toBe('auth');
  });

  it('refuses calls after close()', async () => {
    const s = track(await fakeServer(() => hostUpdate(1, 'h')));
    const c = clientFor(s);
    await c.close();
    expect(await kindOf(c.lookupHost({ mac: HOST.mac }))).toBe('unreachable');
  });

  it('refuses malformed input without touching the connection', async () => {
    const s = track(await fakeServer(() => hostUpdate(1, 'h')));
    const c = clientFor(s);
    await expect(c.createHost({ ...HOST, ip: '10.1.2.300' })).rejects.toThrow(UnsafeValueError);
    await expect(c.createHost({ ...HOST, mac: 'zz:00' })).rejects.toThrow(/invalid hardware address "zz:00"/);
    await expect(c.createHost({ ...HOST, name: 'a b' })).rejects.toThrow(/Invalid host name/);
    await expect(c.lookupHost({ mac: 'nope' })).rejects.toThrow(UnsafeValueError);
    await expect(c.deleteHostByMac('')).rejects.toThrow(UnsafeValueError);
    expect(s.connections).toBe(0);
  });

  it('rejects bad options up front', () => {
    expect(() => new OmapiClient({ host: '', port: 7911 })).toThrow(/host/);
    expect(() => new OmapiClient({ host: 'x', port: 70000 })).toThrow(/port/);
    expect(() => new OmapiClient({ host: 'x', port: 7911, keyName: 'k', keySecret: 'AAAA', keyAlgorithm: 'rot13' })).toThrow(
      /Unsupported OMAPI key algorithm/,
    );
  });
});
