import * as fs from 'fs';
import * as path from 'path';
import { log, logBuffer } from './log';
import type {
  Capability, Exposure, ModuleIntrospection, ModuleDeclaration, ProviderDeclaration, RuntimeInfo, StartedModule, StartedProvider,
} from './module';
import { moduleSettingsFile, readSettingsFile, Settings } from './settings';
import { checkPresence, runValidator } from './validators';

export type ModuleState = 'uninitialized' | 'starting' | 'running' | 'disabled' | 'failed';

/** Where module settings come from: files in settings_directory, or an in-memory map (embedded default). */
export type SettingsSource = (name: string) => Settings | undefined;

export function fileSettingsSource(runtime: RuntimeInfo): SettingsSource {
  return (name) => {
    const file = moduleSettingsFile(runtime.global, name);
    if (!fs.existsSync(file)) {
      log.warn(`Couldn't find settings file ${file}. Using default settings.`);
      return undefined;
    }
    return readSettingsFile(file);
  };
}

interface ProviderRuntime {
  decl: ProviderDeclaration;
  settings: Settings;
  started?: StartedProvider;
}

export interface ModuleRuntime {
  decl: ModuleDeclaration;
  state: ModuleState;
  exposure: Exposure;
  settings: Settings | null;
  providers: ProviderRuntime[];
  started?: StartedModule;
  failure?: string;
}

function exposureOf(enabled: unknown): Exposure | null {
  if (enabled === true) return { http: true, https: true };
  if (enabled === 'http') return { http: true, https: false };
  if (enabled === 'https') return { http: false, https: true };
  return null;
}

function resolvePaths(settings: Settings, keys: string[] | undefined, baseDir: string): Settings {
  const out = { ...settings };
  for (const k of keys ?? []) if (typeof out[k] === 'string' && out[k] !== '') out[k] = path.resolve(baseDir, out[k]);
  return out;
}

function validate(defaults: Settings, validators: ModuleDeclaration['validators'], settings: Settings): void {
  checkPresence(defaults, settings);
  for (const v of validators ?? []) runValidator(v, settings);
}

/** Resolves modules and providers into groups, starts them, and records states (reference §1.3–§1.5). */
export class ModuleRegistry implements ModuleIntrospection {
  readonly modules: ModuleRuntime[];

  constructor(modules: ModuleDeclaration[], private readonly providers: ProviderDeclaration[], private readonly runtime: RuntimeInfo) {
    this.modules = modules.map((decl) => ({
      decl, state: 'uninitialized', exposure: { http: false, https: false }, settings: null, providers: [],
    }));
  }

  async initialize(source: SettingsSource): Promise<void> {
    for (const m of this.modules) await this.initializeGroup(m, source);
  }

  private async initializeGroup(m: ModuleRuntime, source: SettingsSource): Promise<void> {
    const { decl } = m;
    if (decl.root) {
      m.exposure = { http: true, https: true };
      m.settings = { ...decl.defaultSettings };
      m.started = await decl.start({ name: decl.name, settings: m.settings, runtime: this.runtime, providers: [], modules: this });
      m.state = 'running';
      log.info(`Successfully initialized '${decl.name}'`);
      return;
    }
    let fileSettings: Settings = {};
    try {
      fileSettings = source(decl.name) ?? {};
    } catch (err) {
      this.fail(m, [decl.name], `Unable to read settings for '${decl.name}': ${(err as Error).message}`);
      return;
    }
    const enabled = 'enabled' in fileSettings ? fileSettings.enabled : decl.defaultEnabled ?? false;
    const exposure = exposureOf(enabled);
    if (!exposure) {
      m.state = 'disabled';
      return;
    }
    m.state = 'starting';
    m.exposure = exposure;
    if (decl.notImplemented) {
      this.fail(m, [decl.name], `module '${decl.name}' is not provided by this smart proxy`);
      return;
    }
    const { enabled: _ignored, ...own } = fileSettings;
    let settings: Settings = resolvePaths({ ...decl.defaultSettings, ...own }, decl.pathSettings, this.runtime.global.base_dir);
    if (decl.programmableSettings) settings = { ...settings, ...decl.programmableSettings(settings, exposure, this.runtime) };
    m.settings = settings;

    if (decl.usesProviders) {
      const names: string[] = (Array.isArray(settings.use_provider) ? settings.use_provider : [settings.use_provider]).map(String);
      const missing = names.filter((n) => !this.providers.some((p) => p.name === n && p.module === decl.name));
      if (missing.length) {
        this.fail(m, [decl.name], `following providers are not available [${missing.map((n) => `'${n}'`).join(', ')}]`, false);
        return;
      }
      m.providers = names.map((n) => ({ decl: this.providers.find((p) => p.name === n)!, settings: {} }));
    }
    const group = [...m.providers.map((p) => p.decl.name), decl.name];

    try {
      validate(decl.defaultSettings, decl.validators, settings);
      for (const p of m.providers) {
        const { enabled: _e, ...provOwn } = source(p.decl.name) ?? {};
        const merged = resolvePaths({ ...p.decl.defaultSettings, ...provOwn }, p.decl.pathSettings, this.runtime.global.base_dir);
        const conflicts = Object.keys(merged).filter((k) => k in settings);
        if (conflicts.length) {
          throw new Error(`Provider '${p.decl.name}' settings conflict with the main plugin's settings: [${conflicts.map((k) => `'${k}'`).join(', ')}]`);
        }
        p.settings = { ...settings, ...merged };
        validate(p.decl.defaultSettings, p.decl.validators, p.settings);
      }
      for (const p of m.providers) {
        p.started = await p.decl.start({ name: p.decl.name, settings: p.settings, runtime: this.runtime });
        log.info(`Successfully initialized '${p.decl.name}'`);
      }
      m.started = await decl.start({
        name: decl.name, settings, runtime: this.runtime, providers: m.providers.map((p) => p.started!.instance), modules: this,
      });
      m.state = 'running';
      log.info(`Successfully initialized '${decl.name}'`);
    } catch (err) {
      await this.stopProviders(m);
      this.fail(m, group, (err as Error).message);
    }
  }

  private async stopProviders(m: ModuleRuntime): Promise<void> {
    for (const p of m.providers) {
      try {
        await p.started?.stop?.();
      } catch (err) {
        log.error(`Error stopping '${p.decl.name}': ${(err as Error).message}`);
      }
      p.started = undefined;
    }
  }

  private fail(m: ModuleRuntime, group: string[], message: string, dueToMember = true): void {
    const groupText = `[${group.map((n) => `'${n}'`).join(', ')}]`;
    const full = dueToMember
      ? `Disabling all modules in the group ${groupText} due to a failure in one of them: ${message}`
      : `Disabling all modules in the group ${groupText}: ${message}`;
    m.state = 'failed';
    m.exposure = { http: false, https: false };
    log.error(full);
    for (const name of group) logBuffer().failedModules[name] = full;
  }

  running(): ModuleRuntime[] {
    return this.modules.filter((m) => m.state === 'running');
  }

  runningNames(): string[] {
    return this.running().filter((m) => !m.decl.root).map((m) => m.decl.name);
  }

  private capabilities(m: ModuleRuntime): string[] {
    if (m.state === 'uninitialized') return [];
    const ctx = { settings: m.settings ?? {}, runtime: this.runtime };
    const all: Capability[] = [...(m.decl.capabilities ?? []), ...m.providers.flatMap((p) => p.decl.capabilities ?? [])];
    const out = new Set<string>();
    for (const c of all) {
      const v = typeof c === 'function' ? (m.state === 'running' ? c(ctx) : null) : c;
      for (const s of [v].flat()) if (s !== null && s !== undefined) out.add(String(s));
    }
    return [...out].sort();
  }

  /** The body of GET /v2/features. */
  v2Features(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const m of this.modules) {
      if (m.decl.root) continue;
      const settings: Settings = {};
      for (const k of m.decl.exposedSettings ?? []) settings[k] = m.settings && k in m.settings ? m.settings[k] : null;
      out[m.decl.name] = {
        http_enabled: m.state === 'running' && m.exposure.http,
        https_enabled: m.state === 'running' && m.exposure.https,
        settings,
        state: m.state === 'starting' ? 'failed' : m.state,
        capabilities: this.capabilities(m),
      };
    }
    return out;
  }

  async stop(): Promise<void> {
    for (const m of this.modules) {
      try {
        await m.started?.stop?.();
      } catch (err) {
        log.error(`Error stopping '${m.decl.name}': ${(err as Error).message}`);
      }
      await this.stopProviders(m);
    }
  }
}
