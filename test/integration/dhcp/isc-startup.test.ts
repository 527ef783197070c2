/**
 * Start-up of the whole proxy with dhcp_isc and a large leases file: dhcpd.conf is loaded before
 * the proxy listens (its errors still fail the module), the leases file is read once the proxy
 * answers, and DHCP requests made meanwhile wait for it and answer from the whole file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IscDhcpProvider } from '../../../src/modules/dhcp/providers/isc/provider';
import { rawRequest } from '../../support/raw-http';
import { startTestProxy, TestProxy } from '../../support/proxy';

jest.setTimeout(60_000);

const LEASES = 40_000;
const ipOf = (n: number) => `10.88.${(n >> 8) & 255}.${n & 255}`;
const macOf = (n: number) => `52:54:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;

function writeFiles(dir: string): { config: string; leases: string } {
  const config = path.join(dir, 'dhcpd.conf');
  const leases = path.join(dir, 'dhcpd.leases');
  fs.writeFileSync(config, 'subnet 10.88.0.0 netmask 255.255.0.0 {\n  range 10.88.0.10 10.88.255.250;\n  option routers 10.88.0.1;\n}\n');
  const out: string[] = [];
  for (let i = 1; i <= LEASES; i++) {
    out.push(`lease ${ipOf(i)} {\n  starts 4 2024/01/04 10:00:00;\n  ends never;\n  binding state active;\n  hardware ethernet ${macOf(i)};\n}\n`);
  }
  fs.writeFileSync(leases, out.join(''));
  return { config, leases };
}

describe('dhcp_isc start-up with a large leases file', () => {
  let dir: string;
  let tp: TestProxy | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isc-startup-'));
  });

  afterEach(async () => {
    await tp?.stop();
    tp = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (files: { config: string; leases: string }) => startTestProxy({ http_port: 'auto' }, {
    dhcp: { enabled: true, use_provider: 'dhcp_isc', server: '127.0.0.1', ping_free_ip: false },
    dhcp_isc: { config: files.config, leases: files.leases, omapi_port: 7911 },
  });

  it('answers /features before the leases are read; DHCP requests wait and see the whole file', async () => {
    tp = await start(writeFiles(dir));
    const dhcp = tp.proxy.registry.modules.find((m) => m.decl.name === 'dhcp')!;
    expect(dhcp.state).toBe('running');
    const follower = (dhcp.providers[0].started!.instance as IscDhcpProvider).follower!;
    expect(follower.stats.fullLoads).toBe(0); // listening, and the leases not read yet

    let loadedAt = 0;
    const loaded = follower.loaded().then(() => (loadedAt = Date.now()));
    const records = rawRequest(tp.http!, '/dhcp/10.88.0.0', { headers: { Accept: 'application/json' } });
    const features = await rawRequest(tp.http!, '/features', { headers: { Accept: 'application/json' } });
    const featuresAt = Date.now();
    expect(features.status).toBe(200);
    expect(JSON.parse(features.body.toString())).toContain('dhcp');

    const answer = await records;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString()).leases).toHaveLength(LEASES);
    await loaded;
    expect(featuresAt).toBeLessThan(loadedAt);
    const unused = await rawRequest(tp.http!, '/dhcp/10.88.0.0/unused_ip', { headers: { Accept: 'application/json' } });
    expect(unused.status).toBe(200);
  });

  it('a broken dhcpd.conf still fails the module before the proxy answers', async () => {
    const files = writeFiles(dir);
    fs.writeFileSync(files.config, 'subnet 10.88.0.0 netmask 255.255.0.0 {\n');
    tp = await start(files);
    const dhcp = tp.proxy.registry.modules.find((m) => m.decl.name === 'dhcp')!;
    expect(dhcp.state).toBe('failed');
    const features = await rawRequest(tp.http!, '/features', { headers: { Accept: 'application/json' } });
    expect(JSON.parse(features.body.toString())).not.toContain('dhcp');
  });
});
