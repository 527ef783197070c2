'use strict';
// Starting, watching and stopping the daemons the benchmark runs (nginx, our proxy, load clients).
// Only processes started here are ever signalled, by PID (plus their own descendants, found
// through /proc), so nothing else on the machine is touched.
const fs = require('fs');
const { spawn } = require('child_process');

const tracked = new Set();

/** Every live descendant of `root` (children, grandchildren…), read from /proc/<pid>/stat. */
function descendantsOf(root) {
  const childrenOf = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // The command name is in parentheses and may hold spaces: the ppid is the 2nd field after ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!childrenOf.has(ppid)) childrenOf.set(ppid, []);
    childrenOf.get(ppid).push(Number(name));
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    for (const c of childrenOf.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process and all its descendants, in bytes (0 once it is gone). */
function treeRss(pid) {
  let kib = rssKiB(pid);
  for (const d of descendantsOf(pid)) kib += rssKiB(d);
  return kib * 1024;
}

/** Samples treeRss(pid) every `everyMs` until stop(); stop() returns the peak in bytes. */
function sampleRss(pid, everyMs = 100) {
  let peak = treeRss(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRss(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, treeRss(pid));
    },
  };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** spawn() that remembers the child so killAll() can stop it, whatever happens to the run. */
function start(command, args, options = {}) {
  const child = spawn(command, args, options);
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  return child;
}

/**
 * Stops one started process and its descendants: `signal` first, SIGKILL for anything still
 * alive after `graceMs`. Resolves once the direct child has exited.
 */
async function stop(child, signal = 'SIGTERM', graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const family = [child.pid, ...descendantsOf(child.pid)];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(child.pid, signal);
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && family.some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of family) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* raced with its exit */
      }
    }
  }
  await exited;
}

/** Last-resort synchronous cleanup (process 'exit' handler): SIGKILL every tracked tree. */
function killAllNow() {
  for (const child of tracked) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const pid of [...descendantsOf(child.pid), child.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  tracked.clear();
}

async function stopAll() {
  await Promise.all([...tracked].map((c) => stop(c)));
}

module.exports = { start, stop, stopAll, killAllNow, treeRss, sampleRss, descendantsOf };

/**
 * The kernel's count of connections refused or delayed because a listen queue was full
 * (TcpExt ListenOverflows in /proc/net/netstat, this network namespace). Sampled around a run,
 * the difference shows whether a server accepted too slowly (clients then wait for SYN/ACK
 * retransmissions: stalls of 1, 3, 7… s).
 */
function listenOverflows() {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'latin1').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]) || 0;
  } catch {
    return 0;
  }
}

module.exports.listenOverflows = listenOverflows;

/** RSS (bytes) and command line of a process and each descendant: where the memory sits. */
function treeBreakdown(pid) {
  return [pid, ...descendantsOf(pid)].map((p) => {
    let cmd = '';
    try {
      // Absolute paths shortened to their last component: the temp dir names say nothing.
      cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0').filter(Boolean)
        .map((a) => (a.startsWith('/') ? a.replace(/^.*\//, '') : a)).join(' ');
    } catch {
      /* gone */
    }
    return { pid: p, role: p === pid ? 'primary' : 'child', rss: rssKiB(p) * 1024, cmd };
  });
}

module.exports.treeBreakdown = treeBreakdown;

/** Busy CPU time of the whole machine so far, in clock ticks (/proc/stat: all but idle and iowait). */
function machineBusyTicks() {
  const f = fs.readFileSync('/proc/stat', 'latin1').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return f.reduce((a, b) => a + b, 0) - f[3] - f[4];
}

/** CPU ticks used by a process tree, including its reaped children (utime+stime+cutime+cstime). */
function treeCpuTicks(pid) {
  let ticks = 0;
  for (const p of [pid, ...descendantsOf(pid)]) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      /* exited: its time reaches its parent's cutime once reaped */
    }
  }
  return ticks;
}

/**
 * Measures how busy the machine was with processes that are NOT part of this benchmark (other
 * jobs sharing the cores): stop() returns that share of all cores, 0–1, over the interval.
 */
function foreignLoad() {
  const cores = require('os').cpus().length;
  const hz = 100; // USER_HZ on Linux
  const t0 = process.hrtime.bigint();
  const busy0 = machineBusyTicks();
  const ours0 = treeCpuTicks(process.pid);
  return {
    stop() {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const foreign = machineBusyTicks() - busy0 - (treeCpuTicks(process.pid) - ours0);
      return Math.min(1, Math.max(0, foreign / (seconds * hz * cores)));
    },
  };
}

module.exports.foreignLoad = foreignLoad;
