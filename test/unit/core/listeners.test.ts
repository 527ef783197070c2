import * as net from 'net';
import { startTestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';

/** Whether this machine can listen on the IPv6 loopback address. */
function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

describe("bind_host '*' (reference §1.1: every IPv4 and IPv6 address)", () => {
  test('listens on 0.0.0.0 and [::] (IPv6 only where the machine has it) and answers on both loopbacks', async () => {
    const ipv6 = await ipv6Loopback();
    const tp = await startTestProxy({ http_port: 'auto', bind_host: '*' }, {});
    try {
      const addresses = tp.proxy.listeners.map((l) => `${l.scheme} ${l.address.address}`);
      expect(addresses).toEqual(ipv6 ? ['http 0.0.0.0', 'http ::'] : ['http 0.0.0.0']);
      const port = tp.proxy.listeners[0].address.port;
      expect((await rawRequest(`http://127.0.0.1:${port}`, '/features')).status).toBe(200);
      if (ipv6) expect((await rawRequest(`http://[::1]:${port}`, '/features')).status).toBe(200);
    } finally {
      await tp.stop();
    }
  });
});
