/**
 * A scripted stand-in for libvirt behind the dhcp_libvirt provider (its LibvirtNetworkClient):
 * holds a network's <dhcp><host> entries and lease rows, applies add-last/delete as libvirt 9.0 does
 * (duplicate MAC/IP/name refused, delete matching every attribute given), counts every call and
 * fails on request with libvirt's own messages.
 */
import type { HostUpdateCommand, LibvirtNetworkClient } from '../../src/modules/dhcp/providers/libvirt/virsh';
import { failedCall, LibvirtCall, VirshError } from '../../src/modules/dhcp/providers/libvirt/virsh';
import { parseXml } from '../../src/modules/dhcp/providers/libvirt/xml-reader';

export interface FakeHost {
  mac?: string;
  ip?: string;
  name?: string;
}

function attr(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}='${value}'`;
}

/** A failure as virsh reports it: its stderr, and the libvirt function named from it. */
function virshFailure(args: string[], message: string, firstLine: string, call: LibvirtCall): VirshError {
  const stderr = `error: ${firstLine}\nerror: ${message}\n`;
  return new VirshError(message, args, stderr, 1, false, failedCall(stderr, call));
}

function libvirtFailure(args: string[], message: string): VirshError {
  return virshFailure(args, message, 'Failed to update network lvlab', 'virNetworkUpdate');
}

export class FakeLibvirt implements LibvirtNetworkClient {
  hosts: FakeHost[];
  /** Rows as `virsh -q net-dhcp-leases` prints them. */
  leaseRows: string[];
  /** Extra elements inside <network>, e.g. a second <ip>. */
  extraXml = '';
  ipElement = "<ip address='10.98.0.1' netmask='255.255.255.0'>";
  readonly calls: { op: 'dumpxml' | 'leases' | 'update'; command?: HostUpdateCommand; xml?: string }[] = [];
  /** Next call of that kind fails with this libvirt message. */
  failDump?: string;
  /** Where the failing dump fails: connecting to libvirt, or looking the network up (default). */
  failDumpAt: 'connect' | 'lookup' = 'lookup';
  failLeases?: string;
  failUpdate?: string;

  constructor(hosts: FakeHost[] = [], leaseRows: string[] = []) {
    this.hosts = hosts;
    this.leaseRows = leaseRows;
  }

  xml(): string {
    const hosts = this.hosts.map((h) => `      <host${attr('mac', h.mac)}${attr('name', h.name)}${attr('ip', h.ip)}/>`).join('\n');
    return `<network connections='1'>
  <name>lvlab</name>
  <uuid>7a1f3f3e-8c1e-4a0e-9d55-0d1f1a2b3c4d</uuid>
  <bridge name='lvbr0' stp='off' delay='0'/>
  ${this.ipElement}
    <dhcp>
      <range start='10.98.0.100' end='10.98.0.150'/>
${hosts}
    </dhcp>
  </ip>${this.extraXml}
</network>
`;
  }

  async dumpXml(network: string): Promise<string> {
    this.calls.push({ op: 'dumpxml' });
    if (this.failDump) {
      const m = this.failDump;
      this.failDump = undefined;
      throw virshFailure(['net-dumpxml', network], m, this.failDumpAt === 'connect' ? 'failed to connect to the hypervisor'
        : `failed to get network '${network}'`, 'virNetworkGetXMLDesc');
    }
    return this.xml();
  }

  async dhcpLeases(network: string): Promise<string> {
    this.calls.push({ op: 'leases' });
    if (this.failLeases) {
      const m = this.failLeases;
      this.failLeases = undefined;
      throw virshFailure(['net-dhcp-leases', network], m, `Failed to get leases info for ${network}`, 'virNetworkGetDHCPLeases');
    }
    return this.leaseRows.map((r) => `${r}\n`).join('');
  }

  async updateDhcpHost(network: string, command: HostUpdateCommand, xml: string): Promise<void> {
    this.calls.push({ op: 'update', command, xml });
    const args = ['net-update', network, command, 'ip-dhcp-host', xml];
    if (this.failUpdate) {
      const m = this.failUpdate;
      this.failUpdate = undefined;
      throw libvirtFailure(args, m);
    }
    const given = parseXml(xml).attributes as FakeHost;
    if (command === 'add-last') {
      if (this.hosts.some((h) => h.mac === given.mac || h.ip === given.ip || (given.name && h.name === given.name))) {
        throw libvirtFailure(args, `Requested operation is not valid: there is an existing dhcp host entry in network '${network}' that matches "${xml}"`);
      }
      this.hosts.push({ mac: given.mac, ip: given.ip, name: given.name });
      return;
    }
    const at = this.hosts.findIndex((h) => (Object.keys(given) as (keyof FakeHost)[]).every((k) => h[k] === given[k]));
    if (at < 0) throw libvirtFailure(args, `couldn't locate a matching dhcp host entry in network '${network}'`);
    this.hosts.splice(at, 1);
  }

  count(op: 'dumpxml' | 'leases' | 'update'): number {
    return this.calls.filter((c) => c.op === op).length;
  }
}
