import type * as http from 'http';
import type { Socket } from 'net';
import { normalisePeer } from './client-identity';
import type { Mount, QuickAnswer } from './module';
import { logFinished, logStarted, mountFor, newRequestContext } from './pipeline';
import { parseQuickRequest, QuickRequest } from './quick-request';
import { withContextNow } from './request-context';
import { SERVER_HEADER } from './version';

/**
 * The quick path for plain-HTTP file requests. A boot storm is mostly the same few small files
 * asked for again and again; node:http spends more on each such request (parser objects, request
 * and response streams, header bookkeeping) than the answer costs. Here a connection's bytes are
 * read directly: a request of the narrow shape parseQuickRequest accepts, for a mount whose
 * `quick` handler answers it from memory, is answered with the very bytes node:http would send
 * (differential tests hold the two to that). At the first request that is anything else, the
 * connection is handed to node:http for good, the unread bytes with it, so every other case
 * (errors, large files, ranges, queries, HTTP/1.0, API routes) keeps node:http's behaviour.
 */

type Respond = (request: QuickRequest) => QuickAnswer | null;

/**
 * Response heads, by the answer's header lines, for the current second: node:http's Date header
 * changes once a second (as node:http refreshes it), and until then the same file gets the same
 * bytes, so they are built once a second, not once a request.
 */
interface Heads {
  second: number;
  keepAlive: Map<string, Buffer>;
  close: Map<string, Buffer>;
}

function responseHead(server: http.Server, heads: Heads, answer: QuickAnswer, keepAlive: boolean): Buffer {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== heads.second) {
    heads.second = second;
    heads.keepAlive.clear();
    heads.close.clear();
  }
  const memo = keepAlive ? heads.keepAlive : heads.close;
  let head = memo.get(answer.headers);
  if (!head) {
    const connection = keepAlive
      ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(server.keepAliveTimeout / 1000)}\r\n`
      : 'Connection: close\r\n';
    head = Buffer.from(`HTTP/1.1 200 OK\r\nServer: ${SERVER_HEADER}\r\n${answer.headers}Date: ${new Date(now).toUTCString()}\r\n${connection}\r\n`, 'latin1');
    memo.set(answer.headers, head);
  }
  return head;
}

/**
 * Most bytes queued on a socket by one read's answers. A client that sends many requests without
 * reading the answers is handed to node:http, which stops reading until the socket drains.
 */
const MAX_QUEUED = 1024 * 1024;

/** What node:http answers a connection that sent no complete request in time. */
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/**
 * Takes over new connections of a plain-HTTP server whose raw mounts answer quickly (nothing to
 * do otherwise): quick requests are answered here, for the mount the request pipeline would
 * choose; the rest goes to the server's own connection handling. Sockets held here are closed by
 * the server's closeIdleConnections / closeAllConnections like its own.
 */
export function answerQuickly(server: http.Server, raw: Mount[]): void {
  if (!raw.some((m) => m.quick)) return;
  const respond: Respond = (request) => mountFor(raw, request.path)?.quick?.(request.path) ?? null;
  const handlers = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const held = new Set<Socket>();
  const handOff = (socket: Socket) => {
    held.delete(socket);
    for (const h of handlers) h.call(server, socket);
  };
  const heads: Heads = { second: -1, keepAlive: new Map(), close: new Map() };
  server.on('connection', (socket: Socket) => holdConnection(server, heads, socket, respond, held, handOff));
  const closeIdle = server.closeIdleConnections.bind(server);
  const closeAll = server.closeAllConnections.bind(server);
  // A held socket is between requests (answers are written at once): idle unless still sending.
  server.closeIdleConnections = () => {
    for (const s of held) if (s.writableLength === 0) s.destroy();
    closeIdle();
  };
  server.closeAllConnections = () => {
    for (const s of held) s.destroy();
    closeAll();
  };
}

function holdConnection(server: http.Server, heads: Heads, socket: Socket, respond: Respond, held: Set<Socket>, handOff: (s: Socket) => void): void {
  held.add(socket);
  let answered = false;
  const release = (rest: Buffer) => {
    socket.removeListener('data', onData);
    socket.removeListener('timeout', onTimeout);
    socket.removeListener('close', onClose);
    socket.removeListener('error', onError);
    socket.removeListener('end', onEnd);
    socket.setTimeout(0);
    if (rest.length > 0) socket.unshift(rest);
    handOff(socket);
  };
  const onClose = () => held.delete(socket);
  const onError = () => socket.destroy();
  // The client is done sending; every answer is already written (the server allows half-open sockets).
  const onEnd = () => {
    if (!socket.writableEnded) socket.end();
  };
  const onTimeout = () => {
    if (answered) socket.destroy();
    else socket.end(REQUEST_TIMEOUT);
  };
  const onData = (chunk: Buffer) => {
    if (socket.writableNeedDrain) {
      release(chunk); // earlier answers are not read yet
      return;
    }
    const text = chunk.toString('latin1');
    let offset = 0;
    let close = false;
    let queued = 0;
    const out: Buffer[] = [];
    while (offset < text.length && queued < MAX_QUEUED) {
      const request = parseQuickRequest(text, offset);
      const answer = request && answerOf(request, respond, socket);
      if (!request || !answer) break;
      const head = responseHead(server, heads, answer, request.keepAlive);
      out.push(head);
      queued += head.length;
      if (request.method === 'GET' && answer.body.length > 0) {
        out.push(answer.body);
        queued += answer.body.length;
      }
      offset = request.end;
      answered = true;
      if (!request.keepAlive) {
        close = true;
        break;
      }
    }
    if (out.length > 0) {
      socket.cork();
      for (const part of out) socket.write(part);
      socket.uncork();
    }
    if (close) {
      socket.removeListener('data', onData);
      socket.end();
    } else if (offset < text.length) {
      release(chunk.subarray(offset));
    } else {
      socket.setTimeout(server.keepAliveTimeout);
    }
  };
  socket.on('data', onData);
  socket.on('timeout', onTimeout);
  socket.on('close', onClose);
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.setTimeout(server.headersTimeout);
}

/** The answer for one quick request, logged as the request pipeline logs it; null to hand it off. */
function answerOf(request: QuickRequest, respond: Respond, socket: Socket): QuickAnswer | null {
  const context = newRequestContext(request.requestId, request.sessionId, normalisePeer(socket.remoteAddress));
  return withContextNow(context, () => {
    const started = process.hrtime.bigint();
    let answer: QuickAnswer | null;
    try {
      answer = respond(request);
    } catch {
      answer = null; // whatever went wrong, node:http and the raw handler answer it
    }
    if (!answer) return null;
    // Logged only once answered here: a request handed off is logged by the pipeline, once.
    logStarted(request.method, request.path, '');
    logFinished(request.method, request.path, 200, started);
    return answer;
  });
}
