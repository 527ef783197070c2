'use strict';
// What the benchmark measures, one row per line of the results table. Each row runs against
// nginx then our proxy (or ours alone when nginx has no equivalent) with the same client.
const { FILES } = require('./fixtures');

/**
 * kind: 'wrk' (GET load) or 'pairs' (HEAD+GET on each connection, bench/clients/pair-worker.js).
 * metric: which ratio the target is about — 'rps' (small answers) or 'bps' (large files).
 */
function benchmarkRows({ seconds, dhcpNetwork }) {
  const rows = [];
  const fileRows = [
    { label: '2 KB', file: FILES.small, metric: 'rps' },
    { label: '64 MB', file: FILES.large, metric: 'bps' },
  ];
  for (const { label, file, metric } of fileRows) {
    for (const close of [false, true]) {
      for (const conns of [1, 32, 256]) {
        const large = file.size > 1024 * 1024;
        rows.push({
          group: 'files',
          name: `GET ${label}${close ? ', Connection: close' : ', keep-alive'}`,
          kind: 'wrk', path: `/httpboot/${file.rel}`, conns, close, metric, both: true,
          // 256 connections × 64 MB: each response takes seconds, so give every connection time to
          // finish some; wrk's default 2 s timeout would count every large response as a timeout.
          seconds: large && conns === 256 ? seconds * 2 : seconds,
          timeoutSeconds: large ? 60 : 10,
          stallCheck: !close && conns === 1,
        });
      }
    }
  }
  // Each unused_ip answer is remembered as offered: at ~3 000 answers/s a 5 s row would use up
  // the /16's 15 534 free addresses and end up measuring the exhausted case instead.
  const dhcpSeconds = Math.min(seconds, 3);
  rows.push(
    { group: 'pairs', name: 'HEAD+GET 2 KB (firmware)', kind: 'pairs', path: `/httpboot/${FILES.small.rel}`, conns: 1, metric: 'rps', both: true, seconds, stallCheck: true },
    { group: 'pairs', name: 'HEAD+GET 2 KB (firmware)', kind: 'pairs', path: `/httpboot/${FILES.small.rel}`, conns: 32, metric: 'rps', both: true, seconds },
    { group: 'pairs', name: 'HEAD+GET 12 MB kernel (firmware)', kind: 'pairs', path: `/httpboot/${FILES.kernel.rel}`, conns: 32, metric: 'bps', both: true, seconds },
    { group: 'api', name: 'GET /features', kind: 'wrk', path: '/features', conns: 1, metric: 'rps', both: false, seconds },
    { group: 'api', name: 'GET /features', kind: 'wrk', path: '/features', conns: 32, metric: 'rps', both: false, seconds },
    { group: 'api', name: `GET /dhcp/${dhcpNetwork}/unused_ip (/16, 50 000 records)`, kind: 'wrk', path: `/dhcp/${dhcpNetwork}/unused_ip`, conns: 1, metric: 'rps', both: false, seconds: dhcpSeconds, countNulls: true, needsDhcp: true, freshProxy: true },
    { group: 'api', name: `GET /dhcp/${dhcpNetwork}/unused_ip (/16, 50 000 records)`, kind: 'wrk', path: `/dhcp/${dhcpNetwork}/unused_ip`, conns: 32, metric: 'rps', both: false, seconds: dhcpSeconds, countNulls: true, needsDhcp: true, freshProxy: true },
  );
  return rows;
}

module.exports = { benchmarkRows };
