import { NextFunction, Request, Response, Router } from 'express';
import { HTML_TYPE, HttpError, JSON_TYPE, sendBody } from '../../core/errors';
import { params, route } from '../../core/http';
import { DhcpError } from './provider';
import { recordToJson, subnetToJson } from './records-json';
import type { DhcpService } from './service';
import { validateIpv4, validateMac } from './validation';

/** The methods Rack::MethodOverride accepts in a POST's `_method` field (or X-HTTP-Method-Override). */
const OVERRIDABLE = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH', 'LINK', 'UNLINK']);

/** Only the DHCP app honours `_method` (reference §1.7): a form POST may act as DELETE, PUT, … */
function methodOverride(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'POST') {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    const header = req.headers['x-http-method-override'];
    const wanted = String(body._method ?? (Array.isArray(header) ? header[0] : header) ?? '').toUpperCase();
    if (OVERRIDABLE.has(wanted)) req.method = wanted;
  }
  next();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isKind(err: unknown, kind: DhcpError['kind']): err is DhcpError {
  return err instanceof DhcpError && err.kind === kind;
}

/** Any other failure of a DHCP route is a 400 with the error's message (the baseline's `rescue => e`). */
function badRequest(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DhcpError && err.status) return new HttpError(err.status, err.message);
  return new HttpError(400, messageOf(err));
}

function subnetNotFound(network: string): HttpError {
  return new HttpError(404, `Subnet ${network} could not found`);
}

/** Route parameters arrive decoded by express; the URL's `<net>` is what every message quotes. */
function pathParam(req: Request, name: string): string {
  return String((req.params as Record<string, string>)[name]);
}

function sendJson(req: Request, res: Response, value: unknown): void {
  sendBody(req, res, 200, JSON_TYPE, JSON.stringify(value));
}

export function dhcpRoutes(service: DhcpService): Router {
  const router = Router({ strict: true, caseSensitive: true });
  router.use(methodOverride);

  // 1. GET /dhcp and /dhcp/
  router.get(['/', ''], route(async (req, res) => {
    try {
      sendJson(req, res, (await service.subnets()).map(subnetToJson));
    } catch (err) {
      throw badRequest(err);
    }
  }));

  // 2. GET /dhcp/<net>
  router.get('/:network', route(async (req, res) => {
    const network = pathParam(req, 'network');
    try {
      validateIpv4(network);
      const { reservations, leases } = await service.records(network);
      sendJson(req, res, { reservations: reservations.map(recordToJson), leases: leases.map(recordToJson) });
    } catch (err) {
      if (isKind(err, 'subnet_not_found')) throw subnetNotFound(network);
      throw badRequest(err);
    }
  }));

  // 3. GET /dhcp/<net>/unused_ip?mac=&from=&to=
  router.get('/:network/unused_ip', route(async (req, res) => {
    const network = pathParam(req, 'network');
    const { mac, from, to } = params(req);
    try {
      validateIpv4(network);
      const present = (v: unknown) => v !== undefined && v !== null;
      if (present(from) && present(to)) {
        validateIpv4(from);
        validateIpv4(to);
      }
      if (present(mac)) validateMac(mac);
      sendJson(req, res, { ip: await service.unusedIp(network, { mac, from, to }) });
    } catch (err) {
      if (isKind(err, 'subnet_not_found')) throw subnetNotFound(network);
      if (isKind(err, 'not_implemented')) throw new HttpError(501, err.message);
      throw badRequest(err);
    }
  }));

  // 4. GET /dhcp/<net>/ip/<ip>: an array, bonded hosts share an IP
  router.get('/:network/ip/:ip', route(async (req, res) => {
    const network = pathParam(req, 'network');
    const ip = pathParam(req, 'ip');
    try {
      validateIpv4(network);
      validateIpv4(ip);
      const records = await service.findRecordsByIp(network, ip);
      if (!records.length) throw new HttpError(404, `No DHCP records for IP ${network}/${ip} found`);
      sendJson(req, res, records.map(recordToJson));
    } catch (err) {
      if (isKind(err, 'subnet_not_found')) throw subnetNotFound(network);
      throw badRequest(err);
    }
  }));

  // 5. GET /dhcp/<net>/mac/<mac>: an object; the MAC is lower-cased before it is validated
  router.get('/:network/mac/:mac', route(async (req, res) => {
    const network = pathParam(req, 'network');
    const mac = pathParam(req, 'mac').toLowerCase();
    try {
      validateIpv4(network);
      validateMac(mac);
      const record = await service.findRecordByMac(network, mac);
      if (!record) throw new HttpError(404, `No DHCP record for MAC ${network}/${mac} found`);
      sendJson(req, res, recordToJson(record));
    } catch (err) {
      if (isKind(err, 'subnet_not_found')) throw subnetNotFound(network);
      throw badRequest(err);
    }
  }));

  // 6. POST /dhcp/<net>: create a reservation; the URL's network wins over a `network` field
  router.post('/:network', route(async (req, res) => {
    const network = pathParam(req, 'network');
    try {
      validateIpv4(network);
      await service.addRecord({ ...params(req), network });
    } catch (err) {
      if (isKind(err, 'collision')) throw new HttpError(err.status ?? 409, err.message);
      // An identical record is already there: success, nothing sent to the server.
      if (!isKind(err, 'already_exists')) throw badRequest(err);
    }
    sendBody(req, res, 200, JSON_TYPE, '');
  }));

  // 7. DELETE /dhcp/<net>/ip/<ip>: every record with that IP; unknown subnet or nothing found is 200
  router.delete('/:network/ip/:ip', route(async (req, res) => {
    const network = pathParam(req, 'network');
    const ip = pathParam(req, 'ip');
    try {
      validateIpv4(network);
      validateIpv4(ip);
      await service.deleteRecordsByIp(network, ip);
    } catch (err) {
      if (!isKind(err, 'subnet_not_found')) throw badRequest(err);
    }
    sendBody(req, res, 200, HTML_TYPE, '');
  }));

  // 8. DELETE /dhcp/<net>/mac/<mac>: validated as given, looked up lower-cased
  router.delete('/:network/mac/:mac', route(async (req, res) => {
    const network = pathParam(req, 'network');
    const mac = pathParam(req, 'mac');
    try {
      validateIpv4(network);
      await service.deleteRecordByMac(network, validateMac(mac));
    } catch (err) {
      if (!isKind(err, 'subnet_not_found')) throw badRequest(err);
    }
    sendBody(req, res, 200, HTML_TYPE, '');
  }));

  return router;
}
