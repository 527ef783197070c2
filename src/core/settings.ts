import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { DEFAULT_DNS_RESOLV_TIMEOUTS, dnsResolvTimeouts } from './dns-resolv';
import { DEFAULT_FILE_PATTERN, DEFAULT_SYSTEM_PATTERN } from './log-pattern';

export type Settings = Record<string, any>;

export interface GlobalSettings {
  settings_directory: string;
  http_port: number | null;
  https_port: number;
  bind_host: string[];
  ssl_certificate?: string;
  ssl_private_key?: string;
  ssl_ca_file?: string;
  ssl_disabled_ciphers: string[];
  tls_disabled_versions: string[];
  trusted_hosts?: string[];
  forward_verify: boolean;
  foreman_url?: string;
  log_file: string;
  log_level: string;
  file_rolling_size: number;
  file_rolling_age: string | number;
  file_rolling_keep: number;
  file_logging_pattern: string;
  system_logging_pattern: string;
  log_buffer: number;
  log_buffer_errors: number;
  /** Seconds per DNS try; null: Ruby's generated default. */
  dns_resolv_timeouts: number[] | null;
  /** Worker processes serving the public sockets (this project's addition; default: one per core). */
  workers?: number;
  /** Folder of the settings file: relative paths in every settings file resolve against it. */
  base_dir: string;
  [key: string]: unknown;
}

export const GLOBAL_DEFAULTS = {
  settings_directory: 'settings.d',
  http_port: null,
  https_port: 8443,
  bind_host: ['*'],
  ssl_disabled_ciphers: [],
  tls_disabled_versions: [],
  forward_verify: true,
  log_file: '/var/log/foreman-proxy/proxy.log',
  log_level: 'INFO',
  file_rolling_size: 0,
  file_rolling_age: 'weekly',
  file_rolling_keep: 6,
  file_logging_pattern: DEFAULT_FILE_PATTERN,
  system_logging_pattern: DEFAULT_SYSTEM_PATTERN,
  log_buffer: 2000,
  log_buffer_errors: 1000,
  dns_resolv_timeouts: DEFAULT_DNS_RESOLV_TIMEOUTS,
};

/** Keys may be written `:key:` (Ruby symbols) or `key:`; one leading colon is dropped. */
export function normaliseKeys(doc: unknown): Settings {
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('settings file must hold a YAML mapping');
  const out: Settings = {};
  for (const [k, v] of Object.entries(doc as Settings)) out[k.startsWith(':') ? k.slice(1) : k] = v;
  return out;
}

export function parseSettingsText(text: string): Settings {
  return normaliseKeys(yaml.load(text));
}

export function readSettingsFile(file: string): Settings {
  return parseSettingsText(fs.readFileSync(file, 'utf8'));
}

const PATH_KEYS = ['settings_directory', 'ssl_certificate', 'ssl_private_key', 'ssl_ca_file'];

/** Builds the effective global settings from a parsed settings.yml. */
export function globalSettingsFrom(raw: Settings, baseDir: string): GlobalSettings {
  const s: Settings = { ...GLOBAL_DEFAULTS, ...raw, base_dir: baseDir };
  for (const k of PATH_KEYS) if (typeof s[k] === 'string') s[k] = path.resolve(baseDir, s[k]);
  const special = ['STDOUT', 'SYSLOG', 'JOURNAL', 'JOURNALD'];
  if (typeof s.log_file === 'string' && !special.includes(s.log_file.toUpperCase())) {
    s.log_file = path.resolve(baseDir, s.log_file);
  }
  if (typeof s.bind_host === 'string') s.bind_host = [s.bind_host];
  if (s.http_port !== null && s.http_port !== undefined) s.http_port = Number(s.http_port);
  else s.http_port = null;
  s.https_port = Number(s.https_port);
  for (const k of ['ssl_disabled_ciphers', 'tls_disabled_versions']) {
    if (!Array.isArray(s[k])) s[k] = s[k] === null || s[k] === undefined ? [] : [s[k]];
    s[k] = s[k].map(String);
  }
  if (s.trusted_hosts !== undefined && s.trusted_hosts !== null && !Array.isArray(s.trusted_hosts)) {
    s.trusted_hosts = [s.trusted_hosts];
  }
  if (s.trusted_hosts === null) delete s.trusted_hosts;
  if (typeof s.foreman_url === 'string' && !s.foreman_url.endsWith('/')) s.foreman_url += '/';
  for (const k of ['log_buffer', 'log_buffer_errors']) {
    s[k] = Number(s[k]);
    if (!(s[k] > 1)) throw new Error(`Setting '${k}' must be greater than 1`);
  }
  s.dns_resolv_timeouts = dnsResolvTimeouts(s.dns_resolv_timeouts);
  return s as GlobalSettings;
}

export function loadGlobalSettings(file: string): GlobalSettings {
  return globalSettingsFrom(readSettingsFile(file), path.dirname(path.resolve(file)));
}

/** Where a module's settings file lives, and its parsed content ({} when missing or empty). */
export function moduleSettingsFile(global: GlobalSettings, name: string): string {
  return path.join(global.settings_directory, `${name}.yml`);
}
