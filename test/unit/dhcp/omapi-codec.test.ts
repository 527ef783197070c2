/**
 * The OMAPI codec and request builders against real omshell ↔ dhcpd 4.4.3 sessions captured
 * in the lab (../shared/labs/dhcp/results/omapi/*.messages.json): what our client would send
 * must be byte-identical to what omshell sent; what dhcpd sent must decode and verify.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  OmapiOp,
  OmapiProtocolError,
  OmapiStreamDecoder,
  decodeMessage,
  decodeStartup,
  encodeMessage,
  encodeStartup,
  encodeUnsigned,
  getValue,
  readIpv4,
  readMac,
  readString,
  readU32,
  u32Value,
  ipv4Value,
  macValue,
} from '../../../src/modules/dhcp/providers/isc/omapi/codec';
import { OmapiSigner, wireAlgorithmName } from '../../../src/modules/dhcp/providers/isc/omapi/auth';
import {
  authenticatorOpen,
  createHostOpen,
  deleteObject,
  hostAttributes,
  openHost,
  statusOf,
} from '../../../src/modules/dhcp/providers/isc/omapi/messages';

interface Fixture {
  connection: number;
  seq: number;
  direction: 'c2s' | 's2c';
  kind: 'startup' | 'message';
  op?: string;
  hex: string;
}

const FIXTURE_DIR = path.join(__dirname, '../../../..', 'shared', 'labs', 'dhcp', 'results', 'omapi');
function load(file: string): Fixture[] {
  const p = path.join(FIXTURE_DIR, file);
  if (!fs.existsSync(p)) throw new Error(`OMAPI fixture missing: ${p} (the repo needs ../shared beside it)`);
  return JSON.parse(fs.readFileSync(p, 'utf8')) as Fixture[];
}
const md5 = load('omapi-md5.messages.json');
const sha256 = load('omapi-sha256.messages.json');

/** Lab-only secrets the captures were made with (omapi-capture.md). */
const MD5_SECRET = 'ZGhjcGxhYi1vbWFwaS1rZXk=';
const SHA256_SECRET = 'ZGhjcGxhYi1vbWFwaS1zaGEyNTYta2V5';
const md5Signer = new OmapiSigner('hmac-md5', MD5_SECRET);
const sha256Signer = new OmapiSigner('hmac-sha256', SHA256_SECRET);

function fx(set: Fixture[], connection: number, seq: number): Buffer {
  const f = set.find((m) => m.connection === connection && m.seq === seq);
  if (!f) throw new Error(`no fixture ${connection}.${seq}`);
  return Buffer.from(f.hex, 'hex');
}

const HOST_A = {
  name: 'lab-host-a',
  ip: '10.99.0.50',
  mac: '52:54:00:99:00:0a',
  hardwareType: 1,
};
const HOST_A_STATEMENTS =
  'filename = "http://10.99.0.1:8000/httpboot/host-a/grubx64.efi"; next-server = 0a:63:00:01; option host-name = "lab-host-a";';

describe('startup', () => {
  it('encodes the 8-byte introduction both sides sent', () => {
    for (const f of [...md5, ...sha256].filter((m) => m.kind === 'startup')) {
      expect(encodeStartup().toString('hex')).toBe(f.hex);
      expect(decodeStartup(Buffer.from(f.hex, 'hex'))).toEqual({ version: 100, headerSize: 24 });
    }
  });

  it('rejects another protocol version or a short header', () => {
    expect(() => decodeStartup(Buffer.from('0000006500000018', 'hex'))).toThrow(OmapiProtocolError);
    expect(() => decodeStartup(Buffer.from('0000006400000010', 'hex'))).toThrow(/header size/);
  });
});

describe('every captured message', () => {
  const all = [
    ...md5.map((m) => ({ m, set: 'md5', signer: md5Signer })),
    ...sha256.map((m) => ({ m, set: 'sha256', signer: sha256Signer })),
  ].filter(({ m }) => m.kind === 'message');

  it.each(all.map((x) => [`${x.set} ${x.m.connection}.${x.m.seq} ${x.m.direction} ${x.m.op}`, x]))(
    '%s decodes and re-encodes to identical bytes',
    (_label, { m }) => {
      const bytes = Buffer.from(m.hex, 'hex');
      const d = decodeMessage(bytes);
      expect(d.length).toBe(bytes.length);
      expect(OmapiOp[d.message.op].toUpperCase()).toBe(m.op);
      const again = Buffer.concat([encodeUnsigned(d.message, d.message.signature.length), d.message.signature]);
      expect(again.toString('hex')).toBe(m.hex);
    },
  );

  it.each(all.map((x) => [`${x.set} ${x.m.connection}.${x.m.seq} ${x.m.direction} ${x.m.op}`, x]))(
    '%s: signature verifies (except the wrong-key session 6)',
    (_label, { m, set, signer }) => {
      const d = decodeMessage(Buffer.from(m.hex, 'hex'));
      if (d.message.authId === 0) {
        expect(d.message.signature.length).toBe(0);
        return;
      }
      const wrongKeyMessage = set === 'md5' && m.connection === 6;
      expect(signer.verify(d.signedBytes, d.message.signature)).toBe(!wrongKeyMessage);
    },
  );
});

describe('requests built by messages.ts equal what omshell sent', () => {
  it('authenticator OPEN (hmac-md5 and hmac-sha256)', () => {
    const id = 0x6b8b4567;
    const a = encodeMessage(authenticatorOpen(id, 'omapi_key', wireAlgorithmName('hmac-md5')));
    expect(a.toString('hex')).toBe(fx(md5, 1, 3).toString('hex'));
    const b = encodeMessage(authenticatorOpen(id, 'omapi_key', wireAlgorithmName('hmac-sha256')));
    expect(b.toString('hex')).toBe(fx(sha256, 1, 3).toString('hex'));
  });

  it('create host with statements (session 1, HMAC-MD5)', () => {
    const msg = createHostOpen(0x6b8b4568, 1, { ...HOST_A, statements: HOST_A_STATEMENTS });
    expect(encodeMessage(msg, md5Signer).toString('hex')).toBe(fx(md5, 1, 5).toString('hex'));
  });

  it('create host without statements (session 2)', () => {
    const msg = createHostOpen(0x6b8b4568, 1, HOST_A);
    expect(encodeMessage(msg, md5Signer).toString('hex')).toBe(fx(md5, 2, 5).toString('hex'));
  });

  it('open host by hardware address, then delete its handle (session 3)', () => {
    expect(encodeMessage(openHost(0x6b8b4568, 1, { mac: HOST_A.mac }), md5Signer).toString('hex')).toBe(
      fx(md5, 3, 5).toString('hex'),
    );
    expect(encodeMessage(deleteObject(0x6b8b4569, 1, 2), md5Signer).toString('hex')).toBe(
      fx(md5, 3, 7).toString('hex'),
    );
  });

  it('open by hardware address with an explicit type adds hardware-type after it', () => {
    const msg = openHost(1, 1, { mac: HOST_A.mac, hardwareType: 32 });
    expect(msg.object.map(([n, v]) => [n, v.toString('hex')])).toEqual([
      ['hardware-address', '52540099000a'],
      ['hardware-type', '00000020'],
    ]);
    expect(openHost(1, 1, { name: 'lab-host-a' }).object.map(([n, v]) => [n, v.toString()])).toEqual([['name', 'lab-host-a']]);
  });

  it('delete with handle 0 (session 4)', () => {
    expect(encodeMessage(deleteObject(0x6b8b4569, 1, 0), md5Signer).toString('hex')).toBe(
      fx(md5, 4, 7).toString('hex'),
    );
  });

  it('create and delete signed with HMAC-SHA256 (session 7)', () => {
    const host = { name: 'lab-host-sha', ip: '10.99.0.51', mac: '52:54:00:99:00:0b', hardwareType: 1 };
    expect(encodeMessage(createHostOpen(0x6b8b4568, 1, host), sha256Signer).toString('hex')).toBe(
      fx(sha256, 1, 5).toString('hex'),
    );
    expect(encodeMessage(deleteObject(0x6b8b4569, 1, 2), sha256Signer).toString('hex')).toBe(
      fx(sha256, 1, 7).toString('hex'),
    );
  });

  it('the wrong-secret session signs differently from the right key', () => {
    const wrong = new OmapiSigner('hmac-md5', 'd3Jvbmcta2V5LXdyb25nLWtleQ==');
    expect(encodeMessage(openHost(0x6b8b4568, 1, { mac: HOST_A.mac }), wrong).toString('hex')).toBe(
      fx(md5, 6, 5).toString('hex'),
    );
  });
});

describe('replies from dhcpd', () => {
  it('authenticator UPDATE: handle 1 becomes the authid', () => {
    const d = decodeMessage(fx(md5, 1, 4)).message;
    expect(d.op).toBe(OmapiOp.Update);
    expect(d.handle).toBe(1);
    expect(d.rid).toBe(0x6b8b4567);
    expect(readString(getValue(d.object, 'algorithm'))).toBe('hmac-md5.SIG-ALG.REG.INT.');
  });

  it('host UPDATE after create carries the stored attributes, no statements', () => {
    const d = decodeMessage(fx(md5, 1, 6)).message;
    expect(d.rid).toBe(0x6b8b4568);
    expect(hostAttributes(d)).toEqual({
      handle: 2,
      name: 'lab-host-a',
      ip: '10.99.0.50',
      mac: '52:54:00:99:00:0a',
      hardwareType: 1,
    });
    expect(getValue(d.object, 'statements')).toBeUndefined();
  });

  it('STATUS results and texts', () => {
    expect(statusOf(decodeMessage(fx(md5, 2, 6)).message)).toEqual({
      result: 18,
      text: 'specified object already exists',
    });
    expect(statusOf(decodeMessage(fx(md5, 3, 8)).message)).toEqual({ result: 0 });
    expect(statusOf(decodeMessage(fx(md5, 4, 6)).message)).toEqual({
      result: 23,
      text: 'no object matches specification',
    });
    expect(statusOf(decodeMessage(fx(md5, 4, 8)).message)).toEqual({ result: 23, text: 'no matching handle' });
    const invalidKey = decodeMessage(fx(md5, 6, 6)).message;
    expect(invalidKey.authId).toBe(0);
    expect(statusOf(invalidKey)).toEqual({ result: 0x6000b });
  });

  it('lease UPDATE values: state, handles, times, one-byte flags', () => {
    const v = decodeMessage(fx(md5, 5, 6)).message.object;
    expect(readU32(getValue(v, 'state'))).toBe(1);
    expect(readIpv4(getValue(v, 'ip-address'))).toBe('10.99.0.149');
    expect(readU32(getValue(v, 'subnet'))).toBe(4);
    expect(readU32(getValue(v, 'ends'))).toBe(0);
    expect(getValue(v, 'flags')).toEqual(Buffer.from([0]));
  });
});

describe('stream framing', () => {
  function serverStream(set: Fixture[], connection: number): Buffer {
    return Buffer.concat(
      set.filter((m) => m.connection === connection && m.direction === 's2c').map((m) => Buffer.from(m.hex, 'hex')),
    );
  }

  it('splits a whole session delivered at once, and byte by byte', () => {
    for (const [set, conn] of [[md5, 3], [md5, 4], [sha256, 1]] as const) {
      const stream = serverStream(set, conn);
      const expected = set.filter((m) => m.connection === conn && m.direction === 's2c' && m.kind === 'message');
      const whole = new OmapiStreamDecoder().push(stream);
      expect(whole[0]).toEqual({ startup: { version: 100, headerSize: 24 } });
      expect(whole.slice(1).map((d) => ('length' in d ? d.length : 0))).toEqual(expected.map((m) => m.hex.length / 2));

      const dec = new OmapiStreamDecoder();
      const out = [];
      for (let i = 0; i < stream.length; i++) out.push(...dec.push(stream.subarray(i, i + 1)));
      expect(out).toEqual(whole);
    }
  });

  it('handles the startup and the first message in one segment (as omshell sends them)', () => {
    const seg = Buffer.concat([fx(md5, 2, 2), fx(md5, 2, 3)]);
    const out = new OmapiStreamDecoder().push(seg);
    expect(out).toHaveLength(2);
  });

  it('skips header bytes beyond 24 when the peer announces a larger header', () => {
    const msg = fx(md5, 3, 8);
    const padded = Buffer.concat([msg.subarray(0, 24), Buffer.from([0xaa, 0xbb, 0xcc, 0xdd]), msg.subarray(24)]);
    const intro = Buffer.from('000000640000001c', 'hex');
    const out = new OmapiStreamDecoder().push(Buffer.concat([intro, padded]));
    expect(out).toHaveLength(2);
    const d = out[1] as ReturnType<typeof decodeMessage>;
    expect(statusOf(d.message)).toEqual({ result: 0 });
  });

  it('rejects garbage instead of waiting for ever', () => {
    const dec = new OmapiStreamDecoder();
    dec.push(encodeStartup());
    const bad = Buffer.alloc(30);
    bad.writeUInt32BE(99, 8); // opcode 99
    expect(() => dec.push(bad)).toThrow(/opcode 99/);
    expect(() => decodeMessage(fx(md5, 1, 3).subarray(0, 50))).toThrow(/truncated/);
  });
});

describe('value encodings', () => {
  it('integers, IPv4, hardware addresses', () => {
    expect(u32Value(1).toString('hex')).toBe('00000001');
    expect(ipv4Value('10.99.0.50').toString('hex')).toBe('0a630032');
    expect(macValue('52:54:00:99:00:0a').toString('hex')).toBe('52540099000a');
    expect(macValue('0:1:2:3:4:5').toString('hex')).toBe('000102030405');
    expect(macValue('80:00:02:08:fe:80:00:00:00:00:00:00:00:02:aa:bb:cc:dd:ee:ff')).toHaveLength(20);
    expect(readMac(Buffer.from('52540099000a', 'hex'))).toBe('52:54:00:99:00:0a');
  });

  it('refuses malformed addresses', () => {
    expect(() => ipv4Value('10.99.0.256')).toThrow(/invalid IPv4/);
    expect(() => ipv4Value('10.99.0')).toThrow(/invalid IPv4/);
    expect(() => macValue('52:54:00:99:00:0g')).toThrow(/invalid hardware address/);
    expect(() => macValue('')).toThrow(/invalid hardware address/);
  });
});
