import type { ModuleDeclaration, ProviderDeclaration, RuntimeInfo } from '../../../src/core/module';
import { logBuffer } from '../../../src/core/log';
import { ModuleRegistry } from '../../../src/core/registry';
import { globalSettingsFrom, Settings } from '../../../src/core/settings';

const runtime: RuntimeInfo = { global: globalSettingsFrom({ http_port: 8000 }, '/'), httpsConfigured: false };
const started: string[] = [];
const stopped: string[] = [];

function mod(name: string, extra: Partial<ModuleDeclaration> = {}): ModuleDeclaration {
  return { name, defaultSettings: {}, start: () => { started.push(name); return { mounts: [], stop: () => { stopped.push(name); } }; }, ...extra };
}

function provider(name: string, extra: Partial<ProviderDeclaration> = {}): ProviderDeclaration {
  return {
    name, module: 'svc', defaultSettings: {},
    start: () => { started.push(name); return { instance: name, stop: () => { stopped.push(name); } }; },
    ...extra,
  };
}

async function registry(mods: ModuleDeclaration[], provs: ProviderDeclaration[], files: Record<string, Settings>) {
  const r = new ModuleRegistry(mods, provs, runtime);
  await r.initialize((n) => files[n]);
  return r;
}

beforeEach(() => { started.length = 0; stopped.length = 0; });

describe('enabled semantics (reference §1.3)', () => {
  test.each([
    [true, true, true, 'running'], ['http', true, false, 'running'], ['https', false, true, 'running'],
    [false, false, false, 'disabled'], ['true', false, false, 'disabled'], ['HTTP', false, false, 'disabled'],
    ['yes', false, false, 'disabled'], [undefined, false, false, 'disabled'],
  ])('enabled: %p -> http %p https %p %s', async (enabled, http, https, state) => {
    const r = await registry([mod('a')], [], { a: enabled === undefined ? {} : { enabled } });
    expect(r.v2Features().a).toMatchObject({ http_enabled: http, https_enabled: https, state });
  });

  test('a module enabled by default runs without a settings file', async () => {
    const r = await registry([mod('logs', { defaultEnabled: true })], [], {});
    expect(r.v2Features().logs).toEqual({ http_enabled: true, https_enabled: true, settings: {}, state: 'running', capabilities: [] });
  });
});

describe('validation and failure messages (reference §1.3, §1.5)', () => {
  test('presence of every defaulted key', async () => {
    const r = await registry([mod('t', { defaultSettings: { root: '/x' } })], [], { t: { enabled: true, root: '' } });
    expect(r.v2Features().t).toMatchObject({ state: 'failed', http_enabled: false, https_enabled: false });
    expect(logBuffer().failedModules.t).toBe("Disabling all modules in the group ['t'] due to a failure in one of them: Parameter 'root' is expected to have a non-empty value");
  });

  test('boolean, file_readable, url and enum validators', async () => {
    const cases: Array<[ModuleDeclaration['validators'], Settings, string]> = [
      [[{ kind: 'boolean', key: 'v' }], { v: 'yes' }, "Setting 'v' is expected to be true/false"],
      [[{ kind: 'file_readable', key: 'f' }], { f: '/nonexistent/file' }, "File at '/nonexistent/file' defined in 'f' parameter doesn't exist or is unreadable"],
      [[{ kind: 'url', key: 'u' }], { u: 'localhost' }, "Setting 'u' is missing a scheme"],
      [[{ kind: 'url', key: 'u' }], { u: 3 }, "Setting 'u' is expected to contain a url"],
      [[{ kind: 'enum', key: 'e', values: ['a', 'b'] }], { e: 'c' }, "Parameter 'e' must be one of a, b"],
    ];
    for (const [validators, settings, message] of cases) {
      await registry([mod('v', { validators })], [], { v: { enabled: true, ...settings } });
      expect(logBuffer().failedModules.v).toBe(`Disabling all modules in the group ['v'] due to a failure in one of them: ${message}`);
    }
  });

  test('a failed module does not stop the others', async () => {
    const r = await registry([mod('bad', { validators: [{ kind: 'boolean', key: 'x' }] }), mod('good')], [], {
      bad: { enabled: true, x: 1 }, good: { enabled: true },
    });
    expect(r.v2Features().bad).toMatchObject({ state: 'failed' });
    expect(r.v2Features().good).toMatchObject({ state: 'running' });
    expect(r.runningNames()).toEqual(['good']);
  });
});

describe('providers (reference §1.4)', () => {
  const svc = () => mod('svc', { usesProviders: true, defaultSettings: { use_provider: 'p1', server: '127.0.0.1' }, exposedSettings: ['use_provider'], capabilities: ['z'] });

  test('the provider gets its settings merged with the main module and its capabilities are listed', async () => {
    let seen: Settings = {};
    const p1 = provider('p1', { defaultSettings: { port: 7 }, capabilities: ['b', 'a', () => 'c'], start: (ctx) => { seen = ctx.settings; return { instance: 1 }; } });
    const r = await registry([svc()], [p1], { svc: { enabled: true }, p1: { port: 9, enabled: false } });
    expect(seen).toEqual({ use_provider: 'p1', server: '127.0.0.1', port: 9 });
    expect(r.v2Features().svc).toEqual({ http_enabled: true, https_enabled: true, settings: { use_provider: 'p1' }, state: 'running', capabilities: ['a', 'b', 'c', 'z'] });
  });

  test('an unknown provider fails the group with the baseline message', async () => {
    const r = await registry([svc()], [provider('p1')], { svc: { enabled: true, use_provider: 'p_foo' } });
    expect(r.v2Features().svc).toMatchObject({ state: 'failed', settings: { use_provider: 'p_foo' }, capabilities: ['z'] });
    expect(logBuffer().failedModules.svc).toBe("Disabling all modules in the group ['svc']: following providers are not available ['p_foo']");
  });

  test('a provider key named like a main key is a conflict', async () => {
    await registry([svc()], [provider('p1', { defaultSettings: { server: 'x' } })], { svc: { enabled: true } });
    expect(logBuffer().failedModules.p1).toBe("Disabling all modules in the group ['p1', 'svc'] due to a failure in one of them: Provider 'p1' settings conflict with the main plugin's settings: ['server']");
  });

  test('a failing provider stops what was started; computed capabilities are hidden, static ones kept', async () => {
    const p1 = provider('p1', { capabilities: ['s', () => 'computed'], validators: [{ kind: 'boolean', key: 'flag' }], defaultSettings: { flag: true } });
    const r = await registry([svc()], [p1], { svc: { enabled: true }, p1: { flag: 'no' } });
    expect(r.v2Features().svc).toMatchObject({ state: 'failed', capabilities: ['s', 'z'] });
    const boom = provider('p1', { start: () => { throw new Error('boom'); } });
    const other = provider('p0', { module: 'svc' });
    const svc2 = mod('svc', { usesProviders: true, defaultSettings: { use_provider: ['p0', 'p1'] } });
    await registry([svc2], [other, boom], { svc: { enabled: true } });
    expect(stopped).toContain('p0');
    expect(logBuffer().failedModules.svc).toBe("Disabling all modules in the group ['p0', 'p1', 'svc'] due to a failure in one of them: boom");
  });

  test('a disabled module shows null exposed settings and no provider capabilities', async () => {
    const r = await registry([svc()], [provider('p1', { capabilities: ['x'] })], {});
    expect(r.v2Features().svc).toEqual({ http_enabled: false, https_enabled: false, settings: { use_provider: null }, state: 'disabled', capabilities: ['z'] });
  });
});
