import { Request, Response, Router } from 'express';
import { HTML_TYPE, HttpError, sendBody } from '../../core/errors';
import { params, route } from '../../core/http';
import type { BootFileService } from './boot-file';
import type { PxeConfigStore } from './pxe-configs';
import { isValidMac, Variant, variantOf } from './variants';

export interface TftpServices {
  configs: PxeConfigStore;
  bootFiles: BootFileService;
  /** tftp_servername as configured (may be unset). */
  serverName: unknown;
}

/**
 * One form/query value as a string. A repeated plain key already arrives as its last value (Rack
 * parsing); a bracket list (`menu[]=…`) counts by its last element, where the baseline would write
 * the list's Ruby text (docs/differences.md).
 */
function stringParam(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[value.length - 1] === 'string') return value[value.length - 1];
  return undefined;
}

/** MAC first (when the route has one), then the variant, with the baseline's 403 texts. */
function checked(variantName: string, mac?: string): Variant {
  if (mac !== undefined && !isValidMac(mac)) throw new HttpError(403, `Invalid MAC address: ${mac}`);
  const variant = variantOf(variantName);
  if (!variant) throw new HttpError(403, `Unrecognized pxeboot config type: ${variantName}`);
  return variant;
}

/**
 * Runs an operation; any failure becomes `status` with `prefix` + the reason, as the baseline's
 * log_halt does. The reasons (FsFailure, MissingContent, BootFileRefused) are written for clients.
 */
async function orHalt<T>(status: number, prefix: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new HttpError(status, prefix + String((err as Error)?.message ?? err));
  }
}

function ok(req: Request, res: Response, body: string | Buffer = ''): void {
  sendBody(req, res, 200, HTML_TYPE, body);
}

/** The /tftp routes, declared in the baseline's matching order (reference §6.2). */
export function tftpRoutes(s: TftpServices): Router {
  const router = Router({ strict: true, caseSensitive: true });

  const create = async (req: Request, res: Response, variantName: string, mac: string) => {
    const variant = checked(variantName, mac);
    const p = params(req);
    const content = stringParam(p.pxeconfig) ?? stringParam(p.syslinux_config);
    await orHalt(400, 'TFTP: Failed to create pxe config file: ', () => s.configs.set(variant, mac, content));
    ok(req, res);
  };
  const remove = async (req: Request, res: Response, variantName: string, mac: string) => {
    const variant = checked(variantName, mac);
    await orHalt(400, 'TFTP: Failed to delete pxe config file: ', () => s.configs.del(variant, mac));
    ok(req, res);
  };
  const createDefault = async (req: Request, res: Response, variantName: string) => {
    const variant = checked(variantName);
    const menu = stringParam(params(req).menu);
    await orHalt(400, 'TFTP: Failed to create PXE default file: ', () => s.configs.createDefault(variant, menu));
    ok(req, res);
  };

  // 1
  router.post('/fetch_boot_file', route(async (req, res) => {
    const p = params(req);
    const prefix = stringParam(p.prefix);
    const source = stringParam(p.path);
    const failed = 'TFTP: Failed to fetch boot file: ';
    if (prefix === undefined) throw new HttpError(400, `${failed}parameter 'prefix' (destination below tftproot) is missing`);
    if (source === undefined) throw new HttpError(400, `${failed}parameter 'path' (URL of the boot file) is missing`);
    await orHalt(400, failed, () => s.bootFiles.fetch(prefix, source));
    ok(req, res);
  }));
  // 2
  router.post('/:variant/create_default', route((req, res) => createDefault(req, res, req.params.variant as string)));
  // 3
  router.get('/:variant/:mac', route(async (req, res) => {
    const mac = req.params.mac as string;
    const variant = checked(req.params.variant as string, mac);
    const content = await orHalt(404, 'TFTP: Failed to retrieve pxe config file: ', () => s.configs.get(variant, mac));
    ok(req, res, content);
  }));
  // 4, 5
  router.post('/:variant/:mac', route((req, res) => create(req, res, req.params.variant as string, req.params.mac as string)));
  router.delete('/:variant/:mac', route((req, res) => remove(req, res, req.params.variant as string, req.params.mac as string)));
  // 6, 7, 8: the syslinux shorthands
  router.post('/create_default', route((req, res) => createDefault(req, res, 'syslinux')));
  router.post('/:mac', route((req, res) => create(req, res, 'syslinux', req.params.mac as string)));
  router.delete('/:mac', route((req, res) => remove(req, res, 'syslinux', req.params.mac as string)));
  // 9: JSON text, labelled text/html as the baseline does
  router.get('/serverName', route((req, res) => {
    const name = s.serverName === null || s.serverName === undefined || s.serverName === false ? '' : s.serverName;
    ok(req, res, JSON.stringify({ serverName: name }));
  }));
  return router;
}
