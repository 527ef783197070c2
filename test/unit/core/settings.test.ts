import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { globalSettingsFrom, loadGlobalSettings, parseSettingsText } from '../../../src/core/settings';

describe('settings files', () => {
  test('keys with and without the leading colon', () => {
    expect(parseSettingsText(':http_port: 8000\nhttps_port: 9443\n:enabled: true\n')).toEqual({ http_port: 8000, https_port: 9443, enabled: true });
    expect(parseSettingsText('')).toEqual({});
    expect(parseSettingsText('---\n')).toEqual({});
  });

  test('global defaults (reference §1.2 and global_settings_test)', () => {
    const g = globalSettingsFrom({}, '/etc/foreman-proxy');
    expect(g.https_port).toBe(8443);
    expect(g.http_port).toBeNull();
    expect(g.bind_host).toEqual(['*']);
    expect(g.log_level).toBe('INFO');
    expect(g.log_file).toBe('/var/log/foreman-proxy/proxy.log');
    expect(g.log_buffer).toBe(2000);
    expect(g.log_buffer_errors).toBe(1000);
    expect(g.forward_verify).toBe(true);
    expect(g.settings_directory).toBe('/etc/foreman-proxy/settings.d');
    expect(g.trusted_hosts).toBeUndefined();
  });

  test('scalar bind_host becomes a list; foreman_url gets a trailing slash; relative paths resolve against the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-settings-'));
    fs.writeFileSync(path.join(dir, 'settings.yml'), [
      ':bind_host: 127.0.0.1', ':foreman_url: https://foreman.example.com', ':settings_directory: conf.d',
      ':ssl_certificate: certs/proxy.pem', ':log_file: STDOUT', ':trusted_hosts:', '  - foreman.example.com', ':http_port: 8000',
    ].join('\n'));
    const g = loadGlobalSettings(path.join(dir, 'settings.yml'));
    expect(g.bind_host).toEqual(['127.0.0.1']);
    expect(g.foreman_url).toBe('https://foreman.example.com/');
    expect(g.settings_directory).toBe(path.join(dir, 'conf.d'));
    expect(g.ssl_certificate).toBe(path.join(dir, 'certs/proxy.pem'));
    expect(g.log_file).toBe('STDOUT');
    expect(g.trusted_hosts).toEqual(['foreman.example.com']);
    expect(g.http_port).toBe(8000);
    fs.rmSync(dir, { recursive: true });
  });

  test('log_buffer must be greater than 1', () => {
    expect(() => globalSettingsFrom({ log_buffer: 1 }, '/')).toThrow(/log_buffer/);
  });
});
