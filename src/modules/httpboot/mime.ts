import * as path from 'path';
import RACK_MIME_TYPES from './rack-mime-types.json';

/*
 * The baseline serves files with Sinatra's send_file: the type is Rack 2.2's table
 * (Rack::Mime::MIME_TYPES, in rack-mime-types.json) for the lower-cased extension, else
 * application/octet-stream (kernels, initrds, `.cfg`, `pxelinux.0`). Sinatra's content_type then
 * appends `;charset=utf-8` to text/* and to the three application types of its add_charset.
 */
const CHARSET_TYPES = new Set(['application/javascript', 'application/xml', 'application/xhtml+xml']);

function withSinatraCharset(type: string): string {
  const add = (type.startsWith('text/') || CHARSET_TYPES.has(type)) && !type.includes('charset');
  return add ? `${type};charset=utf-8` : type;
}

const TYPES = new Map(Object.entries(RACK_MIME_TYPES as Record<string, string>).map(([ext, type]) => [ext, withSinatraCharset(type)]));
// F8: firmware built before late 2021 rejects octet-stream for EFI images (Rack has no `.efi`).
TYPES.set('.efi', 'application/efi');

export const DEFAULT_TYPE = 'application/octet-stream';

export function contentTypeFor(file: string): string {
  return TYPES.get(path.extname(file).toLowerCase()) ?? DEFAULT_TYPE;
}
