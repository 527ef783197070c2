import * as path from 'path';

/**
 * Content types by extension, as the baseline's Rack table gives them for boot trees; anything
 * unknown (kernels, initrds, `.cfg`, `pxelinux.0`) is application/octet-stream. `.efi` is
 * application/efi (F8): firmware built before late 2021 rejects octet-stream for EFI images.
 */
const TYPES: Record<string, string> = {
  '.efi': 'application/efi',
  '.txt': 'text/plain;charset=utf-8',
  '.text': 'text/plain;charset=utf-8',
  '.log': 'text/plain;charset=utf-8',
  '.html': 'text/html;charset=utf-8',
  '.htm': 'text/html;charset=utf-8',
  '.css': 'text/css;charset=utf-8',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.yaml': 'text/yaml;charset=utf-8',
  '.yml': 'text/yaml;charset=utf-8',
  '.sh': 'application/x-sh',
  '.ps1': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/vnd.microsoft.icon',
  '.pdf': 'application/pdf',
  '.gz': 'application/x-gzip',
  '.tgz': 'application/x-gzip',
  '.tar': 'application/x-tar',
  '.zip': 'application/zip',
  '.bz2': 'application/x-bzip2',
  '.xz': 'application/x-xz',
  '.rpm': 'application/x-redhat-package-manager',
  '.deb': 'application/x-debian-package',
};

export function contentTypeFor(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
