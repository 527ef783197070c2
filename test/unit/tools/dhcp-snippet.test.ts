import type { SettingsSource } from '../../../src/core/registry';
import { globalSettingsFrom, Settings } from '../../../src/core/settings';
import { parseXml } from '../../../src/modules/dhcp/providers/libvirt/xml-reader';
import { parseSnippetArgs, snippetOptions, SnippetContext } from '../../../src/tools/dhcp-snippet';
import { renderSnippet, vendorClassPrefix } from '../../../src/tools/dhcp-snippet-render';

function ctx(global: Settings, modules: Record<string, Settings>): SnippetContext {
  const source: SettingsSource = (name) => modules[name];
  return { global: globalSettingsFrom({ bind_host: '*', log_file: 'STDOUT', ...global }, '/etc/foreman-proxy'), settingsSource: source, source: 'test' };
}

describe('dhcp-snippet', () => {
  test('vendor class prefixes: architecture in 5 decimal digits', () => {
    expect(vendorClassPrefix('x64')).toBe('HTTPClient:Arch:00016');
    expect(vendorClassPrefix('arm64')).toBe('HTTPClient:Arch:00019');
  });

  test('arguments', () => {
    expect(parseSnippetArgs(['--isc'])).toEqual({ server: 'isc', https: false, arch: 'x64', shim: false });
    expect(parseSnippetArgs(['--kea', '--host=pxe.example.com', '--https', '--arch', 'arm64', '--shim']))
      .toEqual({ server: 'kea', host: 'pxe.example.com', https: true, arch: 'arm64', shim: true });
    expect(parseSnippetArgs(['--libvirt', '--arch=arm64'])).toEqual({ server: 'libvirt', https: false, arch: 'arm64', shim: false });
    expect(() => parseSnippetArgs([])).toThrow(/give --isc, --kea or --libvirt/);
    expect(() => parseSnippetArgs(['--isc', '--kea'])).toThrow(/one of --isc, --kea and --libvirt/);
    expect(() => parseSnippetArgs(['--libvirt', '--kea'])).toThrow(/one of --isc, --kea and --libvirt/);
    expect(() => parseSnippetArgs(['--isc', '--arch', 'ia32'])).toThrow(/x64 or arm64/);
    expect(() => parseSnippetArgs(['--isc', '--host'])).toThrow(/--host needs a value/);
    expect(() => parseSnippetArgs(['--isc', '--bogus'])).toThrow(/unknown argument '--bogus'/);
  });

  test('URL from the global ports and the httpboot module; host from bind_host or --host', () => {
    const c = ctx({ http_port: 8000, bind_host: ['10.0.0.1'] }, { httpboot: { enabled: true } });
    expect(snippetOptions(parseSnippetArgs(['--isc']), c).options.url).toBe('http://10.0.0.1:8000/httpboot/grub2/grubx64.efi');
    expect(snippetOptions(parseSnippetArgs(['--isc', '--host', 'pxe', '--shim']), c).options.url).toBe('http://pxe:8000/httpboot/grub2/shimx64.efi');
    expect(snippetOptions(parseSnippetArgs(['--isc', '--arch', 'arm64']), c).options.url).toBe('http://10.0.0.1:8000/httpboot/grub2/grubaa64.efi');
    expect(snippetOptions(parseSnippetArgs(['--isc', '--file', '/boot/ipxe.efi']), c).options.url).toBe('http://10.0.0.1:8000/httpboot/boot/ipxe.efi');
  });

  test('HTTPS: https_port, only when HTTPS is configured and httpboot is enabled for it', () => {
    const ssl = { ssl_certificate: '/c.pem', ssl_private_key: '/k.pem', ssl_ca_file: '/ca.pem', https_port: 9443 };
    const on = ctx({ http_port: 8000, ...ssl }, { httpboot: { enabled: true } });
    expect(snippetOptions(parseSnippetArgs(['--kea', '--https', '--host', 'pxe.example.com']), on).options.url)
      .toBe('https://pxe.example.com:9443/httpboot/grub2/grubx64.efi');
    expect(() => snippetOptions(parseSnippetArgs(['--kea', '--https', '--host', 'x']), ctx({ http_port: 8000 }, { httpboot: { enabled: true } })))
      .toThrow(/HTTPS is not configured/);
    expect(() => snippetOptions(parseSnippetArgs(['--kea', '--https', '--host', 'x']), ctx({ http_port: 8000, ...ssl }, { httpboot: { enabled: 'http' } })))
      .toThrow(/not enabled for HTTPS/);
  });

  test('clear errors: httpboot off, no HTTP port, wildcard bind_host without --host', () => {
    expect(() => snippetOptions(parseSnippetArgs(['--isc', '--host', 'x']), ctx({ http_port: 8000 }, {}))).toThrow(/httpboot module is not enabled for HTTP/);
    expect(() => snippetOptions(parseSnippetArgs(['--isc', '--host', 'x']), ctx({}, { httpboot: { enabled: true } }))).toThrow(/http_port is not set/);
    expect(() => snippetOptions(parseSnippetArgs(['--isc']), ctx({ http_port: 8000 }, { httpboot: { enabled: true } }))).toThrow(/bind_host is \["\*"\]: give .* with --host/);
  });

  test('a loopback host and a missing loader are warnings, not errors', () => {
    const { warnings } = snippetOptions(parseSnippetArgs(['--isc']), ctx({ http_port: 8000, bind_host: '127.0.0.1' }, { httpboot: { enabled: true, root_dir: '/nonexistent' } }));
    expect(warnings.join('\n')).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(warnings.join('\n')).toMatch(/\/nonexistent\/grub2\/grubx64\.efi does not exist yet/);
  });

  test('ISC: a class matching the x64 HTTP client, option 60 and the URL', () => {
    const text = renderSnippet({ server: 'isc', url: 'http://10.0.0.1:8000/httpboot/grub2/grubx64.efi', arch: 'x64', source: 's' });
    expect(text).toContain('match if substring (option vendor-class-identifier, 0, 21) = "HTTPClient:Arch:00016";');
    expect(text).toContain('option vendor-class-identifier "HTTPClient";');
    expect(text).toContain('filename "http://10.0.0.1:8000/httpboot/grub2/grubx64.efi";');
  });

  test('Kea: a client class with the test, the boot file and option 60 always sent', () => {
    const text = renderSnippet({ server: 'kea', url: 'http://10.0.0.1:8000/httpboot/grub2/grubx64.efi', arch: 'x64', source: 's' });
    const json = JSON.parse(`{${text.split('\n').filter((l) => !l.startsWith('//')).join('\n')}}`);
    expect(json['client-classes']).toEqual([{
      name: 'foreman-proxy-httpboot-x64',
      test: "substring(option[60].hex, 0, 21) == 'HTTPClient:Arch:00016'",
      'boot-file-name': 'http://10.0.0.1:8000/httpboot/grub2/grubx64.efi',
      'option-data': [{ name: 'vendor-class-identifier', data: 'HTTPClient', 'always-send': true }],
    }]);
  });

  test('libvirt: the dnsmasq namespace on <network> and the three options, tagged per architecture', () => {
    const text = renderSnippet({ server: 'libvirt', url: 'http://10.0.0.1:8000/httpboot/grub2/grubx64.efi', arch: 'x64', source: '/etc/a--b/settings.yml' });
    const root = parseXml(text);
    // XML forbids `--` inside a comment; libvirt would refuse the definition pasted with it.
    expect(text.replace(/<!--|-->/g, '')).not.toContain('--');
    expect(root.name).toBe('network');
    expect(root.attributes).toEqual({ 'xmlns:dnsmasq': 'http://libvirt.org/schemas/network/dnsmasq/1.0' });
    expect(root.children.map((c) => c.name)).toEqual(['dnsmasq:options']);
    expect(root.children[0].children.map((c) => c.attributes.value)).toEqual([
      'dhcp-vendorclass=set:efihttp-x64,HTTPClient:Arch:00016',
      'dhcp-boot=tag:efihttp-x64,http://10.0.0.1:8000/httpboot/grub2/grubx64.efi',
      'dhcp-option-force=tag:efihttp-x64,60,HTTPClient',
    ]);
    expect(text).toContain('from /etc/a- -b/settings.yml.');
    const arm = parseXml(renderSnippet({ server: 'libvirt', url: 'http://h:8000/httpboot/grub2/grubaa64.efi', arch: 'arm64', source: 's' }));
    expect(arm.children[0].children[0].attributes.value).toBe('dhcp-vendorclass=set:efihttp-arm64,HTTPClient:Arch:00019');
  });

  test('libvirt: an ampersand is escaped for XML; a comma (dnsmasq\'s separator) is refused', () => {
    const text = renderSnippet({ server: 'libvirt', url: 'http://h:8000/httpboot/a&b.efi', arch: 'x64', source: 's' });
    expect(text).toContain("value='dhcp-boot=tag:efihttp-x64,http://h:8000/httpboot/a&amp;b.efi'");
    expect(parseXml(text).children[0].children[1].attributes.value).toBe('dhcp-boot=tag:efihttp-x64,http://h:8000/httpboot/a&b.efi');
    expect(() => renderSnippet({ server: 'libvirt', url: 'http://h:8000/httpboot/a,b.efi', arch: 'x64', source: 's' })).toThrow(/comma/);
    expect(renderSnippet({ server: 'isc', url: 'http://h:8000/httpboot/a,b.efi', arch: 'x64', source: 's' })).toContain('a,b.efi');
  });

  test('URLs a DHCP reply cannot carry are refused', () => {
    expect(() => renderSnippet({ server: 'isc', url: `http://h:8000/httpboot/${'a'.repeat(120)}`, arch: 'x64', source: 's' })).toThrow(/127 bytes/);
    expect(() => renderSnippet({ server: 'isc', url: 'http://h:8000/httpboot/a"b', arch: 'x64', source: 's' })).toThrow(/quote/);
  });
});
