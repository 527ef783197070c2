import type { IncomingMessage } from 'http';
import type { TLSSocket } from 'tls';

/** Who is asking: what the authorization filters need, from the socket or from a worker that forwarded the request. */
export interface ClientIdentity {
  https: boolean;
  /** TCP peer address, without the IPv4-mapped prefix of a dual-stack socket. */
  peer: string;
  /** The verified client certificate's subject, or null when none was presented. */
  cert: { subject: Record<string, string | string[]> } | null;
}

const FORWARDED = Symbol('forwarded client identity');

export function setForwardedIdentity(req: IncomingMessage, identity: ClientIdentity): void {
  (req as unknown as Record<symbol, ClientIdentity>)[FORWARDED] = identity;
}

function forwardedIdentity(req: IncomingMessage): ClientIdentity | undefined {
  return (req as unknown as Record<symbol, ClientIdentity | undefined>)[FORWARDED];
}

export function normalisePeer(addr: string | undefined): string {
  const a = addr ?? '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export function identityFromSocket(req: IncomingMessage): ClientIdentity {
  const socket = req.socket as TLSSocket;
  const https = Boolean(socket.encrypted);
  const cert = https ? socket.getPeerCertificate() : null;
  return {
    https,
    peer: normalisePeer(socket.remoteAddress),
    cert: cert && Object.keys(cert).length > 0 ? { subject: { ...(cert.subject as unknown as Record<string, string | string[]>) } } : null,
  };
}

/** The client's address, also for a request a worker forwarded (without reading its certificate). */
export function peerAddressOf(req: IncomingMessage): string {
  return forwardedIdentity(req)?.peer ?? normalisePeer(req.socket.remoteAddress);
}

export function clientOf(req: IncomingMessage): ClientIdentity {
  return forwardedIdentity(req) ?? identityFromSocket(req);
}
