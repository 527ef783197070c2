import * as fs from 'fs';
import * as path from 'path';

function readVersion(): string {
  // dist/core and src/core are both two levels below the package root.
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  return String(pkg.version);
}

/** The proxy's VERSION, as reported by /version and in the Server header. */
export const VERSION = readVersion();
/** Module versions drop a trailing "-develop", as the baseline does. */
export const MODULE_VERSION = VERSION.replace(/-develop$/, '');
export const SERVER_HEADER = `foreman-proxy/${VERSION}`;
