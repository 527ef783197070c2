import * as fs from 'fs';
import * as path from 'path';
import { GLOBAL_DEFAULTS } from '../../../src/core/settings';
import { GLOBAL_SETTING_DOCS } from '../../../src/core/settings-docs';
import { MODULES, PROVIDERS } from '../../../src/modules';
import { MODULE_DOC_PAGES, MODULE_SETTING_DOCS } from '../../../src/modules/setting-docs';
import { declaredKeys, renderSettingsDoc, SETTINGS_DOC_PATH, undocumentedSettings } from '../../../src/tools/settings-doc';

/** docs/settings.md is generated from the declarations: these tests keep the two in step. */
describe('docs/settings.md', () => {
  test('is exactly what the generator produces (run `npm run docs:settings` after changing a setting)', () => {
    expect(fs.readFileSync(SETTINGS_DOC_PATH, 'utf8')).toBe(renderSettingsDoc());
  });

  test('every declared setting has a description (src/core/settings-docs.ts, src/modules/setting-docs.ts)', () => {
    expect(undocumentedSettings()).toEqual([]);
  });

  test('a declared setting without a description is reported', () => {
    const moduleText = MODULE_SETTING_DOCS.tftp.tftproot;
    const globalText = GLOBAL_SETTING_DOCS.log_level;
    delete MODULE_SETTING_DOCS.tftp.tftproot;
    delete GLOBAL_SETTING_DOCS.log_level;
    try {
      expect(undocumentedSettings()).toEqual(['settings.yml: log_level', 'tftp: tftproot']);
    } finally {
      MODULE_SETTING_DOCS.tftp.tftproot = moduleText;
      GLOBAL_SETTING_DOCS.log_level = globalText;
    }
  });

  test('lists every global default and every key of every implemented module and provider', () => {
    const doc = renderSettingsDoc();
    for (const k of Object.keys(GLOBAL_DEFAULTS)) expect(doc).toContain(`| \`${k}\` |`);
    for (const d of [...MODULES.filter((m) => !m.root && !m.notImplemented), ...PROVIDERS]) {
      expect(doc).toContain(`\`settings.d/${d.name}.yml\``);
      for (const k of declaredKeys(d)) expect(doc).toContain(`| \`${k}\` |`);
    }
  });

  test('shows defaults, checks and exposure from the declarations', () => {
    const doc = renderSettingsDoc();
    expect(doc).toMatch(/\| `verify_server_cert` \| `true` \| non-empty, `true`\/`false` \| no \|/);
    expect(doc).toMatch(/\| `tftp_servername` \| unset \| — \| yes \|/);
    expect(doc).toMatch(/\| `config` \| `\/etc\/dhcp\/dhcpd.conf` \| non-empty, path, readable file \|/);
    expect(doc).toMatch(/\| `https_port` \| computed \| — \| yes \|/);
    expect(doc).toMatch(/\| `enabled` \| `true` \|/); // logs is on by default
  });

  test('links only pages that exist in docs/', () => {
    const docs = path.dirname(SETTINGS_DOC_PATH);
    const linked = [...renderSettingsDoc().matchAll(/\]\(([^)#]+\.md)\)/g)].map((m) => m[1]);
    expect(linked.length).toBeGreaterThan(3);
    for (const page of new Set([...linked, ...Object.values(MODULE_DOC_PAGES).flat()])) {
      expect(fs.existsSync(path.join(docs, page)) ? page : `missing docs/${page}`).toBe(page);
    }
  });
});
