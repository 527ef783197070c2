'use strict';
// A minimal HTTP/1.1 client connection for the load clients: one request at a time on one
// kept-alive socket, HEAD-aware (unlike wrk), bodies counted and dropped, never buffered, so a
// client can pull gigabytes without the client itself becoming the bottleneck.
const net = require('net');

const HEADER_LIMIT = 64 * 1024;

class RequestError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind; // 'socket' | 'timeout' | 'protocol'
  }
}

class Connection {
  constructor(host, port, timeoutMs = 60000) {
    this.host = host;
    this.port = port;
    this.timeoutMs = timeoutMs;
    this.socket = null;
    this.connects = 0;
    this.pending = null;
  }

  connect() {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const socket = net.connect({ host: this.host, port: this.port });
      this.connects++;
      socket.setNoDelay(true);
      socket.setTimeout(this.timeoutMs);
      const onError = (err) => reject(new RequestError('socket', err.message));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        this.lastConnectMs = performance.now() - t0;
        this.attach(socket);
        resolve();
      });
    });
  }

  attach(socket) {
    this.socket = socket;
    // Events of a socket we already dropped (Connection: close, failure) must not touch the next one.
    const mine = () => this.socket === socket;
    socket.on('data', (chunk) => mine() && this.onData(chunk));
    socket.on('timeout', () => mine() && this.fail(new RequestError('timeout', `no data for ${this.timeoutMs} ms`)));
    socket.on('error', (err) => mine() && this.fail(new RequestError('socket', err.message)));
    socket.on('close', () => {
      if (!mine()) return;
      if (this.pending && this.pending.untilClose) {
        this.socket = null;
        this.finish();
      } else this.fail(new RequestError('socket', 'connection closed by the server'));
    });
  }

  /** Sends one request; resolves to { status, headers, bodyBytes, ms } once the body is read. */
  async request(method, path, extraHeaders = '') {
    if (!this.socket) await this.connect();
    return new Promise((resolve, reject) => {
      this.pending = {
        method, resolve, reject, head: Buffer.alloc(0), headersDone: false, status: 0, headers: {},
        remaining: 0, bodyBytes: 0, untilClose: false, started: process.hrtime.bigint(),
      };
      this.socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nUser-Agent: bench\r\n${extraHeaders}\r\n`);
    });
  }

  onData(chunk) {
    const p = this.pending;
    if (!p) return; // bytes nobody asked for: ignored, the next request would fail on them
    if (!p.headersDone) {
      p.head = p.head.length ? Buffer.concat([p.head, chunk]) : chunk;
      const end = p.head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (p.head.length > HEADER_LIMIT) this.fail(new RequestError('protocol', 'response headers too long'));
        return;
      }
      if (!this.parseHead(p, p.head.subarray(0, end).toString('latin1'))) return;
      chunk = p.head.subarray(end + 4);
      p.head = null;
    }
    if (p.untilClose) {
      p.bodyBytes += chunk.length;
      return;
    }
    const take = Math.min(chunk.length, p.remaining);
    p.bodyBytes += take;
    p.remaining -= take;
    if (take < chunk.length) return this.fail(new RequestError('protocol', 'more bytes than Content-Length'));
    if (p.remaining === 0) this.finish();
  }

  parseHead(p, text) {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) {
      this.fail(new RequestError('protocol', `bad status line ${JSON.stringify(lines[0])}`));
      return false;
    }
    p.status = Number(m[1]);
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) p.headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    p.headersDone = true;
    const noBody = p.method === 'HEAD' || p.status === 204 || p.status === 304 || p.status < 200;
    if (noBody) p.remaining = 0;
    else if (p.headers['transfer-encoding']) {
      this.fail(new RequestError('protocol', 'chunked responses are not supported by the bench client'));
      return false;
    } else if (p.headers['content-length'] !== undefined) p.remaining = Number(p.headers['content-length']);
    else p.untilClose = true;
    if (!p.untilClose && p.remaining === 0) {
      this.finish();
      return false;
    }
    return true;
  }

  finish() {
    const p = this.pending;
    this.pending = null;
    const ms = Number(process.hrtime.bigint() - p.started) / 1e6;
    if (/close/i.test(p.headers.connection ?? '') && this.socket) {
      this.socket.destroy();
      this.socket = null;
    }
    p.resolve({ status: p.status, headers: p.headers, bodyBytes: p.bodyBytes, ms });
  }

  fail(err) {
    const p = this.pending;
    this.pending = null;
    if (this.socket) {
      this.socket.destroy();
      this.socket = null;
    }
    if (p) p.reject(err);
  }

  close() {
    if (this.socket) this.socket.destroy();
    this.socket = null;
  }
}

/** p-th percentile (0–100) of an unsorted array of numbers; null when empty. */
function percentile(values, p) {
  if (!values.length) return null;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

module.exports = { Connection, RequestError, percentile };
