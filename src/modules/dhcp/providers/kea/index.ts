import * as fs from 'fs';
import type { ProviderDeclaration } from '../../../../core/module';
import type { Settings } from '../../../../core/settings';
import type { DhcpProvider } from '../../provider';
import { KeaClient } from './kea-client';
import { KeaProvider } from './provider';

/**
 * `dhcp_kea`: the DHCP module over ISC Kea's JSON command API (docs/dhcp-kea.md). Settings file
 * `settings.d/dhcp_kea.yml`. Kea's Control Agent listens on 127.0.0.1:8000 unless its
 * `http-host`/`http-port` say otherwise, hence the default URL.
 */

function positiveNumber(settings: Settings, key: string): number {
  const raw = settings[key];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Setting '${key}' is expected to be a positive number`);
  return n;
}

function optionalText(settings: Settings, key: string): string | undefined {
  const v = settings[key];
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

function readPem(settings: Settings, key: string): Buffer | undefined {
  const file = optionalText(settings, key);
  return file === undefined ? undefined : fs.readFileSync(file);
}

export const keaProviderDeclaration: ProviderDeclaration<DhcpProvider> = {
  name: 'dhcp_kea',
  module: 'dhcp',
  pathSettings: ['ca_file', 'client_cert', 'client_key'],
  defaultSettings: {
    url: 'http://127.0.0.1:8000/',
    timeout: 10,
    service: 'dhcp4',
    blacklist_duration_minutes: 1800,
  },
  validators: [
    { kind: 'url', key: 'url' },
    { kind: 'file_readable', key: 'ca_file' },
    { kind: 'file_readable', key: 'client_cert' },
    { kind: 'file_readable', key: 'client_key' },
    {
      kind: 'custom',
      check: (s) => {
        if (!/^https?:\/\/[^/]/i.test(String(s.url))) throw new Error("Setting 'url' is expected to be an http:// or https:// URL");
        positiveNumber(s, 'timeout');
        positiveNumber(s, 'blacklist_duration_minutes');
        if (!/^[a-z][a-z0-9-]*$/.test(String(s.service))) throw new Error("Setting 'service' is expected to name a Kea service, e.g. dhcp4");
        if ((optionalText(s, 'client_cert') === undefined) !== (optionalText(s, 'client_key') === undefined)) {
          throw new Error("Settings 'client_cert' and 'client_key' must be set together");
        }
        if (optionalText(s, 'password') !== undefined && optionalText(s, 'username') === undefined) {
          throw new Error("Setting 'password' needs 'username'");
        }
      },
    },
  ],
  // next-server may be posted as an address or a name: names are resolved before Kea sees them.
  capabilities: ['dhcp_filename_hostname', 'dhcp_filename_ipv4'],
  async start(ctx) {
    const s = ctx.settings;
    const client = new KeaClient({
      url: String(s.url),
      username: optionalText(s, 'username'),
      password: optionalText(s, 'password'),
      ca: readPem(s, 'ca_file'),
      cert: readPem(s, 'client_cert'),
      key: readPem(s, 'client_key'),
      timeoutMs: positiveNumber(s, 'timeout') * 1000,
      service: String(s.service),
    });
    const provider = new KeaProvider(client, { blacklistDurationSeconds: positiveNumber(s, 'blacklist_duration_minutes') });
    try {
      await provider.probe();
    } catch (e) {
      provider.close();
      throw e;
    }
    return { instance: provider, stop: () => provider.close() };
  },
};
