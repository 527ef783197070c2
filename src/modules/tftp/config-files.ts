import { randomBytes } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { fsFailure, FsFailure } from './os-errors';

/**
 * File operations behind the config routes. Writes are atomic (F10): the content goes to a
 * temporary file in the same folder, which is then renamed over the target, so a booting client
 * reads either the old or the new config, never half of one.
 */

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `mkdir -p`, one level at a time from the top, so a failure names the component that is in the
 * way (a regular file where a folder should be gives "File exists @ dir_s_mkdir - <it>").
 */
export async function makeDirectories(dir: string): Promise<void> {
  if (await isDirectory(dir)) return;
  const absolute = path.resolve(dir);
  const parts = absolute.split(path.sep).filter(Boolean);
  let current = path.parse(absolute).root;
  for (const part of parts) {
    current = path.join(current, part);
    try {
      await fsp.mkdir(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await isDirectory(current))) continue;
      throw fsFailure(err, 'dir_s_mkdir', current);
    }
  }
}

/** A temp name beside `file`: hidden, unique per process and call. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The permission bits of an existing file, kept across a rewrite. */
async function existingMode(file: string): Promise<number | undefined> {
  try {
    const st = await fsp.stat(file);
    return st.isFile() ? st.mode & 0o7777 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The file a write really replaces: `file` itself, or the file a symlink at `file` names. The
 * baseline wrote through symlinks; renaming over the link would silently turn an operator's link
 * into a plain file.
 */
export async function writeTarget(file: string): Promise<string> {
  try {
    if (!(await fsp.lstat(file)).isSymbolicLink()) return file;
  } catch {
    return file;
  }
  try {
    return await fsp.realpath(file);
  } catch {
    return path.resolve(path.dirname(file), await fsp.readlink(file));
  }
}

/** Creates the parent folders, then replaces `file` (or the file its symlink names) with exactly `content`. */
export async function writeFileAtomic(requested: string, content: string | Buffer): Promise<void> {
  await makeDirectories(path.dirname(requested));
  const file = await writeTarget(requested);
  // A folder at the target path would make the rename fail; say so the baseline's way.
  if (await isDirectory(file)) throw new FsFailure('EISDIR', `Is a directory @ rb_sysopen - ${file}`);
  const tmp = tempNameFor(file);
  const mode = await existingMode(file);
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(tmp, 'wx', 0o666);
    await handle.writeFile(content);
    if (mode !== undefined) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fsp.rename(tmp, file);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw fsFailure(err, 'rb_sysopen', file);
  }
}

/**
 * Removes `file`; a file that is not there is not an error. ENOTDIR counts as "not there": a
 * regular file where a folder of the path should be (ztp.cfg after ztp create_default) means
 * nothing can exist below it, and the baseline's File.exist? check says false and answers 200.
 */
export async function deleteFile(file: string): Promise<boolean> {
  try {
    await fsp.unlink(file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw fsFailure(err, 'apply2files', file);
  }
}

/** The whole content of `file`; "File <path> not found" when it does not exist. */
export async function readConfigFile(file: string): Promise<Buffer> {
  try {
    await fsp.stat(file);
  } catch {
    throw new FsFailure('ENOENT', `File ${file} not found`);
  }
  try {
    return await fsp.readFile(file);
  } catch (err) {
    throw fsFailure(err, 'rb_sysopen', file);
  }
}
