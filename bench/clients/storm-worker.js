'use strict';
// Boot storm: a share of the machines. Each machine opens one kept-alive connection and, like UEFI
// firmware booting a Linux installer, does HEAD + GET of the EFI loader, the kernel, the initrd.
// A failed request costs that machine its connection (a new one is opened for the next file).
const { Connection } = require('../lib/http-conn');
const { serveChild } = require('../lib/fanout');

async function machine(opts, s) {
  const conn = new Connection(opts.host, opts.port, opts.timeoutMs);
  try {
    await conn.connect();
    s.connectMs.push(conn.lastConnectMs);
  } catch (err) {
    s.errors[err.kind ?? 'socket']++; // the first request retries the connection
  }
  for (const f of opts.files) {
    const per = s.files[f.name];
    try {
      const head = await conn.request('HEAD', f.path);
      per.headMs.push(head.ms);
      if (head.status !== 200) s.errors.status++;
      else if (Number(head.headers['content-length']) !== f.size) s.errors.protocol++;
      const get = await conn.request('GET', f.path);
      per.getMs.push(get.ms);
      s.bytes += get.bodyBytes;
      if (get.status !== 200) s.errors.status++;
      else if (get.bodyBytes !== f.size) s.errors.protocol++;
      else per.ok++;
    } catch (err) {
      s.errors[err.kind ?? 'socket']++;
      conn.close();
    }
  }
  s.connects += conn.connects;
  s.machineMs.push(performance.now() - s.t0);
  conn.close();
}

serveChild(async (opts) => {
  const s = { bytes: 0, connects: 0, machineMs: [], connectMs: [], errors: { status: 0, socket: 0, timeout: 0, protocol: 0 }, files: {}, t0: performance.now() };
  for (const f of opts.files) s.files[f.name] = { headMs: [], getMs: [], ok: 0 };
  await Promise.all(Array.from({ length: opts.machines }, () => machine(opts, s)));
  return s;
});
