'use strict';
// Talking to the servers under test: readiness polling, and starting our proxy with its start-up
// timed from spawn to the first answer.
const fs = require('fs');
const path = require('path');
const http = require('http');
const processes = require('./processes');

const HOST = '127.0.0.1';
const sleep = (msec) => new Promise((r) => setTimeout(r, msec));
const say = (text) => process.stderr.write(`${text}\n`);

/** { status, body } of one request, or null when nothing answers (refused, reset, 2 s timeout). */
function fetchText(port, urlPath) {
  return new Promise((resolve) => {
    const req = http.request({ host: HOST, port, path: urlPath, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => (body += d.length < 65536 ? d : ''));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

async function statusOf(port, urlPath) {
  return (await fetchText(port, urlPath))?.status ?? null;
}

async function waitUntil(check, timeoutMs, everyMs = 5) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

function tail(file, bytes = 8000) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return `(no ${file})`;
  }
}

/** The V8 options the systemd unit starts the measured build with (none for a build that has no list). */
function launchOptions(proxyDir) {
  try {
    return require(path.join(proxyDir, 'dist/core/heap.js')).V8_OPTIONS;
  } catch {
    return [];
  }
}

/** Starts our proxy as the systemd unit does and times it from spawn to the first answer on /features. */
async function startOurs({ proxyDir, tmp, settings, logFile, port }) {
  const main = path.join(proxyDir, 'dist/main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` (or set SMART_PROXY_DIR)`);
  const outFile = path.join(tmp, 'proxy-stdout.log');
  const out = fs.openSync(outFile, 'w');
  const t0 = process.hrtime.bigint();
  const child = processes.start(process.execPath, [...launchOptions(proxyDir), main, '--settings', settings], { cwd: proxyDir, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? code));
  const up = await waitUntil(async () => exited !== null || (await statusOf(port, '/features')) === 200, 15000);
  const startupMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!up || exited !== null) {
    say(`\nour proxy did not start (${exited !== null ? `exited with ${exited}` : 'no answer on /features in 15 s'}).`);
    say(`--- ${outFile} ---\n${tail(outFile)}\n--- ${logFile} ---\n${tail(logFile)}`);
    throw new Error('our proxy failed to start');
  }
  return { child, t0, startupMs, outFile };
}

/** startOurs, then (when dhcp is among /features) the time until unused_ip answers 200. */
async function startOursReady(opts) {
  const { port, dhcpUrl } = opts;
  const ours = await startOurs(opts);
  ours.dhcpStatus = null;
  ours.dhcpUp = false;
  ours.dhcpReadyMs = null;
  const features = await fetchText(port, '/features');
  if (features && /"dhcp"/.test(features.body)) {
    ours.dhcpUp = await waitUntil(async () => (ours.dhcpStatus = await statusOf(port, dhcpUrl)) === 200, 30000, 20);
    if (ours.dhcpUp) ours.dhcpReadyMs = Number(process.hrtime.bigint() - ours.t0) / 1e6;
  } else {
    ours.dhcpStatus = `dhcp is not in /features: ${features?.body}`;
  }
  return ours;
}

module.exports = { fetchText, statusOf, waitUntil, tail, startOursReady, HOST };
