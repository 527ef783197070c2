/**
 * A scripted OMAPI server on loopback for unit tests: sends its introduction, decodes what the
 * client sends, and answers each request as the test says (a message, silence, a hang-up or
 * garbage), signing replies to signed requests when given a signer. It records every request
 * with the bytes its signature covers, so a test can check which key and algorithm signed it.
 */
import * as net from 'net';
import type { OmapiSigner } from '../../src/modules/dhcp/providers/isc/omapi/auth';
import {
  OmapiMessage,
  OmapiOp,
  OmapiStreamDecoder,
  encodeMessage,
  encodeStartup,
  stringValue,
  u32Value,
} from '../../src/modules/dhcp/providers/isc/omapi/codec';

export type FakeReply = Omit<OmapiMessage, 'signature'> | 'silence' | 'hangup' | 'garbage';

export interface FakeOmapiServer {
  port: number;
  received: OmapiMessage[];
  /** For each received message, the bytes its signature covers. */
  signed: Buffer[];
  connections: number;
  maxInFlight: number;
  close(): Promise<void>;
}

/** A server that sends its intro and answers each request with `answer(request, n)`. */
export async function fakeOmapiServer(
  answer: (req: OmapiMessage, n: number) => FakeReply | Promise<FakeReply>,
  opts: { intro?: boolean; signer?: OmapiSigner } = {},
): Promise<FakeOmapiServer> {
  const sockets: net.Socket[] = [];
  const state = { received: [] as OmapiMessage[], signed: [] as Buffer[], connections: 0, maxInFlight: 0 };
  let inFlight = 0;
  const server = net.createServer((s) => {
    sockets.push(s);
    state.connections++;
    if (opts.intro !== false) s.write(encodeStartup());
    const dec = new OmapiStreamDecoder();
    s.on('data', async (chunk) => {
      for (const item of dec.push(chunk)) {
        if ('startup' in item) continue;
        const req = item.message;
        state.received.push(req);
        state.signed.push(item.signedBytes);
        inFlight++;
        state.maxInFlight = Math.max(state.maxInFlight, inFlight);
        const r = await answer(req, state.received.length);
        inFlight--;
        if (r === 'silence') continue;
        if (r === 'hangup') {
          s.destroy();
          return;
        }
        if (r === 'garbage') {
          s.write(Buffer.alloc(40, 0xff));
          continue;
        }
        s.write(encodeMessage({ ...r, rid: req.id }, req.authId && opts.signer ? opts.signer : undefined));
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    get received() {
      return state.received;
    },
    get signed() {
      return state.signed;
    },
    get connections() {
      return state.connections;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    },
  };
}

/** A STATUS reply with `result` and an optional message text. */
export function status(result: number, text?: string): Omit<OmapiMessage, 'signature'> {
  const message: OmapiMessage['message'] = [['result', u32Value(result)]];
  if (text) message.push(['message', stringValue(text)]);
  return { authId: 0, op: OmapiOp.Status, handle: 0, id: 9000, rid: 0, message, object: [] };
}

/** An UPDATE reply for a host object with that handle and name. */
export function hostUpdate(handle: number, name: string): Omit<OmapiMessage, 'signature'> {
  return {
    authId: 0,
    op: OmapiOp.Update,
    handle,
    id: 9001,
    rid: 0,
    message: [],
    object: [
      ['name', stringValue(name)],
      ['hardware-address', Buffer.from('525400aa0001', 'hex')],
    ],
  };
}
