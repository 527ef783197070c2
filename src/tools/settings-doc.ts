#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { ModuleDeclaration, ProviderDeclaration } from '../core/module';
import { GLOBAL_DEFAULTS, GlobalSettings } from '../core/settings';
import { GLOBAL_SETTING_DOCS } from '../core/settings-docs';
import type { Validator } from '../core/validators';
import { MODULES, PROVIDERS } from '../modules';
import { MODULE_DOC_PAGES, MODULE_SETTING_DOCS } from '../modules/setting-docs';

/**
 * Renders docs/settings.md from the declarations: every global setting, and every setting of
 * every module and provider with its default, its checks, whether /v2/features shows it, and
 * its meaning. `npm run docs:settings` rewrites the file; `--check` only compares (exit 1 on
 * a difference). test/unit/tools/settings-doc.test.ts fails when the file drifts.
 */

export const SETTINGS_DOC_PATH = path.join(__dirname, '..', '..', 'docs', 'settings.md');

type Declaration = ModuleDeclaration<any> | ProviderDeclaration<any>;

function isModule(d: Declaration): d is ModuleDeclaration<any> {
  return !('module' in d);
}

/** Keys computed by programmableSettings (httpboot's ports): found by calling it once. */
function programmableKeys(d: Declaration): string[] {
  if (!isModule(d) || !d.programmableSettings) return [];
  const global = { ...GLOBAL_DEFAULTS, http_port: 8000, base_dir: '/' } as unknown as GlobalSettings;
  return Object.keys(d.programmableSettings({ ...d.defaultSettings }, { http: true, https: true }, { global, httpsConfigured: true }));
}

function validatedKeys(validators: Validator[] | undefined): string[] {
  return (validators ?? []).flatMap((v) => (v.kind === 'custom' ? [] : [v.key]));
}

/** Every key a declaration itself names: defaults, path settings, exposed, validated, computed. */
export function declaredKeys(d: Declaration): string[] {
  const keys = [
    ...Object.keys(d.defaultSettings),
    ...(d.pathSettings ?? []),
    ...(isModule(d) ? d.exposedSettings ?? [] : []),
    ...validatedKeys(d.validators),
    ...programmableKeys(d),
  ];
  return [...new Set(keys)];
}

/** Declared keys with no description: the test requires this to be empty. */
export function undocumentedSettings(): string[] {
  const missing = Object.keys(GLOBAL_DEFAULTS).filter((k) => !GLOBAL_SETTING_DOCS[k]).map((k) => `settings.yml: ${k}`);
  for (const d of documentedDeclarations()) {
    const docs = MODULE_SETTING_DOCS[d.name] ?? {};
    for (const k of declaredKeys(d)) if (!docs[k]) missing.push(`${d.name}: ${k}`);
  }
  return missing;
}

function documentedDeclarations(): Declaration[] {
  const modules = MODULES.filter((m) => !m.root && !m.notImplemented);
  return [...modules, ...PROVIDERS.filter((p) => modules.some((m) => m.name === p.module))];
}

function value(v: unknown): string {
  if (v === undefined) return 'unset';
  const text = typeof v === 'string' ? v : yaml.dump(v, { flowLevel: 0 }).trim();
  return `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function checksOf(d: Declaration, key: string): string {
  const out: string[] = [];
  if (key in d.defaultSettings) out.push('non-empty');
  if (d.pathSettings?.includes(key)) out.push('path');
  for (const v of d.validators ?? []) {
    if (v.kind === 'custom' || v.key !== key) continue;
    if (v.kind === 'boolean') out.push('`true`/`false`');
    else if (v.kind === 'file_readable') out.push('readable file');
    else if (v.kind === 'url') out.push('URL with a scheme');
    else out.push(`one of ${v.values.map((x) => `\`${x}\``).join(', ')}`);
  }
  return out.join(', ') || '—';
}

function enabledRow(m: ModuleDeclaration<any>): string {
  const def = m.defaultEnabled ?? false;
  return `| \`enabled\` | ${value(def)} | \`true\`, \`false\`, \`http\`, \`https\` | — | Serve the module on both listeners (\`true\`), on one (\`http\`, \`https\`), or not at all (\`false\`, absent, or any other value). |`;
}

function settingsTable(d: Declaration): string[] {
  const docs = MODULE_SETTING_DOCS[d.name] ?? {};
  const computed = programmableKeys(d);
  const exposed = isModule(d) ? d.exposedSettings ?? [] : [];
  const keys = [...new Set([...declaredKeys(d), ...Object.keys(docs)])];
  const rows = ['| key | default | checks | in /v2/features | meaning |', '|---|---|---|---|---|'];
  if (isModule(d)) rows.push(enabledRow(d));
  for (const k of keys) {
    const def = computed.includes(k) ? 'computed' : value(d.defaultSettings[k]);
    const shown = isModule(d) ? (exposed.includes(k) ? 'yes' : 'no') : `no (under \`${d.module}\`)`;
    rows.push(`| \`${k}\` | ${def} | ${checksOf(d, k)} | ${shown} | ${cell(docs[k] ?? '')} |`);
  }
  return rows;
}

function capabilitiesLine(d: Declaration): string {
  const caps = (d.capabilities ?? []).map((c) => (typeof c === 'string' ? `\`${c}\`` : '(computed at start)'));
  const where = isModule(d) ? 'in /v2/features' : `(listed under \`${d.module}\` in /v2/features)`;
  return `Capabilities ${where}: ${caps.length ? caps.join(', ') : 'none'}.`;
}

function seeAlso(name: string): string[] {
  const pages = MODULE_DOC_PAGES[name] ?? [];
  return pages.length ? [`See also: ${pages.map((p) => `[${p}](${p})`).join(', ')}.`, ''] : [];
}

function moduleSection(m: ModuleDeclaration<any>): string[] {
  const out = [`## \`${m.name}\` — \`settings.d/${m.name}.yml\``, '', ...settingsTable(m), '', capabilitiesLine(m), '', ...seeAlso(m.name)];
  for (const p of PROVIDERS.filter((x) => x.module === m.name)) {
    out.push(`### Provider \`${p.name}\` — \`settings.d/${p.name}.yml\``, '');
    out.push(`Active when \`${m.name}.yml\` has \`:use_provider: ${p.name}\`. Its settings are merged with \`${m.name}.yml\`'s (a key in both files fails the module); it has no \`enabled\` key.`, '');
    out.push(...settingsTable(p), '', capabilitiesLine(p), '', ...seeAlso(p.name));
  }
  return out;
}

function globalSection(): string[] {
  const keys = [...new Set([...Object.keys(GLOBAL_SETTING_DOCS), ...Object.keys(GLOBAL_DEFAULTS)])];
  const defaults = GLOBAL_DEFAULTS as Record<string, unknown>;
  const rows = ['| key | default | meaning |', '|---|---|---|'];
  for (const k of keys) {
    const def = k === 'http_port' ? 'unset: no HTTP listener' : value(defaults[k]);
    rows.push(`| \`${k}\` | ${def} | ${cell(GLOBAL_SETTING_DOCS[k] ?? '')} |`);
  }
  return ['## Global settings — `settings.yml`', '', ...rows, ''];
}

/** The whole of docs/settings.md. */
export function renderSettingsDoc(): string {
  const implemented = MODULES.filter((m) => !m.root && !m.notImplemented);
  const foreign = MODULES.filter((m) => m.notImplemented).map((m) => `\`${m.name}\``);
  const lines = [
    '# Settings reference',
    '',
    '<!-- Generated from the module declarations by `npm run docs:settings` (src/tools/settings-doc.ts). Do not edit: change src/core/settings-docs.ts or src/modules/setting-docs.ts and run it again. -->',
    '',
    'Every setting this proxy reads, with its default and meaning. How the files are found and',
    'written (colon keys, `enabled`, `use_provider`, relative paths) is in',
    '[configuration.md](configuration.md). Columns:',
    '',
    '- **default**: the value used when the key is absent; *unset* means no value (the feature is off).',
    '- **checks**: what start-up verifies; a failed check fails the module (state `failed` in',
    '  `/v2/features`, message in `GET /logs` under `failed_modules` and in `smart-proxy check`).',
    '  *non-empty*: a key with a default may not be set to an empty value; *path*: a relative value',
    '  is resolved against the folder of `settings.yml`.',
    '- **in /v2/features**: whether Foreman sees the value in the module\'s `settings`.',
    '',
    ...globalSection(),
    ...implemented.flatMap(moduleSection),
    '## Modules listed but not provided',
    '',
    `${foreign.join(', ')}: listed in \`/v2/features\` as \`disabled\`, as the Ruby proxy lists them when`,
    'they are off, so Foreman sees the same document. This proxy does not implement them: a settings',
    'file that enables one fails it with `module \'<name>\' is not provided by this smart proxy`.',
    '',
  ];
  return lines.join('\n');
}

function main(argv: string[]): number {
  const text = renderSettingsDoc();
  const missing = undocumentedSettings();
  if (missing.length) process.stderr.write(`settings without a description:\n  ${missing.join('\n  ')}\n`);
  if (argv.includes('--check')) {
    const current = fs.existsSync(SETTINGS_DOC_PATH) ? fs.readFileSync(SETTINGS_DOC_PATH, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${SETTINGS_DOC_PATH} is out of date: run npm run docs:settings\n`);
      return 1;
    }
    return missing.length ? 1 : 0;
  }
  const tmp = `${SETTINGS_DOC_PATH}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, SETTINGS_DOC_PATH);
  process.stdout.write(`wrote ${SETTINGS_DOC_PATH}\n`);
  return missing.length ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
