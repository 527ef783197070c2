/**
 * Asks a running dhcpd, through ISC's own omshell (an OMAPI client independent of the project's),
 * whether it has a host object for a MAC. Used to prove that a deletion really reached dhcpd.
 */
import { spawn } from 'child_process';
import type { DhcpdKey } from './dhcpd';

export const OMSHELL = '/usr/bin/omshell';

export interface OmapiHostLookup {
  found: boolean;
  /** omshell's whole output, for failure messages. */
  output: string;
}

export function omshellHostByMac(o: { ns: string; port: number; key: DhcpdKey | null; mac: string }): Promise<OmapiHostLookup> {
  const script = [
    o.key ? `key ${o.key.name} "${o.key.secret}"` : '',
    'server 127.0.0.1',
    `port ${o.port}`,
    'connect',
    'new host',
    `set hardware-address = ${o.mac}`,
    'set hardware-type = 1',
    'open',
    '',
  ].filter((l, i, all) => l !== '' || i === all.length - 1).join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', o.ns, OMSHELL], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      // After `open`, a found host is printed with the attributes dhcpd holds (ip-address, name…).
      if (/can't open object: not found/.test(out)) resolve({ found: false, output: out });
      else if (/^ip-address = /m.test(out) && !/can't|not connected|error/i.test(out)) resolve({ found: true, output: out });
      else reject(new Error(`omshell lookup of ${o.mac} gave no clear answer:\n${out}`));
    });
    child.stdin.end(script);
  });
}
