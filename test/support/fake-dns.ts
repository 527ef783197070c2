import * as dgram from 'dgram';

/**
 * A DNS server on 127.0.0.1 that the test scripts: per name, an A answer, NXDOMAIN, SERVFAIL, an
 * empty answer, or silence; `silentFor` makes it ignore the first N queries for a name (a timed-out try).
 */
export type FakeAnswer = { a: string } | 'nxdomain' | 'servfail' | 'nodata' | 'silent';

export interface FakeDns {
  /** `127.0.0.1:<port>`, for Resolver#setServers. */
  server: string;
  /** Names asked for, with the time of each query. */
  queries: Array<{ name: string; at: number }>;
  close(): Promise<void>;
}

function questionName(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let i = 12;
  while (msg[i] !== 0) {
    labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString('ascii'));
    i += msg[i] + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 5 }; // the zero label, qtype, qclass
}

export async function startFakeDns(answers: Record<string, FakeAnswer>, silentFor: Record<string, number> = {}): Promise<FakeDns> {
  const socket = dgram.createSocket('udp4');
  const queries: FakeDns['queries'] = [];
  const seen: Record<string, number> = {};
  socket.on('message', (msg, peer) => {
    const { name, end } = questionName(msg);
    queries.push({ name, at: Date.now() });
    seen[name] = (seen[name] ?? 0) + 1;
    const answer = answers[name] ?? 'nxdomain';
    if (answer === 'silent' || seen[name] <= (silentFor[name] ?? 0)) return;
    const rcode = answer === 'nxdomain' ? 3 : answer === 'servfail' ? 2 : 0;
    const records = typeof answer === 'object' ? [answer.a] : [];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8180 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const rrs = records.map((ip) => {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, k) => { rr[12 + k] = Number(o); });
      return rr;
    });
    socket.send(Buffer.concat([header, msg.subarray(12, end), ...rrs]), peer.port, peer.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise((r) => socket.close(() => r())),
  };
}
