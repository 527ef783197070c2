/**
 * One run of a real ISC dhclient in a test namespace: it asks for a lease once, and instead of
 * configuring the interface its script records the variables dhclient hands it (new_ip_address,
 * new_filename, new_vendor_class_identifier, …). The host's resolv.conf and routes are never
 * touched; the dhclient PID is stopped by the harness.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireRootAndCommands, run } from './netns';

export interface DhclientOptions {
  /** Namespace and interface the client runs on (e.g. DhcpdInstance.clientNs / clientIf). */
  ns: string;
  iface: string;
  /** MAC set on the interface before the run. */
  mac: string;
  /** Sent as option 60 when given (e.g. "HTTPClient"). */
  vendorClass?: string;
  /**
   * 'uefi': also asks for options 60, 66 and 67 as EDK2's HTTP boot client does (dhcpd sends
   * option 60 only to clients that ask for it); 'plain': the usual list.
   */
  requestList?: 'uefi' | 'plain';
  timeoutMs?: number;
}

export interface DhclientResult {
  /** Whether dhclient reached BOUND. */
  bound: boolean;
  /** Variables of the BOUND call (new_ip_address, new_filename, …), empty if none. */
  vars: Record<string, string>;
  /** dhclient's own output. */
  log: string;
}

const RECORDER = `#!/bin/sh
{ echo "reason=$reason"; env | grep -E '^(new_|interface=)' | sort; echo; } >>"$DHCLIENT_RECORD"
exit 0
`;

export async function runDhclient(o: DhclientOptions): Promise<DhclientResult> {
  requireRootAndCommands('dhclient');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spdhclient-'));
  const record = path.join(dir, 'record.env');
  const script = path.join(dir, 'record.sh');
  const conf = path.join(dir, 'dhclient.conf');
  fs.writeFileSync(script, RECORDER, { mode: 0o755 });
  const request =
    o.requestList === 'uefi'
      ? 'subnet-mask, broadcast-address, routers, host-name, vendor-class-identifier, tftp-server-name, bootfile-name'
      : 'subnet-mask, broadcast-address, routers, host-name';
  fs.writeFileSync(
    conf,
    [
      'timeout 15;',
      'retry 1;',
      'initial-interval 1;',
      'backoff-cutoff 2;',
      o.vendorClass !== undefined ? `send vendor-class-identifier "${o.vendorClass}";` : '',
      `request ${request};`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(record, '');
  let log = '';
  try {
    await run('ip', ['-n', o.ns, 'link', 'set', o.iface, 'down']);
    await run('ip', ['-n', o.ns, 'link', 'set', o.iface, 'address', o.mac]);
    await run('ip', ['-n', o.ns, 'link', 'set', o.iface, 'up']);
    const child = spawn(
      'ip',
      ['netns', 'exec', o.ns, 'dhclient', '-4', '-d', '-1', '-v', '-cf', conf, '-lf', path.join(dir, 'leases'),
        '-pf', path.join(dir, 'dhclient.pid'), '-sf', script, '-e', `DHCLIENT_RECORD=${record}`, o.iface],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    let vars: Record<string, string> | null = null;
    while (!vars && Date.now() < deadline && child.exitCode === null) {
      vars = boundVars(fs.readFileSync(record, 'utf8'));
      if (!vars) await new Promise((r) => setTimeout(r, 100));
    }
    vars = vars ?? boundVars(fs.readFileSync(record, 'utf8'));
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    return { bound: !!vars, vars: vars ?? {}, log };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The variables of the first BOUND block the recorder wrote, or null. Only complete blocks
 * (ended by the empty line) count: the recorder may be read while it is still writing one.
 */
function boundVars(recorded: string): Record<string, string> | null {
  for (const block of recorded.split('\n\n').slice(0, -1)) {
    const lines = block.split('\n').filter(Boolean);
    if (lines[0] !== 'reason=BOUND') continue;
    const vars: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf('=');
      if (i > 0) vars[l.slice(0, i)] = l.slice(i + 1);
    }
    // A block cut short while the recorder is still writing it has no address yet: keep waiting.
    if (!vars.new_ip_address) continue;
    return vars;
  }
  return null;
}
