import type { ModuleDeclaration } from '../../core/module';

/**
 * Modules the Ruby proxy bundles but this proxy does not implement. They are listed in
 * /v2/features exactly as a Ruby proxy lists them when disabled, so Foreman sees the same
 * document; enabling one fails it with a clear message instead of pretending.
 */
function foreign(name: string, exposedSettings: string[], capabilities: string[] = []): ModuleDeclaration {
  return {
    name,
    notImplemented: true,
    defaultSettings: {},
    exposedSettings,
    capabilities,
    start: () => {
      throw new Error(`module '${name}' is not provided by this smart proxy`);
    },
  };
}

export const facts = foreign('facts', []);
export const dns = foreign('dns', ['use_provider']);
export const templates = foreign('templates', ['template_url']);
export const puppetca = foreign('puppetca', ['use_provider']);
export const puppet = foreign('puppet', ['use_provider']);
export const bmc = foreign('bmc', [], ['redfish', 'shell', 'ssh']);
export const realm = foreign('realm', ['use_provider']);
export const registration = foreign('registration', ['registration_url']);
