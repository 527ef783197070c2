/**
 * dhcp_libvirt, pure parts: the XML reader, the network XML (subnets, hosts), the <host> element
 * we send (validation, escaping, injection attempts) and the lease table of `virsh net-dhcp-leases`.
 */
import { DhcpError } from '../../../src/modules/dhcp/provider';
import { parseLeaseTable } from '../../../src/modules/dhcp/providers/libvirt/leases';
import { decodeEntities, escapeAttribute, parseXml, XmlSyntaxError } from '../../../src/modules/dhcp/providers/libvirt/xml-reader';
import {
  assertSafeHostName, deleteElementXml, hostElementXml, isSafeHostName, NetworkXmlError, parseNetworkXml,
} from '../../../src/modules/dhcp/providers/libvirt/xml';

/** What `virsh net-dumpxml` prints for a running network (libvirt 9.0, single-quoted attributes). */
const NETWORK_XML = `<network connections='1' xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>lvlab</name>
  <uuid>7a1f3f3e-8c1e-4a0e-9d55-0d1f1a2b3c4d</uuid>
  <bridge name='lvbr0' stp='off' delay='0'/>
  <mac address='52:54:00:5e:11:22'/>
  <domain name='lvlab.test'/>
  <ip address='10.98.0.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='10.98.0.100' end='10.98.0.150'/>
      <host mac='52:54:00:aa:bb:cc' name='h1' ip='10.98.0.50'/>
      <host mac='52:54:00:aa:bb:cd' ip='10.98.0.51'/>
      <host mac='52:54:00:aa:bb:ce' name='a&amp;b' ip='10.98.0.52'/>
      <bootp file='http://10.98.0.1:8000/httpboot/grubx64.efi'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:98::1' prefix='64'>
    <dhcp>
      <range start='fd00:98::100' end='fd00:98::1ff'/>
      <host id='0:4:7e:7d:f0:7d:a8:bc:c5:d2:13:32:11:ed:16:ea:84:63' name='v6' ip='fd00:98::10'/>
    </dhcp>
  </ip>
  <dnsmasq:options>
    <dnsmasq:option value='dhcp-vendorclass=set:efihttp,HTTPClient'/>
    <dnsmasq:option value='dhcp-option-force=tag:efihttp,60,HTTPClient'/>
  </dnsmasq:options>
</network>
`;

describe('XML reader', () => {
  test('elements, attributes in either quote, entities, comments and declarations', () => {
    const root = parseXml(`<?xml version="1.0"?>\n<!-- c --><a x="1 &lt;&gt;&amp;&quot;&apos;" y='&#65;&#x42;'><b/><!-- <c/> --><![CDATA[<d/>]]>text<e z=""></e></a>\n`);
    expect(root).toEqual({
      name: 'a', attributes: { x: '1 <>&"\'', y: 'AB' },
      children: [{ name: 'b', attributes: {}, children: [] }, { name: 'e', attributes: { z: '' }, children: [] }],
    });
  });

  test.each([
    ['<a>', 'not closed'],
    ['<a></b>', 'closes'],
    ['<a x="1" x="2"/>', 'duplicate attribute'],
    ['<a x="&foo;"/>', 'unknown entity'],
    ['<a x="a & b"/>', "'&' without a reference"],
    ['<a x="<"/>', "'<' is not allowed"],
    ['<a x=1/>', 'quoted attribute value'],
    ['<a x="1"y="2"/>', 'white space'],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a/>', 'internal subset'],
    ['<a/><b/>', 'content after the root'],
    ['', 'an element was expected'],
    ['<a x="&#0;"/>', 'not allowed'],
  ])('refuses %j', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
    expect(() => parseXml(xml)).toThrow(message);
  });

  test('escapeAttribute round-trips any text through the reader, in either quote style', () => {
    const nasty = [`a"/><host mac="52:54:00:00:00:01" ip="10.0.0.9" name="x`, "o'brien", 'a&amp;b', '<>&"\'', '&#65;', ']]>', 'ü ✓'];
    for (const value of nasty) {
      for (const q of ['"', "'"]) {
        const root = parseXml(`<host name=${q}${escapeAttribute(value)}${q}/>`);
        expect(root).toEqual({ name: 'host', attributes: { name: value }, children: [] });
      }
    }
    expect(decodeEntities('&amp;lt;')).toBe('&lt;');
  });
});

describe('network XML', () => {
  test('subnet from the first IPv4 <ip>; hosts of its <dhcp>; IPv6 and dnsmasq options ignored', () => {
    expect(parseNetworkXml(NETWORK_XML)).toEqual({
      subnets: [{ network: '10.98.0.0', netmask: '255.255.255.0' }],
      hosts: [
        { mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name: 'h1' },
        { mac: '52:54:00:aa:bb:cd', ip: '10.98.0.51', name: undefined },
        { mac: '52:54:00:aa:bb:ce', ip: '10.98.0.52', name: 'a&b' },
      ],
    });
  });

  test.each([
    [`<ip address='192.168.7.77' prefix='26'/>`, { network: '192.168.7.64', netmask: '255.255.255.192' }],
    [`<ip family='ipv4' address='10.1.2.3' prefix='8'/>`, { network: '10.0.0.0', netmask: '255.0.0.0' }],
    [`<ip address='10.1.2.3' netmask='255.255.0.0' prefix='8'/>`, { network: '10.1.0.0', netmask: '255.255.0.0' }],
    [`<ip address='10.1.2.3' prefix='32'/>`, { network: '10.1.2.3', netmask: '255.255.255.255' }],
  ])('%s', (ip, subnet) => {
    expect(parseNetworkXml(`<network><name>n</name>${ip}</network>`).subnets).toEqual([subnet]);
  });

  test('an IPv6 address without family is skipped too; no IPv4 <ip> means no subnet', () => {
    expect(parseNetworkXml(`<network><ip address='fd00::1' prefix='64'/></network>`)).toEqual({ subnets: [], hosts: [] });
  });

  test.each([
    [`<network><ip address='10.0.0.1' prefix='24'/><ip address='10.0.1.1' prefix='24'/></network>`, 'Only one subnet is supported (the network has 2 IPv4 <ip> elements)'],
    [`<network><ip address='10.0.0.1'/></network>`, 'no valid netmask or prefix'],
    [`<network><ip address='10.0.0.1' prefix='33'/></network>`, 'no valid netmask or prefix'],
    [`<network><ip address='10.0.0.1' netmask='255.0.255.0'/></network>`, 'invalid netmask'],
    [`<network><ip address='10.0.0.256' prefix='24'/></network>`, 'no valid IPv4 address'],
    [`<domain/>`, 'not <network>'],
    [`<network><ip address='10.0.0.1' prefix='24'></network>`, 'not well-formed'],
  ])('refuses %s', (xml, message) => {
    expect(() => parseNetworkXml(xml)).toThrow(NetworkXmlError);
    expect(() => parseNetworkXml(xml)).toThrow(message);
  });
});

describe('<host> element for net-update', () => {
  test('the baseline element, every value escaped, name left out when absent', () => {
    expect(hostElementXml({ mac: '52:54:00:AA:bb:cc', ip: '10.98.0.50', name: 'h1.example.com' }))
      .toBe('<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50" name="h1.example.com"/>');
    expect(hostElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50' })).toBe('<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50"/>');
    expect(hostElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name: null })).toBe('<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50"/>');
  });

  test.each([
    // the injection libvirt 9.0 falls for (libvirt-dhcp.md §5), in both quote styles
    `x' ip='10.98.0.72'/><host mac='52:54:00:98:01:13' name='injected`,
    `a"/><host mac="52:54:00:98:01:13" ip="10.98.0.73" name="injected`,
    "o'brien", 'a&b', 'a<b', 'a b', 'a,b', 'a,set:x', 'tab\there', 'line\nbreak', 'ünï', '', '-leading-dash', '.dot',
    'x'.repeat(254),
  ])('name %j is refused with a 400 text before anything is built', (name) => {
    const attempt = () => assertSafeHostName(name);
    expect(attempt).toThrow(DhcpError);
    expect(attempt).toThrow(/^Invalid host name "/);
    if (name !== '') expect(() => hostElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name })).toThrow('Invalid host name');
    try {
      attempt();
    } catch (err) {
      expect((err as DhcpError).kind).toBe('invalid');
    }
  });

  test.each(['ignore', 'IGNORE', 'infinite', '45', '30m', '2h', '7d', '1w'])('name %j is refused: dnsmasq would not read it as a name', (name) => {
    expect(() => assertSafeHostName(name)).toThrow('dnsmasq would read it as a keyword or a lease time');
  });

  test.each(['h1', 'host.example.com', 'bond-01', 'under_score', '_srv', '1host', '30min', 'x'.repeat(253)])('name %j is accepted', (name) => {
    expect(isSafeHostName(name)).toBe(true);
    const root = parseXml(hostElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name }));
    expect(root.attributes).toEqual({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name });
  });

  test('MAC and IP are checked again by the builder', () => {
    expect(() => hostElementXml({ mac: `52:54:00:aa:bb:cc" name="x`, ip: '10.98.0.50' })).toThrow('Invalid MAC');
    expect(() => hostElementXml({ mac: '52:54:00:aa:bb:cc', ip: `10.98.0.50" name="x` })).toThrow('Invalid IP Address');
  });

  test('delete element: the stored name when it is safe, else MAC and IP alone', () => {
    expect(deleteElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name: 'h1' }))
      .toBe('<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50" name="h1"/>');
    expect(deleteElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name: 'made with virsh' }))
      .toBe('<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50"/>');
    expect(deleteElementXml({ mac: '52:54:00:aa:bb:cc', ip: '10.98.0.50', name: null })).toBe('<host mac="52:54:00:aa:bb:cc" ip="10.98.0.50"/>');
  });
});

describe('lease table', () => {
  test('rows of `virsh -q net-dhcp-leases` (TZ=UTC) become UTC dates, "-" becomes null', () => {
    const out = [
      ' 2026-11-25 12:24:40   52:54:00:98:00:0b   ipv4   10.98.0.146/24   -    -',
      ' 2026-11-25 12:24:37   52:54:00:aa:bb:cc   ipv4   10.98.0.50/24    h1   01:52:54:00:aa:bb:cc',
      ' 2026-11-25 13:00:00   52:54:00:aa:bb:cd   ipv6   fd00:98::10/64   v6   00:04:7e:7d',
      '',
    ].join('\n');
    expect(parseLeaseTable(out)).toEqual([
      { expiry: new Date('2026-11-25T12:24:40Z'), mac: '52:54:00:98:00:0b', family: 'ipv4', ip: '10.98.0.146', prefix: 24, hostname: null, clientId: null },
      { expiry: new Date('2026-11-25T12:24:37Z'), mac: '52:54:00:aa:bb:cc', family: 'ipv4', ip: '10.98.0.50', prefix: 24, hostname: 'h1', clientId: '01:52:54:00:aa:bb:cc' },
      { expiry: new Date('2026-11-25T13:00:00Z'), mac: '52:54:00:aa:bb:cd', family: 'ipv6', ip: 'fd00:98::10', prefix: 64, hostname: 'v6', clientId: '00:04:7e:7d' },
    ]);
  });

  test('the header virsh prints without -q is skipped; empty output is no lease', () => {
    const out = ' Expiry Time           MAC address         Protocol   IP address       Hostname   Client ID or DUID\n'
      + '-----------------------------------------------------------------------------------------------------\n'
      + ' 2026-11-25 12:24:37   52:54:00:aa:bb:cc   ipv4       10.98.0.50/24    h1         -\n\n';
    expect(parseLeaseTable(out).map((r) => r.ip)).toEqual(['10.98.0.50']);
    expect(parseLeaseTable('')).toEqual([]);
  });

  test('the parse does not depend on the process time zone', () => {
    // Dates are built with Date.UTC: the same rows give the same instants whatever TZ says.
    const row = ' 2026-01-02 03:04:05   52:54:00:aa:bb:cc   ipv4   10.98.0.50/24   -   -';
    expect(parseLeaseTable(row)[0].expiry.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  test('an unknown line is an error, not a silently missing lease', () => {
    expect(() => parseLeaseTable('error: something\n')).toThrow('unexpected line');
    expect(() => parseLeaseTable(' 2026-11-25 12:24:37 52:54:00:aa:bb:cc ipv4 10.98.0.50 h1 -')).toThrow('unexpected line');
  });
});
