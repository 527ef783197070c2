#!/usr/bin/env node
'use strict';
/**
 * OMAPI write benchmark: POST + DELETE round trips (createHost, then deleteHostByMac) against
 * a real dhcpd 4.4.3 started in its own network namespace by test/support/dhcpd.ts.
 * Needs root (namespaces) and isc-dhcp-server. Prints a Markdown table.
 *
 *   sudo node bench/omapi-roundtrip.js [rounds=1000] [algorithm=hmac-md5]
 */
require('./ts-require');
const { spawn } = require('child_process');
const { OmapiClient } = require('../src/modules/dhcp/providers/isc/omapi/client.ts');
const { buildHostStatements } = require('../src/modules/dhcp/providers/isc/omapi/statements.ts');
const { startDhcpd } = require('../test/support/dhcpd.ts');
const { randomTestSubnet } = require('../test/support/netns.ts');

const ROUNDS = Number(process.argv[2] || 1000);
const ALGORITHM = process.argv[3] || 'hmac-md5';

function macFor(i) {
  return ['52', '54', '00', (i >> 16) & 255, (i >> 8) & 255, i & 255]
    .map((b) => (typeof b === 'string' ? b : b.toString(16).padStart(2, '0')))
    .join(':');
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function row(name, rounds, totalMs, latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (x) => x.toFixed(2);
  return `| ${name} | ${rounds} | ${(totalMs / 1000).toFixed(2)} | ${Math.round((rounds * 1000) / totalMs)} | ${f(percentile(sorted, 50))} | ${f(percentile(sorted, 95))} | ${f(percentile(sorted, 99))} |`;
}

async function main() {
  const subnet = randomTestSubnet();
  const base = subnet.split('/')[0];
  const ipFor = (i) => base.replace(/\d+\.\d+$/, '') + `${Math.floor(i / 250) % 250}.${(i % 250) + 2}`;
  // A /16 so thousands of distinct fixed addresses fit.
  const wide = base.replace(/\d+\.\d+$/, '0.0') + '/16';
  const dhcpd = await startDhcpd({
    subnet: wide,
    serverIp: base.replace(/\d+\.\d+$/, '0.1'),
    key: { algorithm: ALGORITHM },
    prefix: 'omapibench',
  });
  const opts = {
    host: dhcpd.omapiHost,
    port: dhcpd.omapiPort,
    keyName: dhcpd.key.name,
    keySecret: dhcpd.key.secret,
    keyAlgorithm: ALGORITHM,
  };
  const rows = [];
  let n = 0;
  const host = async (i) => ({
    name: `bench-${i}`,
    ip: ipFor(i),
    mac: macFor(i),
    hardwareType: 1,
    statements: await buildHostStatements(
      { name: `bench-${i}.example.com`, options: { filename: 'http://10.0.0.1/httpboot/grubx64.efi', nextServer: '10.0.0.1' } },
      async () => null,
    ),
  });
  const roundTrip = async (client, i) => {
    const t0 = process.hrtime.bigint();
    await client.createHost(await host(i));
    await client.deleteHostByMac(macFor(i));
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };

  try {
    const client = new OmapiClient(opts);
    for (let i = 0; i < 50; i++) await roundTrip(client, n++); // warm-up

    // 1. one caller, one connection
    let lat = [];
    let t0 = Date.now();
    for (let i = 0; i < ROUNDS; i++) lat.push(await roundTrip(client, n++));
    rows.push(row('sequential, one connection', ROUNDS, Date.now() - t0, lat));

    // 2. 16 concurrent callers sharing the client (requests are serialised on its connection)
    lat = [];
    t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ROUNDS) {
          next++;
          lat.push(await roundTrip(client, n++));
        }
      }),
    );
    rows.push(row('16 concurrent callers, one connection', ROUNDS, Date.now() - t0, lat));
    await client.close();

    // 3. a new connection (startup + authenticator) for every round trip
    const fresh = Math.min(ROUNDS, 300);
    lat = [];
    t0 = Date.now();
    for (let i = 0; i < fresh; i++) {
      const c = new OmapiClient(opts);
      lat.push(await roundTrip(c, n++));
      await c.close();
    }
    rows.push(row('new connection per round trip', fresh, Date.now() - t0, lat));

    // 4. the baseline's way: one omshell process for the add, one for the delete
    const viaOmshell = Math.min(ROUNDS, 100);
    lat = [];
    t0 = Date.now();
    for (let i = 0; i < viaOmshell; i++) {
      const h = await host(n++);
      const s = Date.now();
      const prelude = `key-algorithm ${ALGORITHM}\nkey ${opts.keyName} "${opts.keySecret}"\nserver ${opts.host}\nport ${opts.port}\nconnect\nnew host\n`;
      await omshell(
        prelude +
          `set name = "${h.name}"\nset ip-address = ${h.ip}\nset hardware-address = ${h.mac}\nset hardware-type = 1\n` +
          `set statements = "${h.statements.replace(/"/g, '\\"')}"\ncreate\n`,
      );
      await omshell(prelude + `set hardware-address = ${h.mac}\nopen\nremove\n`);
      lat.push(Date.now() - s);
    }
    rows.push(row('omshell process per write (baseline)', viaOmshell, Date.now() - t0, lat));
  } finally {
    await dhcpd.stop();
  }

  console.log(`\nOMAPI POST + DELETE round trips against dhcpd 4.4.3 (${ALGORITHM} key, leases file in ${require('os').tmpdir()}, node ${process.version})\n`);
  console.log('| scenario | round trips | seconds | round trips/s | p50 ms | p95 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

function omshell(input) {
  return new Promise((resolve, reject) => {
    const p = spawn('omshell', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.on('error', reject);
    p.on('close', () => (/can't|no more|not connected|Syntax error/.test(out) ? reject(new Error(out)) : resolve(out)));
    p.stdin.end(input);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
