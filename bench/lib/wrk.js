'use strict';
// wrk runs for GET rows. Every run uses a generated Lua script whose done() prints one JSON line
// (exact counts, p50/p99 in µs, error classes) so nothing is scraped from wrk's human output.
// wrk 4.1 cannot do HEAD (its parser waits for the Content-Length body), so HEAD+GET rows use
// bench/pair-client.js instead.
const fs = require('fs');
const path = require('path');
const processes = require('./processes');

const REPORT_LUA = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local nulls = 0
  for _, t in ipairs(threads) do nulls = nulls + (t:get("nulls") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"nulls":%d}\\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, nulls))
end
`;

// Counts {"ip":null} answers (the subnet ran out of never-offered addresses).
const COUNT_NULLS_LUA = `
nulls = 0
function response(status, headers, body)
  if body and string.find(body, '"ip":null', 1, true) then nulls = nulls + 1 end
end
`;

let scriptCounter = 0;

/**
 * Runs wrk once. opts: url, connections, seconds, close (Connection: close), countNulls,
 * timeoutSeconds, dir (where to write the Lua script). Resolves to parsed figures.
 */
function runWrk(opts) {
  const lua = REPORT_LUA + (opts.countNulls ? COUNT_NULLS_LUA : '');
  const script = path.join(opts.dir, `wrk-${++scriptCounter}.lua`);
  fs.writeFileSync(script, lua);
  const threads = Math.min(2, opts.connections);
  const args = ['-t', String(threads), '-c', String(opts.connections), '-d', `${opts.seconds}s`,
    '--timeout', `${opts.timeoutSeconds ?? 10}s`, '--latency', '-s', script];
  if (opts.close) args.push('-H', 'Connection: close');
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    // Tracked like the daemons, so an interrupted run never leaves wrk behind.
    const child = processes.start('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (!line) {
        reject(new Error(`wrk ${args.join(' ')} exited with ${code}\n${stdout}\n${stderr}`));
        return;
      }
      const r = JSON.parse(line.slice('BENCH_JSON '.length));
      const seconds = r.duration_us / 1e6;
      resolve({
        tool: 'wrk',
        requests: r.requests,
        seconds,
        reqPerSec: r.requests / seconds,
        bytesPerSec: r.bytes / seconds,
        p50Ms: r.requests ? r.p50_us / 1000 : null,
        p99Ms: r.requests ? r.p99_us / 1000 : null,
        errors: { status: r.status, socket: r.connect + r.read + r.write, timeout: r.timeout },
        nulls: r.nulls,
      });
    });
  });
}

module.exports = { runWrk };
