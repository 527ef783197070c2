import * as v8 from 'v8';
import * as vm from 'vm';

/**
 * V8 options the proxy's processes run with. V8 reads them when a process starts, so setting them
 * from inside a running process does nothing: worker processes are forked with them, and the
 * primary gets them from how it is launched (the systemd unit, `npm start`, the benchmark).
 * - A 2 MiB young generation: V8's default grows it to 16 MiB per semi-space, 32 MiB resident per
 *   process, for per-request garbage that fits in far less.
 * - A 1 GiB old generation, 30 times what 50 000 DHCP records take: V8 lets the heap grow before it
 *   collects by a factor it derives from this limit, up to 4× the live data with its default of
 *   4 GiB on this machine (measured under /features load: 256 → 207 MiB peak for the process tree,
 *   same throughput).
 */
export const V8_OPTIONS = ['--max-semi-space-size=2', '--max-old-space-size=1024'];

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
 * Asks for one full collection soon, after a large one-off load (start-up, a DHCP leases file read
 * from scratch) or after letting go of large buffers. Either leaves tens of megabytes that nothing
 * would collect while the proxy sits idle: V8 collects when allocation reaches a limit, and an
 * idle proxy allocates nothing. Several requests in a row give one collection.
 */
export function collectGarbageSoon(delayMs = 1000): void {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    fullCollection();
  }, delayMs);
  pending.unref();
}
