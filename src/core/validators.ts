import * as fs from 'fs';
import type { Settings } from './settings';

/** Settings validators with the baseline's failure messages (reference §1.3). */
export type Validator =
  | { kind: 'boolean'; key: string }
  | { kind: 'file_readable'; key: string }
  | { kind: 'url'; key: string; optional?: boolean }
  | { kind: 'enum'; key: string; values: string[] }
  | { kind: 'custom'; check: (settings: Settings) => void };

export function checkPresence(defaults: Settings, settings: Settings): void {
  for (const key of Object.keys(defaults)) {
    const v = settings[key];
    if (v === null || v === undefined || v === '') throw new Error(`Parameter '${key}' is expected to have a non-empty value`);
  }
}

function isReadable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function runValidator(v: Validator, settings: Settings): void {
  switch (v.kind) {
    case 'boolean':
      if (settings[v.key] !== true && settings[v.key] !== false) throw new Error(`Setting '${v.key}' is expected to be true/false`);
      return;
    case 'file_readable': {
      const file = settings[v.key];
      if (file === null || file === undefined) return;
      if (!isReadable(String(file))) throw new Error(`File at '${file}' defined in '${v.key}' parameter doesn't exist or is unreadable`);
      return;
    }
    case 'url': {
      const value = settings[v.key];
      if ((value === null || value === undefined) && v.optional) return;
      if (typeof value !== 'string' || !value) throw new Error(`Setting '${v.key}' is expected to contain a url`);
      if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value)) throw new Error(`Setting '${v.key}' is missing a scheme`);
      return;
    }
    case 'enum':
      if (!v.values.includes(settings[v.key])) throw new Error(`Parameter '${v.key}' must be one of ${v.values.join(', ')}`);
      return;
    case 'custom':
      v.check(settings);
      return;
  }
}
