import { HostResolver, setHostResolver, systemResolver } from '../../../src/core/auth';
import { startTestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';

/** A name service the test controls: reverse and forward maps. */
function fakeResolver(reverse: Record<string, string | Error>, forward: Record<string, string[] | Error>): HostResolver {
  return {
    async nameOf(ip) {
      const v = reverse[ip];
      if (v === undefined) throw new Error(`no name for ${ip}`);
      if (v instanceof Error) throw v;
      return v;
    },
    async addressesOf(name) {
      const v = forward[name];
      if (v === undefined) throw new Error(`no address for ${name}`);
      if (v instanceof Error) throw v;
      return v;
    },
  };
}

afterEach(() => setHostResolver(systemResolver));

async function status(global: Record<string, unknown>, path = '/v2/features') {
  const tp = await startTestProxy({ http_port: 'auto', ...global }, { httpboot: { enabled: true, root_dir: '/tmp' } });
  try {
    const res = await rawRequest(tp.http!, path);
    return [res.status, res.status === 200 ? 'ok' : res.body.toString()];
  } finally {
    await tp.stop();
  }
}

describe('trusted_hosts over HTTP (reference §2.2, trusted_hosts_test)', () => {
  test('unset allows everybody', async () => {
    setHostResolver(fakeResolver({}, {}));
    expect(await status({})).toEqual([200, 'ok']);
  });

  test('[] denies everybody', async () => {
    setHostResolver(fakeResolver({ '127.0.0.1': 'foreman.example.com' }, { 'foreman.example.com': ['127.0.0.1'] }));
    expect(await status({ trusted_hosts: [] })).toEqual([403, 'Untrusted client foreman.example.com attempted to access /features. Check :trusted_hosts: in settings.yml']);
  });

  test('reverse + forward match allows; the name is lower-cased before comparing', async () => {
    setHostResolver(fakeResolver({ '127.0.0.1': 'Foreman.Example.COM' }, { 'Foreman.Example.COM': ['10.0.0.9', '127.0.0.1'] }));
    expect(await status({ trusted_hosts: ['foreman.example.com'] })).toEqual([200, 'ok']);
  });

  test('configured entries are not lower-cased', async () => {
    setHostResolver(fakeResolver({ '127.0.0.1': 'foreman.example.com' }, { 'foreman.example.com': ['127.0.0.1'] }));
    expect((await status({ trusted_hosts: ['FOREMAN.example.com'] }))[0]).toBe(403);
  });

  test('forward mismatch is refused unless forward_verify is false', async () => {
    setHostResolver(fakeResolver({ '127.0.0.1': 'foreman.example.com' }, { 'foreman.example.com': ['192.0.2.1'] }));
    expect(await status({ trusted_hosts: ['foreman.example.com'] })).toEqual([403, 'untrusted client has no matching forward DNS lookup - foreman.example.com (127.0.0.1)']);
    expect(await status({ trusted_hosts: ['foreman.example.com'], forward_verify: false })).toEqual([200, 'ok']);
  });

  test('resolver failures are 403 with the resolver message', async () => {
    setHostResolver(fakeResolver({ '127.0.0.1': new Error('NXDOMAIN') }, {}));
    expect(await status({ trusted_hosts: ['foreman.example.com'] })).toEqual([403, 'unable to resolve hostname for ip address 127.0.0.1\n\nNXDOMAIN']);
    setHostResolver(fakeResolver({ '127.0.0.1': 'foreman.example.com' }, { 'foreman.example.com': new Error('SERVFAIL') }));
    expect(await status({ trusted_hosts: ['foreman.example.com'] })).toEqual([403, 'could not forward verify the remote hostname - foreman.example.com (127.0.0.1)\n\nSERVFAIL']);
  });

  test('a wrong name is refused; the filter runs before routing (unknown path and /logs too)', async () => {
    setHostResolver(fakeResolver({ '127.0.0.1': 'evil.example.com' }, { 'evil.example.com': ['127.0.0.1'] }));
    expect(await status({ trusted_hosts: ['foreman.example.com'] }, '/logs')).toEqual([403, 'Untrusted client evil.example.com attempted to access /. Check :trusted_hosts: in settings.yml']);
    expect((await status({ trusted_hosts: ['foreman.example.com'] }, '/v2/nothing'))[0]).toBe(403);
  });

  test('public routes ignore trusted_hosts', async () => {
    setHostResolver(fakeResolver({}, {}));
    expect(await status({ trusted_hosts: [] }, '/features')).toEqual([200, 'ok']);
    expect(await status({ trusted_hosts: [] }, '/version')).toEqual([200, 'ok']);
  });
});
