import RACK_MIME_TYPES from '../../../src/modules/httpboot/rack-mime-types.json';
import { contentTypeFor } from '../../../src/modules/httpboot/mime';

/*
 * Expected values written out by hand from Rack 2.2's Rack::Mime::MIME_TYPES and Sinatra's
 * content_type (`;charset=utf-8` for text/* and application/javascript, xml, xhtml+xml), plus F8.
 */
describe('httpboot Content-Type by extension (reference §5, F8)', () => {
  test.each([
    // F8: any case
    ['grubx64.efi', 'application/efi'], ['BOOTX64.EFI', 'application/efi'], ['shim.Efi', 'application/efi'],
    // boot trees: unknown to Rack, or octet-stream in its table
    ['grub.cfg', 'application/octet-stream'], ['vmlinuz', 'application/octet-stream'], ['initrd.img', 'application/octet-stream'],
    ['image.iso', 'application/octet-stream'], ['pxelinux.0', 'application/octet-stream'], ['boot.ipxe', 'application/octet-stream'],
    ['ldlinux.c32', 'application/octet-stream'], ['menu.lst', 'application/octet-stream'], ['.hidden', 'application/octet-stream'],
    ['trailing.', 'application/octet-stream'], ['root.tgz', 'application/octet-stream'], ['root.xz', 'application/octet-stream'],
    ['a.bin', 'application/octet-stream'], ['a.dmg', 'application/octet-stream'],
    // text types carry Sinatra's charset
    ['notes.txt', 'text/plain;charset=utf-8'], ['NOTES.TXT', 'text/plain;charset=utf-8'], ['grub.conf', 'text/plain;charset=utf-8'],
    ['boot.log', 'text/plain;charset=utf-8'], ['ks.text', 'text/plain;charset=utf-8'], ['index.html', 'text/html;charset=utf-8'],
    ['a.htm', 'text/html;charset=utf-8'], ['a.css', 'text/css;charset=utf-8'], ['a.csv', 'text/csv;charset=utf-8'],
    ['a.yaml', 'text/yaml;charset=utf-8'], ['a.yml', 'text/yaml;charset=utf-8'], ['a.vcf', 'text/x-vcard;charset=utf-8'],
    // and the three application types of Sinatra's add_charset
    ['a.js', 'application/javascript;charset=utf-8'], ['a.xml', 'application/xml;charset=utf-8'], ['a.xhtml', 'application/xhtml+xml;charset=utf-8'],
    // other application types: no charset
    ['data.json', 'application/json'], ['a.rss', 'application/rss+xml'], ['a.atom', 'application/atom+xml'],
    ['setup.exe', 'application/x-msdownload'], ['a.com', 'application/x-msdownload'], ['a.msi', 'application/x-msdownload'],
    ['a.dll', 'application/x-msdownload'], ['root.cpio', 'application/x-cpio'], ['ca.pem', 'application/x-x509-ca-cert'],
    ['ca.crt', 'application/x-x509-ca-cert'], ['ca.der', 'application/x-x509-ca-cert'], ['ca.cer', 'application/pkix-cert'],
    ['a.sig', 'application/pgp-signature'], ['a.asc', 'application/pgp-signature'], ['a.sh', 'application/x-sh'],
    ['a.gz', 'application/x-gzip'], ['a.tar', 'application/x-tar'], ['a.zip', 'application/zip'], ['a.bz2', 'application/x-bzip2'],
    ['a.rpm', 'application/x-redhat-package-manager'], ['a.deb', 'application/x-debian-package'], ['a.pdf', 'application/pdf'],
    ['a.wasm', 'application/wasm'], ['a.rtf', 'application/rtf'], ['a.jar', 'application/java-archive'],
    ['a.png', 'image/png'], ['a.jpg', 'image/jpeg'], ['a.svg', 'image/svg+xml'], ['a.ico', 'image/vnd.microsoft.icon'],
  ])('%s -> %s', (file, type) => {
    expect(contentTypeFor(`/srv/tftpboot/${file}`)).toBe(type);
  });

  test('the whole Rack table is served: every text/* entry with the charset, every other as it is', () => {
    const table = Object.entries(RACK_MIME_TYPES as Record<string, string>);
    expect(table.length).toBe(631);
    for (const [ext, type] of table) {
      const charset = type.startsWith('text/') || ['application/javascript', 'application/xml', 'application/xhtml+xml'].includes(type);
      expect([ext, contentTypeFor(`f${ext}`)]).toEqual([ext, charset ? `${type};charset=utf-8` : type]);
    }
  });
});
