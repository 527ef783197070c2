import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SettingsSource } from './core/registry';
import { globalSettingsFrom, GlobalSettings, Settings } from './core/settings';

/**
 * The embedded default configuration: HTTP on loopback, logging to stdout, every module enabled
 * on a sample boot tree in a state folder of its own, so a fresh checkout serves real endpoints
 * with no settings file at all.
 */
export interface EmbeddedConfig {
  global: GlobalSettings;
  settingsSource: SettingsSource;
  stateDir: string;
}

const SAMPLE_FILES: Record<string, string> = {
  'grub2/grub.cfg': 'set default=0\nset timeout=5\nmenuentry "Sample entry (smart proxy embedded default)" {\n  echo "Served by the smart proxy embedded default"\n}\n',
  'pxelinux.cfg/default': 'DEFAULT local\nLABEL local\n  LOCALBOOT 0\n',
  'boot/README.txt': 'Kernels and initrds fetched through POST /tftp/fetch_boot_file land here.\n',
};

/**
 * Sample ISC dhcpd files for the DHCP module (dhcp_isc), in a documentation-only subnet
 * (192.0.2.0/24, RFC 5737): reads work from these files; writes go to OMAPI at 127.0.0.1:7911 and
 * fail with the baseline's "No response from DHCP server" unless a dhcpd listens there.
 */
const SAMPLE_DHCP_FILES: Record<string, string> = {
  'dhcp/dhcpd.conf': [
    '# Sample dhcpd.conf of the smart proxy embedded default (no dhcpd reads it).',
    'authoritative;',
    'omapi-port 7911;',
    'subnet 192.0.2.0 netmask 255.255.255.0 {',
    '  range 192.0.2.100 192.0.2.200;',
    '  option routers 192.0.2.1;',
    '  option domain-name "example.test";',
    '  option domain-name-servers 192.0.2.1;',
    '}',
    'host static.example.test {',
    '  hardware ethernet 52:54:00:00:00:01;',
    '  fixed-address 192.0.2.10;',
    '  filename "pxelinux.0";',
    '  next-server 192.0.2.1;',
    '}',
    '',
  ].join('\n'),
  'dhcp/dhcpd.leases': [
    '# Sample dhcpd.leases of the smart proxy embedded default.',
    'host dynamic.example.test {',
    '  dynamic;',
    '  hardware ethernet 52:54:00:00:00:02;',
    '  fixed-address 192.0.2.20;',
    '        supersede server.filename = "http://192.0.2.1:8000/httpboot/grub2/grubx64.efi";',
    '        supersede server.next-server = c0:00:02:01;',
    '        supersede host-name = "dynamic.example.test";',
    '        supersede vendor-class-identifier = "HTTPClient";',
    '}',
    'lease 192.0.2.100 {',
    '  starts 4 2026/01/01 08:00:00;',
    '  ends never;',
    '  binding state active;',
    '  next binding state free;',
    '  hardware ethernet 52:54:00:00:01:00;',
    '  client-hostname "client-a";',
    '}',
    'lease 192.0.2.101 {',
    '  starts 4 2026/01/01 09:00:00;',
    '  ends never;',
    '  binding state active;',
    '  next binding state free;',
    '  hardware ethernet 52:54:00:00:01:01;',
    '}',
    '',
  ].join('\n'),
};

function writeSampleFiles(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    if (fs.existsSync(file)) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

export function embeddedConfig(env: NodeJS.ProcessEnv = process.env): EmbeddedConfig {
  const stateDir = env.SMART_PROXY_STATE_DIR || path.join(os.tmpdir(), `smart-proxy-embedded-${process.getuid?.() ?? 0}`);
  const bootRoot = path.join(stateDir, 'tftpboot');
  writeSampleFiles(bootRoot, SAMPLE_FILES);
  writeSampleFiles(stateDir, SAMPLE_DHCP_FILES);
  const global = globalSettingsFrom({
    http_port: Number(env.SMART_PROXY_HTTP_PORT || 8000),
    bind_host: ['127.0.0.1'],
    log_file: 'STDOUT',
    log_level: 'INFO',
    settings_directory: path.join(stateDir, 'settings.d'),
  }, stateDir);
  const modules: Record<string, Settings> = {
    logs: { enabled: true },
    httpboot: { enabled: true, root_dir: bootRoot },
    tftp: { enabled: true, tftproot: bootRoot, tftp_servername: '127.0.0.1' },
    // The sample addresses exist nowhere, so probing them before offering one only costs time.
    dhcp: { enabled: true, use_provider: 'dhcp_isc', server: '127.0.0.1', ping_free_ip: false },
    dhcp_isc: {
      config: path.join(stateDir, 'dhcp', 'dhcpd.conf'),
      leases: path.join(stateDir, 'dhcp', 'dhcpd.leases'),
      omapi_port: 7911,
    },
  };
  return { global, stateDir, settingsSource: (name) => modules[name] };
}
