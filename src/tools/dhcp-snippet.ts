import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileSettingsSource, SettingsSource } from '../core/registry';
import { httpsConfigured } from '../core/listeners';
import { GlobalSettings, loadGlobalSettings, Settings } from '../core/settings';
import { Arch, ARCHES, DhcpServerKind, renderSnippet, SnippetOptions } from './dhcp-snippet-render';

/**
 * `smart-proxy dhcp-snippet --isc|--kea|--libvirt`: the command around the snippet texts
 * (dhcp-snippet-render.ts): its arguments, and the boot URL built from the proxy's own settings.
 */

/** Parsed `dhcp-snippet` arguments. */
export interface SnippetArgs {
  server?: DhcpServerKind;
  settings?: string;
  host?: string;
  https: boolean;
  arch: Arch;
  shim: boolean;
  file?: string;
  help?: boolean;
}

export const SNIPPET_USAGE = [
  'usage: smart-proxy dhcp-snippet --isc|--kea|--libvirt [--settings FILE] [--host HOST]',
  '                                [--https] [--arch x64|arm64] [--shim | --file PATH]',
  '  Prints the ISC dhcpd or Kea configuration that sends UEFI HTTP boot clients without a',
  '  reservation to this proxy\'s /httpboot (port and host from the settings); with --libvirt, the',
  '  libvirt network XML (dnsmasq options) that does it for every client of the network.',
  '  --host HOST   address or name firmware reaches the proxy at (default: bind_host)',
  '  --https       an https:// URL on https_port (the firmware needs the CA enrolled)',
  '  --arch        x64 (default, 0x0010) or arm64 (0x0013)',
  '  --shim        boot shim (grub2/shimx64.efi) instead of grub2/grubx64.efi',
  '  --file PATH   boot file path under /httpboot/',
].join('\n');

export function parseSnippetArgs(argv: string[]): SnippetArgs {
  const out: SnippetArgs = { https: false, arch: 'x64', shim: false };
  const valueOf = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const take = () => inline ?? valueOf(i++, name);
    if (name === '--isc' || name === '--kea' || name === '--libvirt') {
      if (out.server) throw new Error('give one of --isc, --kea and --libvirt');
      out.server = name.slice(2) as DhcpServerKind;
    } else if (name === '--settings' || name === '-s') out.settings = take();
    else if (name === '--host') out.host = take();
    else if (name === '--https') out.https = true;
    else if (name === '--help' || name === '-h') out.help = true;
    else if (name === '--shim') out.shim = true;
    else if (name === '--file') out.file = take().replace(/^\/+/, '');
    else if (name === '--arch') {
      const v = take();
      if (v !== 'x64' && v !== 'arm64') throw new Error(`--arch must be x64 or arm64, not '${v}'`);
      out.arch = v;
    } else throw new Error(`unknown argument '${a}'\n${SNIPPET_USAGE}`);
  }
  if (!out.server && !out.help) throw new Error(`give --isc, --kea or --libvirt\n${SNIPPET_USAGE}`);
  return out;
}

function exposure(enabled: unknown): { http: boolean; https: boolean } {
  return { http: enabled === true || enabled === 'http', https: enabled === true || enabled === 'https' };
}

const WILDCARDS = ['*', '0.0.0.0', '::', '[::]'];

function machineAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

/** The host part of the URL: --host, else the first bind_host that is a single address or name. */
function hostFor(args: SnippetArgs, global: GlobalSettings): string {
  if (args.host) return args.host;
  const bound = (global.bind_host ?? []).map(String).find((h) => !WILDCARDS.includes(h));
  if (bound) return bound.includes(':') ? `[${bound}]` : bound;
  const here = machineAddresses();
  throw new Error(`bind_host is ${JSON.stringify(global.bind_host)}: give the address or name firmware reaches this proxy at with --host${here.length ? ` (this machine has ${here.join(', ')})` : ''}`);
}

export interface SnippetContext {
  global: GlobalSettings;
  settingsSource: SettingsSource;
  /** Where the settings came from, for the header comment. */
  source: string;
}

/** Snippet options from the arguments and the proxy's own settings; throws with the reason. */
export function snippetOptions(args: SnippetArgs, ctx: SnippetContext): { options: SnippetOptions; warnings: string[] } {
  const { global } = ctx;
  const httpboot: Settings = ctx.settingsSource('httpboot') ?? {};
  const where = `${path.join(global.settings_directory, 'httpboot.yml')}`;
  const exposed = exposure(httpboot.enabled);
  const scheme = args.https ? 'https' : 'http';
  if (!exposed[scheme]) {
    throw new Error(`the httpboot module is not enabled for ${scheme.toUpperCase()} (enabled: ${JSON.stringify(httpboot.enabled ?? false)} in ${where}): firmware would be sent to a URL nobody serves`);
  }
  let port: number;
  if (scheme === 'https') {
    if (!httpsConfigured(global)) throw new Error('HTTPS is not configured (ssl_certificate, ssl_private_key and ssl_ca_file in settings.yml)');
    port = global.https_port;
  } else {
    if (global.http_port === null || global.http_port === undefined) throw new Error('http_port is not set in settings.yml: there is no HTTP listener');
    port = global.http_port;
  }
  const host = hostFor(args, global);
  const file = args.file ?? (args.shim ? ARCHES[args.arch].shim : ARCHES[args.arch].loader);
  const warnings: string[] = [];
  if (/^(127\.|\[?::1\]?$|localhost$)/.test(host)) warnings.push(`${host} is a loopback address: firmware on another machine cannot reach it (use --host)`);
  const rootDir = path.resolve(global.base_dir ?? process.cwd(), String(httpboot.root_dir ?? '/var/lib/tftpboot'));
  if (!fs.existsSync(path.join(rootDir, file))) warnings.push(`${path.join(rootDir, file)} does not exist yet (the boot loader Foreman deploys into the TFTP root)`);
  const url = `${scheme}://${host}:${port}/httpboot/${file}`;
  return { options: { server: args.server!, url, arch: args.arch, source: ctx.source }, warnings };
}

/** Global settings and module settings as `run` would load them (embedded default when no file). */
export function snippetContext(settingsFile: string | undefined, embedded: () => { global: GlobalSettings; settingsSource: SettingsSource }): SnippetContext {
  if (!settingsFile) return { ...embedded(), source: 'the embedded default settings' };
  const file = path.resolve(settingsFile);
  const global = loadGlobalSettings(file);
  return { global, settingsSource: fileSettingsSource({ global, httpsConfigured: httpsConfigured(global) }), source: file };
}

/** The command: snippet on stdout, warnings on stderr; exit code 0, or 2 with the reason. */
export function dhcpSnippetMain(argv: string[], settingsFile: string | undefined,
  embedded: () => { global: GlobalSettings; settingsSource: SettingsSource }): number {
  try {
    const args = parseSnippetArgs(argv);
    if (args.help) {
      process.stdout.write(`${SNIPPET_USAGE}\n`);
      return 0;
    }
    const ctx = snippetContext(args.settings ?? settingsFile, embedded);
    const { options, warnings } = snippetOptions(args, ctx);
    const text = renderSnippet(options);
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(text);
    return 0;
  } catch (err) {
    process.stderr.write(`smart-proxy dhcp-snippet: ${(err as Error).message}\n`);
    return 2;
  }
}
