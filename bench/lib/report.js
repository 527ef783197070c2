'use strict';
// Markdown for the results: one line per row, nginx and ours side by side, ratios ours/nginx.
const MiB = 1024 * 1024;

const int = (n) => (n === null || n === undefined || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const ms = (n) => (n === null || n === undefined ? '—' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
const mib = (bytes) => (bytes === null || bytes === undefined ? '—' : `${Math.round(bytes / MiB).toLocaleString('en-US')}`);
const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || !b ? null : a / b);
const pct = (f) => (f === null || f === undefined ? '—' : `${Math.round(f * 100)}%`);
const x = (r) => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

/** Client-visible errors, plus the kernel's listen-queue overflows (delays, not failures). */
function errorsText(e, overflows = 0) {
  if (!e) return '—';
  const parts = Object.entries(e).filter(([, v]) => v > 0);
  const text = parts.length ? `**${parts.reduce((s, [, v]) => s + v, 0)}** (${parts.map(([k, v]) => `${k} ${v}`).join(', ')})` : '0';
  return overflows > 0 ? `${text} + ${overflows} listen overflows` : text;
}

/** The issue's target for a row, judged on this run's figures; '' when the row has none. */
function verdict(row, nginx, ours) {
  const checks = [];
  if (!nginx || !ours) return '';
  if (row.metric === 'rps' && row.group !== 'api') {
    const r = ratio(ours.reqPerSec, nginx.reqPerSec);
    checks.push(`req/s ≥ 0.5× ${r !== null && r >= 0.5 ? '✅' : '❌'}`);
  }
  if (row.metric === 'bps') {
    const r = ratio(ours.bytesPerSec, nginx.bytesPerSec);
    checks.push(`MiB/s ≥ 0.9× ${r !== null && r >= 0.9 ? '✅' : '❌'}`);
  }
  if (row.stallCheck) {
    const r = ratio(ours.p50Ms, nginx.p50Ms);
    checks.push(`p50 ≤ 2× ${r !== null && r <= 2 ? '✅' : '❌'}`);
  }
  return checks.join('<br>');
}

function rowsTable(results) {
  const head = [
    '| test | conns | nginx req/s | ours req/s | **ratio req/s** | nginx MiB/s | ours MiB/s | **ratio MiB/s** | nginx p50 / p99 ms | ours p50 / p99 ms | ratio p50 | nginx errors | ours errors | ours peak RSS MiB | other load nginx / ours | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const lines = results.map((e) => {
    const { row, nginx, ours } = e;
    const cells = [
      row.name + (ours && ours.nulls ? ` — ${int(ours.nulls)} × {"ip":null}` : ''),
      row.conns,
      nginx ? int(nginx.reqPerSec) : 'n/a', ours ? int(ours.reqPerSec) : 'not run',
      x(ratio(ours?.reqPerSec, nginx?.reqPerSec)),
      nginx ? mib(nginx.bytesPerSec) : 'n/a', ours ? mib(ours.bytesPerSec) : '—',
      x(ratio(ours?.bytesPerSec, nginx?.bytesPerSec)),
      nginx ? `${ms(nginx.p50Ms)} / ${ms(nginx.p99Ms)}` : 'n/a', ours ? `${ms(ours.p50Ms)} / ${ms(ours.p99Ms)}` : '—',
      x(ratio(ours?.p50Ms, nginx?.p50Ms)),
      nginx ? errorsText(nginx.errors, nginx.listenOverflows) : 'n/a', ours ? errorsText(ours.errors, ours.listenOverflows) : '—',
      ours ? mib(ours.peakRss) : '—',
      `${pct(nginx?.foreignLoad)} / ${pct(ours?.foreignLoad)}${e.tries > 1 ? ` (try ${e.keptTry} of ${e.tries})` : ''}`,
      verdict(row, nginx, ours),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [...head, ...lines].join('\n');
}

function stormTable(storm, files) {
  const { nginx, ours } = storm;
  const line = (label, f, g = f) => `| ${label} | ${nginx ? f(nginx) : 'n/a'} | ${ours ? f(ours) : 'not run'} | ${nginx && ours ? g === null ? '' : x(ratio(g(ours), g(nginx))) : 'n/a'} |`;
  const out = [
    '| boot storm | nginx | ours | ours/nginx |',
    '|---|---:|---:|---:|',
    line('wall time, s (all machines booted)', (s) => (s.wallMs / 1000).toFixed(1), (s) => s.wallMs),
    line('aggregate MiB/s', (s) => mib(s.bytes / (s.wallMs / 1000)), (s) => s.bytes / s.wallMs),
    line('bytes received, MiB (expected ' + mib(storm.expectedBytes) + ')', (s) => mib(s.bytes), null),
    line('errors', (s) => errorsText(s.errors), null),
    line('listen-queue overflows (kernel counter: clients left waiting for SYN/ACK retries)', (s) => int(s.listenOverflows), null),
    line('connections opened (1 per machine expected)', (s) => int(s.connects), null),
    line('other load: share of all cores used by processes outside the benchmark', (s) => pct(s.foreignLoad), null),
    line('peak RSS, MiB (ours: whole process tree)', (s) => mib(s.peakRss), (s) => s.peakRss),
    line('machine done p50 / p99, s', (s) => `${(s.machine.p50 / 1000).toFixed(1)} / ${(s.machine.p99 / 1000).toFixed(1)}`, (s) => s.machine.p50),
  ];
  out.push(line('TCP connect p50 / p99 / max, ms', (s) => `${ms(s.connect.p50)} / ${ms(s.connect.p99)} / ${ms(s.connect.max)}`, (s) => s.connect.p99));
  for (const f of files) {
    out.push(line(`${f.label}: HEAD p50 / p99, ms`, (s) => `${ms(s.files[f.name].head.p50)} / ${ms(s.files[f.name].head.p99)}`, (s) => s.files[f.name].head.p50));
    out.push(line(`${f.label}: GET p50 / p99, ms`, (s) => `${ms(s.files[f.name].get.p50)} / ${ms(s.files[f.name].get.p99)}`, (s) => s.files[f.name].get.p50));
  }
  return out.join('\n');
}

module.exports = { rowsTable, stormTable, int, ms, mib, ratio, x, pct };
