import { promises as dns } from 'dns';
import * as fs from 'fs';
import * as os from 'os';

/**
 * The baseline's `dns_resolv` helper: Ruby's Resolv::DNS (the name servers and search list of
 * /etc/resolv.conf, not the hosts file) with `dns_resolv_timeouts` as its per-try timeouts. The
 * ISC provider resolves a next-server name with it (reference §7.8.4).
 */

/** The baseline's default; Ruby's own is [5, 20, 40], "a bit too much for us". */
export const DEFAULT_DNS_RESOLV_TIMEOUTS = [5, 8, 13];

/**
 * `dns_resolv_timeouts` as Resolv::DNS#timeouts= takes it: one positive number or a list of
 * them, in seconds. null leaves Ruby's generated default. Throws for anything else.
 */
export function dnsResolvTimeouts(value: unknown): number[] | null {
  if (value === null || value === undefined) return null;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((t) => typeof t === 'number' && t > 0)) {
    throw new Error(`Setting 'dns_resolv_timeouts' must be a positive number of seconds or a list of them, got ${JSON.stringify(value)}`);
  }
  return list as number[];
}

/** Ruby's default when no timeouts are set: 5 s, then doubling, shared among the name servers. */
function generatedTimeouts(servers: number): number[] {
  const ts = [5];
  ts.push(ts[0] * 2 / Math.max(1, servers));
  ts.push(ts[1] * 2, ts[1] * 4);
  return ts;
}

export interface SearchConfig {
  search: string[];
  ndots: number;
}

/** The `search`/`domain` and `options ndots:` lines of resolv.conf, read as Resolv::DNS::Config reads them. */
export function parseResolvConf(text: string, hostname = os.hostname()): SearchConfig {
  let search: string[] | undefined;
  let ndots = 1;
  for (const raw of text.split('\n')) {
    const [keyword, ...args] = raw.replace(/[#;].*/, '').trim().split(/\s+/);
    if (keyword === 'domain' && args.length) search = [args[0]];
    else if (keyword === 'search' && args.length) search = args;
    else if (keyword === 'options') {
      for (const arg of args) {
        const m = /^ndots:(\d+)$/.exec(arg);
        if (m) ndots = Number(m[1]);
      }
    }
  }
  // No search list: the domain of the host's own name, if it has one.
  search ??= hostname.includes('.') ? [hostname.slice(hostname.indexOf('.') + 1)] : [];
  return { search, ndots };
}

/** The names Resolv::DNS asks for, in order: as given (if it has ndots dots), with each search domain, as given. */
export function candidateNames(name: string, conf: SearchConfig): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const candidates = name.split('.').length - 1 >= conf.ndots ? [name] : [];
  for (const domain of conf.search) candidates.push(`${name}.${domain}`);
  if (!candidates.includes(name)) candidates.push(name);
  return candidates;
}

function readSearchConfig(): SearchConfig {
  try {
    return parseResolvConf(fs.readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return parseResolvConf('');
  }
}

export interface DnsLookupOptions {
  /** Seconds per try (each try asks every name server in turn); null: Ruby's generated default. */
  timeouts: number[] | null;
  /** Name servers (`ip` or `ip:port`); default those of /etc/resolv.conf. */
  servers?: string[];
  /** Search list and ndots; default those of /etc/resolv.conf. */
  search?: SearchConfig;
}

type Answer = { address: string | null } | 'timeout' | 'nxdomain' | 'failed';

/**
 * One query to one server, given `seconds`. Node checks c-ares timeouts only once a second, so
 * the time limit is our own timer (cancelling the query), to keep each try as long as configured.
 */
async function askOnce(name: string, server: string, seconds: number): Promise<Answer> {
  const ms = Math.max(1, Math.round(seconds * 1000));
  const resolver = new dns.Resolver({ timeout: ms + 1000, tries: 1 });
  resolver.setServers([server]);
  const timer = setTimeout(() => resolver.cancel(), ms);
  try {
    return { address: (await resolver.resolve4(name))[0] ?? null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A server that refuses (nothing listening) is passed over like one that does not answer.
    if (code === 'ECANCELLED' || code === 'ETIMEOUT' || code === 'ECONNREFUSED') return 'timeout';
    return code === 'ENOTFOUND' ? 'nxdomain' : 'failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The first IPv4 address DNS gives for `name`, or null. As Resolv::DNS: for each candidate name,
 * each timeout in turn, each name server in turn; a server that says the name does not exist
 * moves on to the next candidate, one that times out to the next server (then the next timeout;
 * every try timed out: null); any other answer (no A record, a server failure) ends the lookup.
 */
export async function dnsIpv4Address(name: string, opts: DnsLookupOptions): Promise<string | null> {
  const search = opts.search ?? readSearchConfig();
  const servers = opts.servers ?? new dns.Resolver().getServers();
  const timeouts = opts.timeouts ?? generatedTimeouts(servers.length);
  candidates: for (const candidate of candidateNames(name, search)) {
    for (const seconds of timeouts) {
      for (const server of servers) {
        const answer = await askOnce(candidate, server, seconds);
        if (answer === 'nxdomain') continue candidates;
        if (answer === 'failed') return null;
        if (answer !== 'timeout') return answer.address;
      }
    }
    return null;
  }
  return null;
}
