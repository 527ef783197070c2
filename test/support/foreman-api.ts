/**
 * The proxy API calls Foreman makes while provisioning a host (foreman-client.md §3–§5), sent the
 * way Foreman sends them: form-encoded bodies, a bare `related_macs` key, `unused_ip` with raw
 * colons in the query, `Accept: application/json`.
 */
import { randomUUID } from 'crypto';

export interface ApiReply {
  status: number;
  body: string;
}

export interface ReservationAttrs {
  hostname: string;
  mac: string;
  ip: string;
  network: string;
  nextServer?: string;
  filename?: string;
  name: string;
}

export class ForemanLikeClient {
  /** Every call made, for failure reports: "POST /dhcp/10.1.2.0 → 200". */
  readonly calls: string[] = [];

  constructor(private readonly base: string, private readonly timeoutMs = 30_000) {}

  async request(method: string, path: string, form?: string): Promise<ApiReply> {
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Request-Id': randomUUID() };
    if (form !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(this.base + path, { method, headers, body: form, signal: AbortSignal.timeout(this.timeoutMs) });
    const body = await res.text();
    this.calls.push(`${method} ${path} → ${res.status}${res.status >= 400 ? ` ${body.slice(0, 200)}` : ''}`);
    return { status: res.status, body };
  }

  /** Like Foreman's ProxyAPI: anything but 2xx is an error carrying the proxy's text. */
  async ok(method: string, path: string, form?: string): Promise<string> {
    const r = await this.request(method, path, form);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} answered ${r.status}: ${r.body}`);
    return r.body;
  }

  async json<T>(method: string, path: string, form?: string): Promise<T> {
    const body = await this.ok(method, path, form);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new Error(`${method} ${path} did not answer JSON: ${body.slice(0, 200)}`);
    }
  }

  /** GET /v2/features (what Foreman stores at registration / "Refresh features"). */
  features(): Promise<Record<string, { state: string; settings?: Record<string, unknown>; capabilities?: string[] }>> {
    return this.json('GET', '/v2/features');
  }

  /** ProxyAPI::TFTP#bootServer */
  async bootServer(): Promise<string | false> {
    const r = await this.json<{ serverName?: string }>('GET', '/tftp/serverName');
    return r.serverName ? r.serverName : false;
  }

  /** ProxyAPI::DHCP#unused_ip: hand-built query, raw colons, order mac, from, to. */
  async unusedIp(network: string, mac: string, from?: string, to?: string): Promise<string> {
    let q = `mac=${mac}`;
    if (from && to) q += `&from=${from}&to=${to}`;
    const r = await this.json<{ ip: string | null }>('GET', `/dhcp/${network}/unused_ip?${q}`);
    if (!r.ip) throw new Error(`unused_ip found no free address in ${network}`);
    return r.ip;
  }

  /** ProxyAPI::DHCP#set, with the attribute order and bare related_macs of the captured wire form. */
  createReservation(a: ReservationAttrs): Promise<string> {
    const pairs: Array<[string, string | undefined]> = [
      ['hostname', a.hostname], ['mac', a.mac], ['ip', a.ip], ['network', a.network],
      ['nextServer', a.nextServer], ['filename', a.filename], ['name', a.name],
    ];
    const form = pairs.filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&') + '&related_macs';
    return this.ok('POST', `/dhcp/${a.network}`, form);
  }

  /** GET /dhcp/<net>/mac/<mac>; undefined on 404 (Foreman's "no record"). */
  async reservation(network: string, mac: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.request('GET', `/dhcp/${network}/mac/${mac}`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET /dhcp/${network}/mac/${mac} answered ${r.status}: ${r.body}`);
    return JSON.parse(r.body) as Record<string, unknown>;
  }

  deleteReservation(network: string, mac: string): Promise<string> {
    return this.ok('DELETE', `/dhcp/${network}/mac/${mac}`);
  }

  /** ProxyAPI::TFTP#set: kind is Foreman's template kind name, e.g. PXEGrub2. */
  deployTftp(kind: string, mac: string, pxeconfig: string): Promise<string> {
    return this.ok('POST', `/tftp/${kind}/${mac}`, `pxeconfig=${encodeURIComponent(pxeconfig)}`);
  }

  deleteTftp(kind: string, mac: string): Promise<string> {
    return this.ok('DELETE', `/tftp/${kind}/${mac}`);
  }

  /** ProxyAPI::TFTP#fetch_boot_file: prefix=boot/<id>, path=<medium URL of the file>. */
  fetchBootFile(prefix: string, url: string): Promise<string> {
    return this.ok('POST', '/tftp/fetch_boot_file', `prefix=${encodeURIComponent(prefix)}&path=${encodeURIComponent(url)}`);
  }
}
