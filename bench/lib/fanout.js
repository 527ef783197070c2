'use strict';
// Runs a load-client script in several processes (a Node client on one core cannot pull what two
// server cores push), starts them all at the same instant, and collects their results.
//
// Protocol over the IPC channel: parent → {type:'config', opts}; child → {type:'ready'};
// parent (once every child is ready) → {type:'go'}; child → {type:'result', result} and exits.
const processes = require('./processes');

function fanOut(script, shares) {
  return new Promise((resolve, reject) => {
    const results = new Array(shares.length);
    let ready = 0;
    let done = 0;
    let started = 0n;
    let failed = false;
    const children = shares.map((opts, i) => {
      const child = processes.start(process.execPath, [script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m) => {
        if (m.type === 'ready' && ++ready === shares.length) {
          started = process.hrtime.bigint();
          for (const c of children) c.send({ type: 'go' });
        } else if (m.type === 'result') {
          results[i] = m.result;
          if (++done === shares.length) resolve({ results, wallMs: Number(process.hrtime.bigint() - started) / 1e6 });
        }
      });
      child.on('exit', (code, signal) => {
        if (results[i] === undefined && !failed) {
          failed = true;
          for (const c of children) processes.stop(c);
          reject(new Error(`load client ${script} exited (${signal ?? code}) before reporting`));
        }
      });
      child.send({ type: 'config', opts });
      return child;
    });
  });
}

/** Child side: `prepare(opts)` then, on 'go', `run(opts)`; its result goes back to the parent. */
function serveChild(run) {
  let opts;
  process.on('disconnect', () => process.exit(1)); // the runner went away: stop loading the server
  process.on('message', async (m) => {
    if (m.type === 'config') {
      opts = m.opts;
      process.send({ type: 'ready' });
    } else if (m.type === 'go') {
      const result = await run(opts);
      process.send({ type: 'result', result }, () => process.exit(0));
    }
  });
}

/** Splits n units over at most `parts` shares, as evenly as possible (no empty share). */
function split(n, parts) {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

module.exports = { fanOut, serveChild, split };
