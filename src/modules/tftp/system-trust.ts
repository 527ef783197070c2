import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import { log } from '../../core/log';

/**
 * The CAs HTTPS boot-file downloads trust: Node's bundled list plus the system store. The
 * baseline ran curl, which trusts the system store (on Debian the bundle and the hashed folder
 * that update-ca-certificates maintains), so an internal mirror's CA (Katello, a company CA)
 * worked there. Node 20 trusts its bundled list only and cannot ask OpenSSL for the system store
 * (no tls.getCACertificates('system')), so the store is read here.
 */

/** curl's compiled-in CA bundle and CA path on Debian (and OpenSSL's cert.pem / certs there). */
export const DEFAULT_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';
export const DEFAULT_CA_DIR = '/etc/ssl/certs';

export interface TrustLocations {
  file: string;
  dirs: string[];
  /** Where each came from, for the log and for warnings: an environment variable's name, or 'default'. */
  fileFrom: string;
  dirsFrom: string;
}

/**
 * The bundle and folders to read, chosen as curl and OpenSSL choose them: CURL_CA_BUNDLE (what the
 * baseline's curl honours), else SSL_CERT_FILE (OpenSSL's variable), else the Debian bundle;
 * SSL_CERT_DIR (colon-separated, as OpenSSL reads it), else the Debian folder.
 */
export function trustLocations(env: NodeJS.ProcessEnv): TrustLocations {
  const fileFrom = ['CURL_CA_BUNDLE', 'SSL_CERT_FILE'].find((name) => env[name]) ?? 'default';
  const dirs = env.SSL_CERT_DIR?.split(':').filter(Boolean) ?? [];
  return {
    file: fileFrom === 'default' ? DEFAULT_CA_FILE : env[fileFrom]!,
    fileFrom,
    dirs: dirs.length ? dirs : [DEFAULT_CA_DIR],
    dirsFrom: dirs.length ? 'SSL_CERT_DIR' : 'default',
  };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;
/** OpenSSL looks certificates up in a folder by subject hash: <8 hex digits>.<n>. Other names are not read. */
const HASHED_NAME = /^[0-9a-f]{8}\.\d+$/;

/** The PEM certificates in a text (a bundle holds many; anything else in it is ignored). */
export function pemCertificates(text: string): string[] {
  return text.match(PEM_CERT) ?? [];
}

async function readCertificates(file: string): Promise<string[]> {
  return pemCertificates(await fsp.readFile(file, 'utf8'));
}

async function hashedFiles(dir: string): Promise<string[]> {
  return (await fsp.readdir(dir)).filter((n) => HASHED_NAME.test(n)).sort().map((n) => path.join(dir, n));
}

/** A cheap fingerprint of the store (sizes and times of the bundle and folders): a change means read it again. */
async function signature(where: TrustLocations): Promise<string> {
  const parts = await Promise.all([where.file, ...where.dirs].map(async (p) => {
    const st = await fsp.stat(p).catch(() => undefined);
    return st ? `${p}:${st.size}:${st.mtimeMs}` : `${p}:-`;
  }));
  return parts.join('|');
}

export interface SystemCertificates {
  pems: string[];
  /** What could not be read, for a warning: a missing default location is not a problem. */
  problems: string[];
}

/**
 * `read()`, or nothing when it fails; the failure is a problem unless it is a default location
 * that does not exist (a system without a bundle there, a hashed link to a removed file).
 */
async function readOrNothing(what: string, missingIsFine: boolean, problems: string[],
  read: () => Promise<string[]>): Promise<string[]> {
  try {
    return await read();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!(missingIsFine && e.code === 'ENOENT')) problems.push(`${what}: ${e.message}`);
    return [];
  }
}

/** Reads the bundle and the hashed files of the folders; each certificate once. */
export async function readSystemCertificates(where: TrustLocations): Promise<SystemCertificates> {
  const problems: string[] = [];
  const fromFile = await readOrNothing(where.file, where.fileFrom === 'default', problems,
    () => readCertificates(where.file));
  const fromDirs = await Promise.all(where.dirs.map(async (dir) => {
    const files = await readOrNothing(dir, where.dirsFrom === 'default', problems, () => hashedFiles(dir));
    const each = await Promise.all(files.map((f) => readOrNothing(f, true, problems, () => readCertificates(f))));
    return each.flat();
  }));
  return { pems: unique([...fromFile, ...fromDirs.flat()]), problems };
}

/** Certificates once each, compared without line-break differences. */
function unique(pems: string[]): string[] {
  const seen = new Set<string>();
  return pems.filter((p) => {
    const key = p.replace(/\s+/g, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The TLS context for verifying download servers. Built on the first HTTPS download (not at
 * start: most proxies never download over HTTPS), and built again when the bundle or a folder
 * changes, so a CA added with update-ca-certificates is trusted without a restart, as with curl.
 */
export class SystemTrust {
  private readonly where: TrustLocations;
  private cached?: { signature: string; context: Promise<tls.SecureContext> };

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.where = trustLocations(env);
  }

  async context(): Promise<tls.SecureContext> {
    const sig = await signature(this.where);
    if (this.cached?.signature !== sig) this.cached = { signature: sig, context: this.load() };
    return this.cached.context;
  }

  private async load(): Promise<tls.SecureContext> {
    const { pems, problems } = await readSystemCertificates(this.where);
    const all = unique([...tls.rootCertificates, ...pems]);
    // Node skips an entry that does not parse, so one damaged certificate cannot cost the others.
    const context = tls.createSecureContext({ ca: all });
    for (const p of problems) log.warn(`TFTP: CA certificates for HTTPS downloads: cannot use ${p}`);
    const from = (name: string) => (name === 'default' ? '' : ` (${name})`);
    log.info(`TFTP: HTTPS downloads trust ${all.length} CA certificates: Node's ${tls.rootCertificates.length} and ` +
      `the system store's, from ${this.where.file}${from(this.where.fileFrom)} and ${this.where.dirs.join(', ')}${from(this.where.dirsFrom)}`);
    return context;
  }
}
