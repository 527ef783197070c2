'use strict';
// The whole bench/RESULTS.md: machine facts, method, the side-by-side table, the boot storm,
// start-up and memory figures.
const { mib, ms, int } = require('./report');
const { percentile } = require('./http-conn');

function resultsMarkdown(r) {
  const { facts, results, stormResult } = r;
  const ranRss = [
    ...results.map((e) => e.ours?.peakRss ?? 0),
    stormResult?.ours?.peakRss ?? 0,
  ];
  const peakRss = Math.max(...ranRss);
  const lines = [
    '# Benchmark: our proxy vs nginx, side by side',
    '',
    `Run ${facts.date} by \`npm run bench\` (bench/run.js). Machine: ${facts.nproc} cores (${facts.cpu}), ${facts.memory} RAM, Linux ${facts.kernel}.`,
    `Node ${facts.node}, nginx ${facts.nginx}, ${facts.wrk}. Proxy build: ${facts.commit} (${facts.proxyDir}).`,
    '',
    '## Method',
    '',
    `- Same boot tree for both, under \`/httpboot/\` on 127.0.0.1; load generator on the same ${facts.nproc}-core machine (it competes with the server for CPU, equally for both).`,
    `- **Our proxy** runs as operators run it: \`node dist/main.js --settings settings.yml\`, log level INFO to a file (one Started/Finished line pair per request), modules httpboot, tftp, logs and dhcp (ISC provider: generated dhcpd.conf and a leases file with ${int(r.dhcp.records)} records in ${r.dhcp.network}/16, \`ping_free_ip: false\`; no dhcpd needed for reads). HTTP only (no TLS rows).`,
    '- **nginx**: `worker_processes auto`, `sendfile on`, `tcp_nopush on`, keep-alive on (`keepalive_requests 1000000` so it never closes a benchmark connection), **access_log to a file** (Debian\'s default; our proxy logs every request too).',
    `- GET rows: wrk, ${r.seconds} s per row per server (64 MB × 256 connections: ${r.seconds * 2} s; unused_ip: ${Math.min(r.seconds, 3)} s), 2 threads (1 for 1 connection), \`--latency\`; \`Connection: close\` rows send that header on every request. wrk 4.1 cannot parse HEAD answers, so **HEAD+GET rows** use bench/clients/pair-worker.js (2 Node processes; each connection does HEAD then GET of the same file, as UEFI firmware does; latency = the whole pair).`,
    '- MiB/s counts what the client received (wrk: headers + bodies; pair client: bodies). Errors: status = HTTP ≥ 400, socket = connect/read/write errors, timeout, protocol = wrong length.',
    '- Peak RSS: sum of VmRSS over our proxy\'s whole process tree (primary + workers), sampled from /proc every 100 ms during each row.',
    `- **Other load** = share of all cores used, during that server's run, by processes outside the benchmark (other jobs on a shared machine); a row where it exceeds 20% is measured again (up to 3 tries, both servers) and the least disturbed try is kept; rows where it stays high are not trustworthy. Before the rows: ${Math.round(r.quietLoad * 100)}% (load average at the end: ${facts.loadavg}).`,
    '- Ratio = ours / nginx. Targets (issue 6): small files ≥ 0.5× nginx req/s; large files ≥ 0.9× nginx MiB/s; p50 at one kept-alive connection ≤ 2× nginx; zero boot-storm errors; peak RSS < 250 MiB; start-up < 1 s.',
    '',
    '## Side by side',
    '',
    r.rowsTable(results),
    '',
    `/features and /dhcp/…/unused_ip have no nginx equivalent (ratio n/a). unused_ip marks each answer as offered for 30 min and the /16 has only ${int(r.dhcp.free)} never-used addresses, so each unused_ip row runs last, on a freshly restarted proxy; answers \`{"ip":null}\` (pool exhausted within the row) are counted in the row name.`,
    '',
  ];
  if (stormResult) {
    lines.push(
      `## Boot storm: ${int(r.machines)} machines at once`,
      '',
      'bench/clients/storm-worker.js (2 Node processes): every machine starts at the same instant, opens one kept-alive connection and does HEAD + GET of the EFI image, the kernel and the initrd in turn. Wall time = until the last machine has its initrd.',
      '',
      r.stormTable(stormResult, r.stormFiles),
      '',
    );
  }
  lines.push(
    '## Start-up and memory (ours)',
    '',
    '| | value | target |',
    '|---|---:|---|',
    `| start-up: spawn → first 200 on /features | ${ms(r.startup.oursMs)} ms | < 1 000 ms ${r.startup.oursMs < 1000 ? '✅' : '❌'} |`,
    `| spawn → /dhcp/…/unused_ip answers 200 (${int(r.dhcp.records)} records loaded) | ${r.startup.dhcpReadyMs === null ? `never (last status ${r.startup.dhcpStatus})` : `${ms(r.startup.dhcpReadyMs)} ms`} | |`,
    ...(r.startup.emptyStarts?.length ? [`| start-up with an empty leases file (same settings otherwise): median of ${r.startup.emptyStarts.length} | ${ms(percentile(r.startup.emptyStarts, 50))} ms (${r.startup.emptyStarts.map(ms).join(', ')}) | reported |`] : []),
    ...(r.startup.restarts.length ? [`| restarts before the unused_ip rows: first answer / unused_ip ready | ${r.startup.restarts.map((x) => `${ms(x.startupMs)} / ${x.dhcpReadyMs === null ? '—' : ms(x.dhcpReadyMs)} ms`).join('; ')} | |`] : []),
    `| idle RSS after start-up (process tree) | ${mib(r.rss.idle)} MiB | reported |`,
    `| idle RSS after all rows and the storm (before the unused_ip restarts) | ${mib(r.rss.idleAfter)} MiB | reported |`,
    `| peak RSS over all rows | ${mib(peakRss)} MiB | < 250 MiB ${peakRss < 250 * 2 ** 20 ? '✅' : '❌'} |`,
    `| nginx idle RSS (master + workers), for scale | ${mib(r.rss.nginxIdle)} MiB | |`,
    `| proxy log written during the run | ${int(r.log.lines)} lines, ${mib(r.log.bytes)} MiB, ${r.log.problems.length} WARN/ERROR lines | |`,
    '',
  );
  const after = new Map(r.rss.afterBreakdown.map((p) => [p.pid, p.rss]));
  lines.push(
    'RSS of each process of our proxy, idle after start-up and idle after the rows and the storm:',
    '',
    '| pid | role | command line | after start-up, MiB | after the run, MiB |',
    '|---:|---|---|---:|---:|',
    ...r.rss.idleBreakdown.map((p) => `| ${p.pid} | ${p.role} | \`${p.cmd.slice(0, 80)}\` | ${mib(p.rss)} | ${after.has(p.pid) ? mib(after.get(p.pid)) : 'gone'} |`),
    ...r.rss.afterBreakdown.filter((p) => !r.rss.idleBreakdown.some((q) => q.pid === p.pid)).map((p) => `| ${p.pid} | ${p.role} | \`${p.cmd.slice(0, 80)}\` | (new) | ${mib(p.rss)} |`),
    '',
  );
  if (r.log.problems.length) {
    lines.push('First WARN/ERROR lines of the proxy log:', '', '```', ...r.log.problems.slice(0, 10).map((l) => l.slice(0, 300)), '```', '');
  }
  return lines.join('\n');
}

module.exports = { resultsMarkdown };
