/**
 * A fake Kea Control Agent on loopback for unit tests of dhcp_kea through its routes: it answers
 * the commands the provider sends as a Kea with (or without) the host_cmds hook does, records every
 * command, and lets a test replace the answer to any command (to make `config-write` fail, or the
 * configuration change behind the proxy's back). Things Debian's Kea 2.2 cannot do on demand.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface FakeAgentState {
  version: string;
  hostCmds: boolean;
  paged?: boolean;
  dhcp4: Record<string, any>;
  hosts: Record<string, any>[];
  received: { command: string; arguments?: any }[];
  /** An answer of its own for a command; `undefined` falls back to the standard answer. */
  override?: (command: string, args: any, s: FakeAgentState) => unknown;
}

export const LEASE_CMDS = ['lease4-get', 'lease4-get-all', 'lease4-get-by-hw-address', 'lease4-del'];
export const HOST_CMDS = ['reservation-add', 'reservation-del', 'reservation-get-all'];

/** One subnet, 192.168.50.0/24 with Kea id 5, and nothing else; `dhcp4Extra` adds top-level keys. */
export function agentState(version: string, hostCmds: boolean, dhcp4Extra: Record<string, any> = {}): FakeAgentState {
  return {
    version, hostCmds, hosts: [], received: [],
    dhcp4: { subnet4: [{ id: 5, subnet: '192.168.50.0/24', pools: [], 'option-data': [], reservations: [] }], ...dhcp4Extra },
  };
}

function standardAnswer(command: string, args: any, s: FakeAgentState): unknown {
  switch (command) {
    case 'list-commands':
      return { result: 0, arguments: ['config-get', 'config-set', 'config-test', 'config-write', 'list-commands', 'version-get', ...LEASE_CMDS,
        ...(s.hostCmds ? HOST_CMDS : []), ...(s.paged ? ['reservation-get-page'] : [])] };
    case 'version-get':
      return { result: 0, text: s.version };
    case 'config-get':
      return { result: 0, arguments: { Dhcp4: s.dhcp4 } };
    case 'config-test':
      return { result: 0, text: 'Configuration seems sane.' };
    case 'config-set':
      s.dhcp4 = args.Dhcp4;
      return { result: 0, text: 'Configuration successful.' };
    case 'config-write':
      return { result: 0, text: 'Configuration written' };
    case 'reservation-add':
      s.hosts.push(args.reservation);
      return { result: 0, text: 'Host added.' };
    case 'reservation-del': {
      const before = s.hosts.length;
      s.hosts = s.hosts.filter((h) => !(h['subnet-id'] === args['subnet-id'] && h['hw-address'] === args.identifier));
      return before === s.hosts.length ? { result: 1, text: 'Host not deleted (not found).' } : { result: 0, text: 'Host deleted.' };
    }
    case 'reservation-get-all': {
      const hosts = s.hosts.filter((h) => h['subnet-id'] === args['subnet-id']);
      return { result: hosts.length ? 0 : 3, text: `${hosts.length} IPv4 host(s) found.`, arguments: { hosts } };
    }
    case 'reservation-get-page': {
      // As Kea documents it: `from` and `source-index` copied from the previous answer's `next`.
      const all = s.hosts.filter((h) => h['subnet-id'] === args['subnet-id']);
      const from = args.from ?? 0;
      const hosts = all.slice(from, from + args.limit);
      if (!hosts.length) return { result: 3, text: '0 IPv4 host(s) found.', arguments: { count: 0, hosts: [] } };
      return { result: 0, text: `${hosts.length} IPv4 host(s) found.`, arguments: { count: hosts.length, hosts, next: { from: from + hosts.length, 'source-index': 0 } } };
    }
    case 'lease4-get-all':
    case 'lease4-get-by-hw-address':
      return { result: 3, text: '0 IPv4 lease(s) found.', arguments: { leases: [] } };
    case 'lease4-get':
      return { result: 3, text: 'Lease not found.' };
    default:
      return { result: 2, text: `'${command}' command not supported.` };
  }
}

export interface FakeAgent {
  /** The agent's URL, for the `url` setting of dhcp_kea. */
  url: string;
  /** What the agent answers from; replace it to start a test afresh. */
  state: FakeAgentState;
  /** The write commands received so far, in order. */
  writes(): string[];
  close(): Promise<void>;
}

export async function startFakeAgent(initial: FakeAgentState = agentState('2.2.0', false)): Promise<FakeAgent> {
  const agent = { state: initial } as FakeAgent;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { command, arguments: args } = JSON.parse(body);
      const s = agent.state;
      s.received.push({ command, arguments: args });
      const answer = s.override?.(command, args, s) ?? standardAnswer(command, args, s);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify([answer]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  agent.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  agent.writes = () => agent.state.received.map((r) => r.command).filter((c) => /^(reservation-(add|del)|config-(set|write))$/.test(c));
  agent.close = () => new Promise<void>((r) => server.close(() => r()));
  return agent;
}
