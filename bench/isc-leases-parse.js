#!/usr/bin/env node
'use strict';
/**
 * ISC leases benchmark: generates a dhcpd.leases file of N leases (default 100 000, each written
 * the way dhcpd 4.4 writes them, all in one /15 so every lease stays active) and measures
 *   1. parseLeases on the whole text (pure parser),
 *   2. the streaming parser fed 1 MiB chunks (what the follower does),
 *   3. parse + apply to the ISC state (records built, indexes filled),
 *   4. LeasesFollower.start(): async reads of config + leases from disk, off-side build, swap,
 * with the heap kept by the loaded state. Prints a Markdown table.
 *
 * Each in-memory step runs REPEAT times (default 3); best and median times are reported, since a
 * shared machine adds noise.
 *
 *   node --expose-gc bench/isc-leases-parse.js [leases=100000] [repeat=3]
 */
require('./ts-require');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseLeases, LeasesStreamParser } = require('../src/modules/dhcp/providers/isc/parser/leases.ts');
const { parseConfig } = require('../src/modules/dhcp/providers/isc/parser/conf.ts');
const { IscState } = require('../src/modules/dhcp/providers/isc/state.ts');
const { LeasesFollower } = require('../src/modules/dhcp/providers/isc/leases-follower.ts');

const COUNT = Number(process.argv[2] || 100000);
const REPEAT = Number(process.argv[3] || 3);
const CONFIG = 'subnet 10.0.0.0 netmask 255.254.0.0 {\n  option routers 10.0.0.1;\n  range 10.0.0.10 10.1.255.250;\n}\n';
const WEEKDAYS = 7;

const hex = (n) => n.toString(16).padStart(2, '0');
function stamp(seconds) {
  const d = new Date(seconds * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCDay() % WEEKDAYS} ${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function leaseText(i) {
  const ip = `10.${(i >> 16) & 1}.${(i >> 8) & 255}.${i & 255}`;
  const mac = `52:54:${hex((i >> 24) & 255)}:${hex((i >> 16) & 255)}:${hex((i >> 8) & 255)}:${hex(i & 255)}`;
  const start = 1_900_000_000 + i; // ends far in the future: every lease stays active
  return `lease ${ip} {
  starts ${stamp(start)};
  ends ${stamp(start + 43200)};
  tstp ${stamp(start + 43200)};
  cltt ${stamp(start)};
  binding state active;
  next binding state free;
  rewind binding state free;
  hardware ethernet ${mac};
  uid "\\001RT\\000\\022\\064\\${(i & 63).toString(8).padStart(3, '0')}";
  set vendor-class-identifier = "PXEClient:Arch:00007:UNDI:003016";
  client-hostname "host-${i}";
}
`;
}

function gc() {
  if (global.gc) {
    global.gc();
    global.gc();
  }
}

function measure(name, fn) {
  const times = [];
  let result;
  for (let i = 0; i < REPEAT; i++) {
    result = undefined;
    gc();
    const t0 = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { name, best: times[0], median: times[Math.floor(times.length / 2)], result };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'isc-bench-'));
  try {
    const parts = [];
    // Start with dhcpd's header, then the leases (0 and 255 avoided only by chance of the /15).
    parts.push('# The format of this file is documented in the dhcpd.leases(5) manual page.\nauthoring-byte-order little-endian;\n\n');
    for (let i = 0; i < COUNT; i++) parts.push(leaseText(i + 256));
    const text = parts.join('');
    const leasesPath = path.join(dir, 'dhcpd.leases');
    const configPath = path.join(dir, 'dhcpd.conf');
    fs.writeFileSync(leasesPath, text);
    fs.writeFileSync(configPath, CONFIG);
    const bytes = Buffer.byteLength(text);

    const rows = [];
    // Steps return counts only, so that no step's output stays on the heap during the next.
    const whole = measure('parseLeases(whole text)', () => parseLeases(text).records.length);
    if (whole.result !== COUNT) throw new Error(`parsed ${whole.result} records, expected ${COUNT}`);
    rows.push(whole);

    rows.push(measure('LeasesStreamParser, 1 MiB chunks', () => {
      const parser = new LeasesStreamParser();
      let n = 0;
      const buf = Buffer.from(text);
      for (let off = 0; off < buf.length; off += 1 << 20) n += parser.push(buf.subarray(off, off + (1 << 20)).toString('latin1')).length;
      return n;
    }));

    const applied = measure('parse + apply to IscState', () => {
      const state = new IscState();
      state.loadConfig(parseConfig(CONFIG));
      state.applyRecords(parseLeases(text).records);
      return state.index.size().leases;
    });
    if (applied.result !== COUNT) throw new Error(`state holds ${applied.result} leases, expected ${COUNT}`);
    rows.push(applied);

    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const followed = new IscState();
    const quiet = { debug() {}, info() {}, warn: console.warn, error: console.error };
    const follower = new LeasesFollower({ configPath, leasesPath, state: followed, log: quiet, watch: false, pollIntervalMs: 60000 });
    const t0 = process.hrtime.bigint();
    await follower.start();
    const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
    rows.push({ name: 'LeasesFollower.start() (disk, async, swap; once)', best: startMs, median: startMs });
    gc();
    const retainedMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
    const size = followed.index.size();
    await follower.stop();

    console.log(`\nISC leases parsing: ${COUNT} leases, ${(bytes / 1048576).toFixed(1)} MiB, node ${process.version}, ${os.cpus()[0].model}\n`);
    console.log(`| step | best (ms) | median of ${REPEAT} (ms) | leases/s (best) |`);
    console.log('|---|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.name} | ${r.best.toFixed(0)} | ${r.median.toFixed(0)} | ${Math.round((COUNT * 1000) / r.best)} |`);
    console.log(`\nLoaded state: ${size.subnets} subnet, ${size.leases} active leases; heap kept by it ≈ ${retainedMb.toFixed(0)} MiB` +
      ` (${((retainedMb * 1048576) / size.leases).toFixed(0)} bytes/lease); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB` +
      `${global.gc ? '' : ' (run with --expose-gc for exact heap figures)'}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
