/**
 * OS error texts in the form the baseline's error bodies carry them
 * (`<strerror> @ <operation> - <path>`, e.g. `Is a directory @ rb_sysopen - /srv/tftp/ztp.cfg`),
 * so clients and scripts matching on the baseline's texts see the same words.
 */

/** glibc strerror() texts of the errors file operations here can meet. */
const STRERROR: Record<string, string> = {
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EEXIST: 'File exists',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'Read-only file system',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  EIO: 'Input/output error',
  EBUSY: 'Device or resource busy',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENOTEMPTY: 'Directory not empty',
  EXDEV: 'Invalid cross-device link',
  EINVAL: 'Invalid argument',
};

/** Which baseline operation name goes with a failed step. */
export type FsOperation = 'rb_sysopen' | 'dir_s_mkdir' | 'apply2files';

/** An error whose message is already the client-facing text. */
export class FsFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export function strerror(code: string | undefined, fallback = 'Unknown error'): string {
  return (code && STRERROR[code]) || fallback;
}

/** Wraps a Node fs error into the baseline's wording for `path`. */
export function fsFailure(err: unknown, op: FsOperation, path: string): FsFailure {
  if (err instanceof FsFailure) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? 'EUNKNOWN';
  return new FsFailure(code, `${strerror(code, e?.message ?? String(err))} @ ${op} - ${path}`);
}
