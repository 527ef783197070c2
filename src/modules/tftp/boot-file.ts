import { promises as fsp } from 'fs';
import * as path from 'path';
import { log } from '../../core/log';
import { makeDirectories } from './config-files';
import type { BootFileDownloader } from './downloader';

/** A refusal of fetch_boot_file; the message follows "TFTP: Failed to fetch boot file: ". */
export class BootFileRefused extends Error {}

export const OUTSIDE_ROOT = 'TFTP destination outside of tftproot';

/**
 * The destination name, relative to tftproot (or absolute): the last non-empty `/`-separated
 * segment of the source string (query string included), appended to `prefix` directly when it
 * ends with `/`, else after a `-` (reference §6.5 step 1).
 */
export function bootFileName(prefix: string, source: string): string {
  const segments = source.split('/');
  while (segments.length && segments[segments.length - 1] === '') segments.pop();
  const last = segments[segments.length - 1];
  if (!last) throw new BootFileRefused(`Cannot fetch boot file, no file name in medium source path: ${source}`);
  return prefix.endsWith('/') ? prefix + last : `${prefix}-${last}`;
}

/** The URL scheme in lower case, or null when the string has none. */
export function schemeOf(source: string): string | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(source);
  return m ? m[1].toLowerCase() : null;
}

function insideOrAt(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fsp.realpath(p);
  } catch {
    return null;
  }
}

/**
 * Real containment (F1, instead of the baseline's string-prefix test): the destination must lie
 * strictly inside tftproot lexically, and every existing folder on the way, symlinks resolved,
 * must stay inside the real tftproot. Creates the missing parent folders (`mkdir -p`) and returns
 * the destination with its parent's symlinks resolved, so later steps cannot be redirected.
 */
export async function containedDestination(root: string, fileName: string): Promise<string> {
  const lexicalRoot = path.resolve(root);
  const lexical = path.resolve(lexicalRoot, fileName);
  if (!insideOrAt(lexicalRoot, lexical) || lexical === lexicalRoot) throw new BootFileRefused(OUTSIDE_ROOT);
  await makeDirectories(lexicalRoot);
  const realRoot = await fsp.realpath(lexicalRoot);
  let probe = path.dirname(lexical);
  let real = await realpathOrNull(probe);
  while (real === null && probe !== lexicalRoot) {
    probe = path.dirname(probe);
    real = await realpathOrNull(probe);
  }
  if (real === null || !insideOrAt(realRoot, real)) throw new BootFileRefused(OUTSIDE_ROOT);
  await makeDirectories(path.dirname(lexical));
  const realParent = await fsp.realpath(path.dirname(lexical));
  if (!insideOrAt(realRoot, realParent)) throw new BootFileRefused(OUTSIDE_ROOT);
  const dest = path.join(realParent, path.basename(lexical));
  const target = await symlinkTarget(dest);
  if (target === null) return dest;
  // A symlink at the destination is written through (as curl did) when it stays inside the root.
  if (target === realRoot || !insideOrAt(realRoot, target)) throw new BootFileRefused(OUTSIDE_ROOT);
  const targetParent = await realpathOrNull(path.dirname(target));
  if (targetParent === null || !insideOrAt(realRoot, targetParent)) throw new BootFileRefused(OUTSIDE_ROOT);
  return path.join(targetParent, path.basename(target));
}

/** Where an existing symlink at `dest` leads: its real path, or for a dangling link the path it names. */
async function symlinkTarget(dest: string): Promise<string | null> {
  let st;
  try {
    st = await fsp.lstat(dest);
  } catch {
    return null;
  }
  if (!st.isSymbolicLink()) return null;
  return (await realpathOrNull(dest)) ?? path.resolve(path.dirname(dest), await fsp.readlink(dest));
}

/** POST /tftp/fetch_boot_file: checks, then hands http/https/ftp to the background downloader. */
export class BootFileService {
  constructor(private readonly root: string, private readonly downloader: BootFileDownloader) {}

  /** Resolves once the request is accepted; the download itself runs on. Returns the destination. */
  async fetch(prefix: string, source: string): Promise<string> {
    const dest = await containedDestination(this.root, bootFileName(prefix, source));
    const scheme = schemeOf(source);
    switch (scheme) {
      case 'http':
      case 'https':
      case 'ftp': {
        let url: URL;
        try {
          url = new URL(source);
        } catch {
          throw new BootFileRefused(`bad URI(is not URI?): ${JSON.stringify(source)}`);
        }
        this.downloader.start(url, dest);
        return dest;
      }
      case 'nfs':
        log.debug('NFS as a protocol for installation medium detected.');
        return dest;
      default:
        throw new BootFileRefused(`Cannot fetch boot file, unknown protocol for medium source path: ${source}`);
    }
  }
}
