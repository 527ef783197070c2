'use strict';
// HEAD then GET of the same file, again and again, on kept-alive connections: what UEFI HTTP boot
// firmware does (it asks for the size first). Duration-bound; one share of the connections.
const { Connection } = require('../lib/http-conn');
const { serveChild } = require('../lib/fanout');

async function connectionLoop(opts, endAt, s) {
  const conn = new Connection(opts.host, opts.port, opts.timeoutMs ?? 30000);
  while (performance.now() < endAt) {
    const t0 = performance.now();
    try {
      const head = await conn.request('HEAD', opts.path);
      s.requests++;
      if (head.status !== 200) s.errors.status++;
      const get = await conn.request('GET', opts.path);
      s.requests++;
      if (get.status !== 200) s.errors.status++;
      else if (get.bodyBytes !== Number(head.headers['content-length'])) s.errors.protocol++;
      s.bytes += get.bodyBytes;
      s.pairs++;
      s.pairMs.push(performance.now() - t0);
    } catch (err) {
      s.errors[err.kind ?? 'socket']++;
    }
  }
  s.connects += conn.connects;
  conn.close();
}

serveChild(async (opts) => {
  const s = { requests: 0, pairs: 0, bytes: 0, connects: 0, pairMs: [], errors: { status: 0, socket: 0, timeout: 0, protocol: 0 } };
  const t0 = performance.now();
  const endAt = t0 + opts.seconds * 1000;
  await Promise.all(Array.from({ length: opts.connections }, () => connectionLoop(opts, endAt, s)));
  return { ...s, seconds: (performance.now() - t0) / 1000 };
});
