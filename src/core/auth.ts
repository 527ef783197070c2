import * as dns from 'dns';
import type { NextFunction, Request, Response } from 'express';
import { clientOf } from './client-identity';
import { sendError } from './errors';
import { log } from './log';
import type { GlobalSettings } from './settings';

/** Name service used by trusted_hosts over plain HTTP; replaceable in tests. */
export interface HostResolver {
  /** Reverse lookup of an address (hosts file + DNS); rejects when the address has no name. */
  nameOf(ip: string): Promise<string>;
  /** All addresses a name resolves to. */
  addressesOf(name: string): Promise<string[]>;
}

export const systemResolver: HostResolver = {
  async nameOf(ip) {
    const { hostname } = await dns.promises.lookupService(ip, 0);
    if (!hostname || hostname === ip) throw new Error(`no name for ${ip}`);
    return hostname;
  },
  async addressesOf(name) {
    const all = await dns.promises.lookup(name, { all: true });
    return all.map((a) => a.address);
  },
};

let resolver: HostResolver = systemResolver;

export function setHostResolver(r: HostResolver): void {
  resolver = r;
}

class Denied extends Error {}

function certificateCN(req: Request): string {
  const { cert } = clientOf(req);
  if (!cert) throw new Denied('could not read client cert from environment');
  const cn = cert.subject?.CN;
  const first = Array.isArray(cn) ? cn[0] : cn;
  if (!first) throw new Denied('could not read CN from the client certificate');
  return first.split(/[\s/,]/)[0];
}

async function httpIdentity(req: Request, global: GlobalSettings): Promise<string> {
  const ip = clientOf(req).peer;
  if (!ip) throw new Denied('could not get remote address from environment');
  if (ip.includes('%')) return ip;
  let fqdn: string;
  try {
    fqdn = await resolver.nameOf(ip);
  } catch (err) {
    throw new Denied(`unable to resolve hostname for ip address ${ip}\n\n${(err as Error).message}`);
  }
  if (global.forward_verify) {
    let addresses: string[];
    try {
      addresses = await resolver.addressesOf(fqdn);
    } catch (err) {
      throw new Denied(`could not forward verify the remote hostname - ${fqdn} (${ip})\n\n${(err as Error).message}`);
    }
    if (!addresses.includes(ip)) throw new Denied(`untrusted client has no matching forward DNS lookup - ${fqdn} (${ip})`);
  }
  return fqdn;
}

/**
 * The baseline's two filters, in its order: trusted_hosts (certificate CN over HTTPS, reverse and
 * forward DNS over HTTP), then "a client certificate is required over HTTPS".
 */
export function authorization(global: GlobalSettings) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const client = clientOf(req);
      if (global.trusted_hosts) {
        const identity = (client.https ? certificateCN(req) : await httpIdentity(req, global)).toLowerCase();
        if (!global.trusted_hosts.includes(identity)) {
          throw new Denied(`Untrusted client ${identity} attempted to access ${req.path}. Check :trusted_hosts: in settings.yml`);
        }
      }
      if (client.https && !client.cert) throw new Denied('No client SSL certificate supplied');
    } catch (err) {
      if (!(err instanceof Denied)) throw err;
      log.error(err.message);
      sendError(req, res, 403, err.message);
      return;
    }
    next();
  };
}
