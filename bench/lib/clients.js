'use strict';
// Runs the Node load clients (HEAD+GET pairs, boot storm) over several processes and merges what
// they report into the same shape as a wrk result.
const path = require('path');
const { fanOut, split } = require('./fanout');
const { percentile } = require('./http-conn');

const CLIENT_PROCS = 2; // one per core of the target machine; more would only steal server CPU

function sumErrors(list) {
  const out = {};
  for (const e of list) for (const [k, v] of Object.entries(e)) out[k] = (out[k] ?? 0) + v;
  return out;
}

async function runPairs({ host, port, path: urlPath, conns, seconds }) {
  const shares = split(conns, CLIENT_PROCS).map((connections) => ({ host, port, path: urlPath, connections, seconds }));
  const { results, wallMs } = await fanOut(path.join(__dirname, '../clients/pair-worker.js'), shares);
  const pairMs = results.flatMap((r) => r.pairMs);
  const requests = results.reduce((s, r) => s + r.requests, 0);
  const secs = wallMs / 1000;
  return {
    tool: 'pair-worker',
    requests,
    seconds: secs,
    reqPerSec: requests / secs,
    bytesPerSec: results.reduce((s, r) => s + r.bytes, 0) / secs,
    // Latency of a whole HEAD+GET pair: what a booting machine waits for.
    p50Ms: percentile(pairMs, 50),
    p99Ms: percentile(pairMs, 99),
    errors: sumErrors(results.map((r) => r.errors)),
    connects: results.reduce((s, r) => s + r.connects, 0),
  };
}

async function runStorm({ host, port, machines, files, timeoutMs = 300000 }) {
  const shares = split(machines, CLIENT_PROCS).map((n) => ({ host, port, machines: n, timeoutMs, files }));
  const { results, wallMs } = await fanOut(path.join(__dirname, '../clients/storm-worker.js'), shares);
  const perFile = {};
  for (const f of files) {
    const head = results.flatMap((r) => r.files[f.name].headMs);
    const get = results.flatMap((r) => r.files[f.name].getMs);
    perFile[f.name] = {
      ok: results.reduce((s, r) => s + r.files[f.name].ok, 0),
      head: { p50: percentile(head, 50), p99: percentile(head, 99) },
      get: { p50: percentile(get, 50), p99: percentile(get, 99) },
    };
  }
  const machineMs = results.flatMap((r) => r.machineMs);
  const connectMs = results.flatMap((r) => r.connectMs);
  return {
    wallMs,
    bytes: results.reduce((s, r) => s + r.bytes, 0),
    connects: results.reduce((s, r) => s + r.connects, 0),
    errors: sumErrors(results.map((r) => r.errors)),
    machine: { p50: percentile(machineMs, 50), p99: percentile(machineMs, 99) },
    connect: { p50: percentile(connectMs, 50), p99: percentile(connectMs, 99), max: percentile(connectMs, 100) },
    files: perFile,
  };
}

module.exports = { runPairs, runStorm };
