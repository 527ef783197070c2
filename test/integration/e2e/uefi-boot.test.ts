/**
 * Issue 5: real UEFI firmware provisioned through the proxy, over HTTP and HTTPS.
 *
 * In namespaces of this test's own: a real ISC dhcpd (plain subnet, no HTTPClient class, OMAPI
 * with a key) and our proxy from its build with an operator's settings directory (httpboot, tftp,
 * dhcp + dhcp_isc, logs). The test talks to the proxy as Foreman does (foreman-client.md §5):
 * /v2/features → ports, /tftp/serverName, unused_ip, POST the reservation with the HTTP(S) boot
 * URL, POST the per-host PXEGrub2 config, fetch_boot_file a "kernel" from a loopback source. Then
 * OVMF under QEMU boots with only the NIC: dhcpd gives it the reserved address and the URL, the
 * firmware downloads GRUB (built here with grub-mkstandalone) from our httpboot module, GRUB loads
 * the per-host config the TFTP module wrote and the fetched "kernel" (a GRUB script) over HTTP,
 * printing per-run markers on the serial console. The HTTPS run enrolls the test CA through fw_cfg;
 * the negative run enrolls another CA and the firmware must refuse. Each scenario ends with
 * Foreman's teardown (DELETE reservation + TFTP config) and checks dhcpd really lost the host.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { certificatesFrom, x509SignatureLists } from '../../../src/tools/edk2-cacerts';
import { makeTestPki, TestPki } from '../../support/certs';
import { DhcpdInstance, startDhcpd } from '../../support/dhcpd';
import { ForemanLikeClient } from '../../support/foreman-api';
import { buildGrubEfi, hostConfigLoader } from '../../support/grub-image';
import { fromInt, randomTestLan, requireRootAndCommands, shortId } from '../../support/netns';
import { NsProcess, startProxyInNamespace, startStaticServerInNamespace } from '../../support/ns-processes';
import { omshellHostByMac } from '../../support/omshell';
import { requireBuild, waitFor } from '../../support/process';
import { addTapBridge, requireFirmware, startUefiVm, UefiVm } from '../../support/uefi';

const API_PORT = 8000; // the namespace is private: an operator's usual ports cannot collide
const HTTPS_PORT = 8443;
const SOURCE_PORT = 8080;
const BOOT_TIMEOUT_MS = 90_000; // a boot takes ~10-15 s under TCG; CI machines may be slower
const SCENARIO_TIMEOUT_MS = 180_000;
const NONCE = shortId(4);

interface Lab {
  dir: string;
  dhcpd: DhcpdInstance;
  tap: string;
  serverIp: string;
  network: string;
  pki: TestPki;
  rightCaEsl: string;
  otherCaEsl: string;
  tftproot: string;
  proxyLog: string;
  proxy: NsProcess;
  source: NsProcess;
  api: ForemanLikeClient;
}

let lab: Lab | undefined;
const setupNotes: string[] = [];
const started: { vms: UefiVm[]; cleanups: Array<() => Promise<void> | void> } = { vms: [], cleanups: [] };
const timings: Record<string, Record<string, number>> = {};

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const randomMac = () => `52:54:00:${shortId(1)}:${shortId(1)}:${shortId(1)}`;
const tail = (text: string, lines = 80) => text.split('\n').slice(-lines).join('\n');
/** `text` as a regular expression that matches it literally (paths and URLs hold dots). */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function writeYaml(file: string, entries: Record<string, unknown>): void {
  const line = ([k, v]: [string, unknown]) => `:${k}: ${Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : JSON.stringify(v)}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `---\n${Object.entries(entries).map(line).join('\n')}\n`);
}

/** settings.yml + settings.d/*.yml as an operator writes them (leading colons, one file per module). */
function writeOperatorSettings(dir: string, o: { serverIp: string; linkIp: string; pki: TestPki; tftproot: string; log: string; dhcpd: DhcpdInstance }): string {
  const sd = path.join(dir, 'settings.d');
  writeYaml(path.join(dir, 'settings.yml'), {
    settings_directory: sd, http_port: API_PORT, https_port: HTTPS_PORT,
    ssl_certificate: o.pki.serverCert, ssl_private_key: o.pki.serverKey, ssl_ca_file: o.pki.caCert,
    bind_host: [o.serverIp, o.linkIp], log_file: o.log, log_level: 'DEBUG',
  });
  writeYaml(path.join(sd, 'httpboot.yml'), { enabled: true, root_dir: o.tftproot });
  writeYaml(path.join(sd, 'tftp.yml'), { enabled: true, tftproot: o.tftproot, tftp_servername: o.serverIp });
  writeYaml(path.join(sd, 'dhcp.yml'), { enabled: true, use_provider: 'dhcp_isc', server: '127.0.0.1' });
  writeYaml(path.join(sd, 'dhcp_isc.yml'), {
    config: o.dhcpd.confFile, leases: o.dhcpd.leasesFile, omapi_port: o.dhcpd.omapiPort,
    key_name: o.dhcpd.key!.name, key_secret: o.dhcpd.key!.secret,
  });
  writeYaml(path.join(sd, 'logs.yml'), { enabled: true });
  return path.join(dir, 'settings.yml');
}

beforeAll(async () => {
  requireRootAndCommands('qemu-system-x86_64', 'grub-mkstandalone', 'openssl', 'omshell');
  requireFirmware();
  requireBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uefi-e2e-'));
  started.cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lan = randomTestLan();
  const serverIp = lan.ip(1);
  const dhcpd = await startDhcpd({ subnet: lan.cidr, serverIp, prefix: 'uefie2e', key: { algorithm: 'hmac-md5' } });
  started.cleanups.push(() => dhcpd.stop());
  const { tap } = await addTapBridge(dhcpd.clientNs, dhcpd.clientIf);

  const pki = makeTestPki(`IP:${serverIp}`);
  started.cleanups.push(() => pki.cleanup());
  const rightCaEsl = path.join(dir, 'right-ca.esl');
  const otherCaEsl = path.join(dir, 'other-ca.esl');
  fs.writeFileSync(rightCaEsl, x509SignatureLists(certificatesFrom(fs.readFileSync(pki.caCert))));
  fs.writeFileSync(otherCaEsl, x509SignatureLists(certificatesFrom(fs.readFileSync(pki.otherCaCert))));

  // The boot loader an operator installs into the TFTP tree (Foreman does not deploy loaders).
  const tftproot = path.join(dir, 'tftpboot');
  const t0 = Date.now();
  await buildGrubEfi(path.join(tftproot, 'grub2', 'grubx64.efi'), hostConfigLoader({ server: serverIp, httpPort: API_PORT, marker: `E2E-GRUB-${NONCE}` }));
  setupNotes.push(`grub-mkstandalone ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // The installation medium fetch_boot_file downloads from: the "kernel" is a GRUB script.
  const media = path.join(dir, 'media');
  fs.mkdirSync(path.join(media, 'pxeboot'), { recursive: true });
  fs.writeFileSync(path.join(media, 'pxeboot', 'vmlinuz'), `echo "E2E-KERNEL-${NONCE}"\n`);
  const source = startStaticServerInNamespace(dhcpd.ns, media, '127.0.0.1', SOURCE_PORT);
  started.cleanups.push(() => source.stop());

  const proxyLog = path.join(dir, 'proxy.log');
  const settings = writeOperatorSettings(dir, { serverIp, linkIp: dhcpd.omapiHost, pki, tftproot, log: proxyLog, dhcpd });
  const proxy = startProxyInNamespace(dhcpd.ns, settings);
  started.cleanups.push(() => proxy.stop());
  const api = new ForemanLikeClient(`http://${dhcpd.omapiHost}:${API_PORT}`);
  // An exited proxy ends the wait at once (waitFor would retry until its time runs out).
  await waitFor(async () => !proxy.running() || (await api.request('GET', '/version')).status === 200, 30_000, 'the proxy to answer /version')
    .then(() => {
      if (!proxy.running()) throw new Error('it exited');
    })
    .catch((e: Error) => {
      throw new Error(`proxy did not start: ${e.message}\n--- proxy output ---\n${proxy.output()}\n--- proxy log ---\n${tail(readOr(proxyLog), 60)}`);
    });
  await waitFor(() => /listening/.test(source.output()), 10_000, 'the media server').catch(() => {
    throw new Error(`media server did not start:\n${source.output()}`);
  });
  lab = { dir, dhcpd, tap, serverIp, network: dhcpd.subnet.network, pki, rightCaEsl, otherCaEsl, tftproot, proxyLog, proxy, source, api };
}, 120_000);

afterAll(async () => {
  for (const vm of started.vms) await vm.stop();
  for (const c of started.cleanups.reverse()) {
    try {
      await c();
    } catch {
      // keep cleaning up the rest
    }
  }
  if (Object.keys(timings).length) {
    // Measured boot times (s after QEMU start), for the report and for CI logs.
    console.log(`UEFI e2e timings (${setupNotes.join(', ')}): ${JSON.stringify(timings)}`);
  }
}, 60_000);

function readOr(file: string, fallback = '(none)'): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

type Scenario = { name: string; scheme: 'http' | 'https'; caEsl?: 'right' | 'other'; expect: 'boot' | 'refuse' };

/** One provisioning as Foreman drives it, one boot, the teardown; all diagnostics on failure. */
async function provisionBootAndTearDown(s: Scenario): Promise<void> {
  if (!lab) throw new Error(`the lab did not start (see beforeAll's error)`);
  const L = lab;
  const logStart = readOr(L.proxyLog, '').length;
  const dhcpdLogStart = L.dhcpd.log().length;
  const proxyLogSince = () => readOr(L.proxyLog, '').slice(logStart);
  const mac = randomMac();
  const dashed = `01-${mac.replace(/:/g, '-')}`;
  const marker = `E2E-${s.name.toUpperCase()}-${NONCE}`;
  let vm: UefiVm | undefined;
  let stage = 'features';
  try {
    // --- Foreman: stored settings and validation-time calls -------------------------------------
    const features = await L.api.features();
    for (const f of ['dhcp', 'tftp', 'httpboot']) {
      expect({ feature: f, state: features[f]?.state }).toEqual({ feature: f, state: 'running' });
    }
    const port = Number(features.httpboot.settings?.[s.scheme === 'https' ? 'https_port' : 'http_port']);
    const httpPort = Number(features.httpboot.settings?.http_port);
    expect(port).toBe(s.scheme === 'https' ? HTTPS_PORT : API_PORT);
    stage = 'tftp serverName';
    // Foreman's boot_server: the configured tftp_servername. No fallback here, so an empty answer fails.
    const bootServer = await L.api.bootServer();
    expect(bootServer).toBe(L.serverIp);
    const nextServer = String(bootServer);
    stage = 'unused_ip';
    const base = ipToInt(L.network);
    const ip = await L.api.unusedIp(L.network, mac, fromInt(base + 100), fromInt(base + 199));
    expect(ipToInt(ip) - base).toBeGreaterThanOrEqual(100);
    const filename = `${s.scheme}://${L.serverIp}:${port}/httpboot/grub2/grubx64.efi`;
    const hostname = `uefi-${s.name}-${NONCE}.example.test`;

    // --- Foreman: host create queue (DHCP 10, TFTP 20, boot files 25) --------------------------
    stage = 'POST /dhcp';
    await L.api.createReservation({ hostname, mac, ip, network: L.network, nextServer, filename, name: hostname });
    stage = 'POST /tftp/PXEGrub2';
    const kernel = `boot/e2e-${NONCE}-${s.name}-vmlinuz`;
    await L.api.deployTftp('PXEGrub2', mac, [
      `echo "${marker} ip=$net_default_ip mac=$net_default_mac"`,
      `source (http,${L.serverIp}:${httpPort})/httpboot/${kernel}`,
      `echo "${marker}-DONE"`,
      'halt',
      '',
    ].join('\n'));
    stage = 'fetch_boot_file';
    const medium = `http://127.0.0.1:${SOURCE_PORT}/pxeboot/vmlinuz`;
    await L.api.fetchBootFile(`boot/e2e-${NONCE}-${s.name}`, medium);
    // Waited for in the proxy's log (F9), not by GETting the file: then every request for the kernel
    // in the log comes from GRUB, and the check after the boot cannot be met by this wait.
    const kernelDest = path.join(fs.realpathSync(L.tftproot), kernel);
    const downloadOutcome = await waitFor(() => new RegExp(`TFTP: (downloaded|failed to download) \\S+ to ${literal(kernelDest)}: .*`)
      .exec(proxyLogSince())?.[0], 30_000, `the download of ${kernel}`);
    expect(downloadOutcome).toMatch(new RegExp(`^TFTP: downloaded ${literal(medium)} to ${literal(kernelDest)}: \\d+ bytes`));
    expect(proxyLogSince()).not.toContain(`/httpboot/${kernel}`);

    // --- the machine boots ------------------------------------------------------------------------
    stage = 'boot';
    vm = startUefiVm({
      ns: L.dhcpd.clientNs, tap: L.tap, mac, dir: path.join(L.dir, `vm-${s.name}`),
      caCertsEsl: s.caEsl === 'right' ? L.rightCaEsl : s.caEsl === 'other' ? L.otherCaEsl : undefined,
    });
    started.vms.push(vm);
    const dhcpSeen = trackText(() => L.dhcpd.log().slice(dhcpdLogStart), {
      'dhcp-discover': `DHCPDISCOVER from ${mac}`, 'dhcp-ack': `DHCPACK on ${ip} to ${mac}`,
    });
    vm.track('address', `Station IP address is ${ip}`);
    vm.track('grub', `E2E-GRUB-${NONCE}`);
    vm.track('host-config', marker);
    vm.track('kernel', `E2E-KERNEL-${NONCE}`);
    const result = await vm.watch(`${marker}-DONE`, BOOT_TIMEOUT_MS).finally(() => dhcpSeen.stop());
    await vm.stop();
    stage = 'checks after the boot';
    timings[s.name] = { ...dhcpSeen.times, ...vm.timings(), [s.expect === 'boot' ? 'done' : 'firmware-gave-up']: result.seconds };
    const serial = vm.serial();
    if (s.expect === 'boot') {
      // Lines of requests a worker process served reach the log file through the primary process,
      // a moment after the answer: wait for the last one GRUB caused before reading the log.
      await waitFor(() => proxyLogSince().includes(`Finished GET /httpboot/${kernel} with 200`), 5_000, 'kernel request in the proxy log')
        .catch(() => undefined);
    }
    const served = proxyLogSince();
    const dhcpdLog = L.dhcpd.log().slice(dhcpdLogStart);
    expect(dhcpdLog).toContain(`DHCPACK on ${ip} to ${mac}`);
    expect(serial).toContain(`Station IP address is ${ip}`);
    expect(serial).toContain(`URI: ${filename}`);
    if (s.expect === 'boot') {
      expect(result.outcome).toBe('matched');
      expect(serial).toContain(`E2E-GRUB-${NONCE} cmdpath=(${s.scheme},${L.serverIp}:${port})/httpboot/grub2\n`);
      expect(serial).toContain(`E2E-GRUB-${NONCE} ip=${ip} mac=${mac}\n`);
      expect(serial).toContain(`${marker} ip=${ip} mac=${mac}`);
      expect(serial).toContain(`E2E-KERNEL-${NONCE}`);
      expect(served).toMatch(/Finished HEAD \/httpboot\/grub2\/grubx64\.efi with 200/);
      expect(served).toMatch(/Finished GET \/httpboot\/grub2\/grubx64\.efi with 200/);
      expect(served).toContain(`Finished GET /httpboot/grub2/grub.cfg-${dashed} with 200`);
      // GRUB's request: the test itself never asks for the kernel (see fetch_boot_file above).
      expect(served).toContain(`Finished GET /httpboot/${kernel} with 200`);
    } else {
      expect(result.outcome).toBe('firmware-gave-up');
      expect(serial).not.toContain(`E2E-GRUB-${NONCE}`);
      // "Unexpected network error" = the TLS handshake failed (certificate not trusted); with no
      // CA list at all OVMF would say "Remote boot cancelled" without connecting.
      expect(serial).toContain('Error: Could not retrieve NBP file size from HTTP server.');
      expect(serial).toContain('Error: Unexpected network error.');
      expect(served).not.toContain('/httpboot/grub2/grubx64.efi');
      expect(served).not.toContain(`/httpboot/${kernel}`);
    }

    // --- Foreman: host destroy (DHCP 5, TFTP 20) --------------------------------------------------
    stage = 'teardown';
    expect(await L.api.reservation(L.network, mac)).toMatchObject({ mac, ip, filename, nextServer });
    const before = await omshellHostByMac({ ns: L.dhcpd.ns, port: L.dhcpd.omapiPort, key: L.dhcpd.key, mac });
    expect({ dhcpdHasHostBeforeDelete: before.found }).toEqual({ dhcpdHasHostBeforeDelete: true });
    await L.api.deleteReservation(L.network, mac);
    await L.api.deleteTftp('PXEGrub2', mac);
    expect(await L.api.reservation(L.network, mac)).toBeUndefined();
    const lookup = await omshellHostByMac({ ns: L.dhcpd.ns, port: L.dhcpd.omapiPort, key: L.dhcpd.key, mac });
    expect({ dhcpdHasHost: lookup.found }).toEqual({ dhcpdHasHost: false });
    expect(lastHostStanza(readOr(L.dhcpd.leasesFile, ''), hostname)).toMatch(/deleted;/);
    for (const f of [`grub2/grub.cfg-${dashed}`, `grub2/grub.cfg-${mac}`]) {
      expect({ f, status: (await L.api.request('GET', `/httpboot/${f}`)).status }).toEqual({ f, status: 404 });
    }
  } catch (err) {
    throw new Error([
      `${s.name} (${s.scheme}, expect ${s.expect}) failed at stage "${stage}": ${(err as Error).message}`,
      `--- API calls ---\n${L.api.calls.slice(-20).join('\n')}`,
      `--- serial console (${vm ? vm.serialFile : 'no VM started'}) ---\n${vm ? tail(vm.serial(), 120) : ''}`,
      vm && vm.qemuOutput().trim() ? `--- qemu ---\n${tail(vm.qemuOutput(), 20)}` : '',
      `--- dhcpd log ---\n${tail(L.dhcpd.log().slice(dhcpdLogStart), 60)}`,
      `--- dhcpd leases (tail) ---\n${tail(readOr(L.dhcpd.leasesFile), 40)}`,
      `--- proxy log (this scenario) ---\n${tail(proxyLogSince(), 120)}`,
      `--- proxy stdout/stderr ---\n${tail(L.proxy.output(), 30)}`,
      `--- media server ---\n${tail(L.source.output(), 10)}`,
    ].filter(Boolean).join('\n'));
  } finally {
    await vm?.stop();
  }
}

/** Records when each text first shows up in `read()` (seconds since this call), polling every 200 ms. */
function trackText(read: () => string, texts: Record<string, string>): { times: Record<string, number>; stop(): void } {
  const t0 = Date.now();
  const times: Record<string, number> = {};
  const timer = setInterval(() => {
    const text = read();
    for (const [name, t] of Object.entries(texts)) {
      if (times[name] === undefined && text.includes(t)) times[name] = Number(((Date.now() - t0) / 1000).toFixed(1));
    }
  }, 200);
  return { times, stop: () => clearInterval(timer) };
}

/** The last `host NAME { … }` block dhcpd appended to its leases file for NAME. */
function lastHostStanza(leases: string, name: string): string {
  const blocks = [...leases.matchAll(/host\s+"?([^\s"{]+)"?\s*\{([^}]*)\}/g)].filter((m) => m[1] === name);
  return blocks.length ? blocks[blocks.length - 1][2] : `(no host ${name} in the leases file)`;
}

describe('UEFI firmware provisioned through the proxy (OVMF + ISC dhcpd + GRUB)', () => {
  test('HTTP boot: reservation, per-host GRUB config and boot file through the API; firmware boots; teardown', async () => {
    await provisionBootAndTearDown({ name: 'http', scheme: 'http', expect: 'boot' });
  }, SCENARIO_TIMEOUT_MS);

  test('HTTPS boot with the proxy CA enrolled through fw_cfg etc/edk2/https/cacerts', async () => {
    await provisionBootAndTearDown({ name: 'https', scheme: 'https', caEsl: 'right', expect: 'boot' });
  }, SCENARIO_TIMEOUT_MS);

  test('HTTPS boot with a different CA enrolled: the firmware refuses and nothing is served', async () => {
    await provisionBootAndTearDown({ name: 'badca', scheme: 'https', caEsl: 'other', expect: 'refuse' });
  }, SCENARIO_TIMEOUT_MS);
});
