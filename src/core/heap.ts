import * as v8 from 'v8';
import * as vm from 'vm';

/**
 * V8 options the proxy's processes run with. A 2 MiB young generation (V8's default grows it to
 * 16 MiB per semi-space, 32 MiB resident per process) is plenty for per-request garbage. V8 reads
 * this when a process starts, so setting it from inside a running process does nothing: worker
 * processes are forked with it, and the primary gets it from how it is launched (the systemd
 * unit, `npm start`, the benchmark).
 */
export const V8_OPTIONS = ['--max-semi-space-size=2'];

/** `execArgv` with every V8_OPTIONS entry the process was not already given. */
export function withV8Options(execArgv: string[]): string[] {
  const given = new Set(execArgv.map((a) => a.split('=')[0]));
  return [...execArgv, ...V8_OPTIONS.filter((o) => !given.has(o.split('=')[0]))];
}

let collector: (() => void) | undefined;
let pending: NodeJS.Timeout | null = null;

/** V8's full collector, reached through a fresh context (the main one was created without `gc`). */
function fullCollection(): void {
  if (!collector) {
    v8.setFlagsFromString('--expose-gc');
    collector = vm.runInNewContext('gc') as () => void;
  }
  collector();
}

/**
 * Asks for one full collection shortly after a large one-off load (start-up, a DHCP leases file
 * read from scratch). Such a load leaves tens of megabytes of parse garbage that nothing would
 * collect while the proxy sits idle: V8 collects when allocation reaches a limit, and an idle
 * proxy allocates nothing. Several requests in a row give one collection.
 */
export function collectAfterLoad(delayMs = 1000): void {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    fullCollection();
  }, delayMs);
  pending.unref();
}
