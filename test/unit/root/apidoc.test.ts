import { HostResolver, setHostResolver, systemResolver } from '../../../src/core/auth';
import { loadApiSpec } from '../../../src/core/openapi';
import { renderApiDoc, schemaText } from '../../../src/modules/root/apidoc-html';
import { startTestProxy, TestProxy } from '../../support/proxy';
import { rawRequest } from '../../support/raw-http';

const resolver = (name: string): HostResolver => ({
  nameOf: async () => name,
  addressesOf: async () => ['127.0.0.1'],
});

describe('the API reference page (renderer)', () => {
  const spec = loadApiSpec();
  const html = renderApiDoc(spec, { jsonHref: '/apidoc/openapi.json' });

  test('lists every path and method of the OpenAPI description', () => {
    for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths)) {
      for (const method of ['get', 'post', 'put', 'delete']) {
        if (item[method]) expect(html).toContain(`<span class="badge ${method}">${method.toUpperCase()}</span><code class="path">${path}</code>`);
      }
    }
  });

  test('is self-contained: no script, nothing loaded from elsewhere', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  test('parameters, form fields and responses come from the description, $refs resolved', () => {
    expect(html).toContain('<code>mac</code><span class="req">required</span>');
    expect(html).toContain('MAC address, 6 or 20 colon-separated groups'); // a components/parameters $ref
    expect(html).toContain('<code>nextServer</code>'); // a form field of POST /dhcp/{network}
    expect(html).toContain('Plain-text error message'); // a components/responses $ref
    expect(html).toContain('array of <a href="#schema-DhcpRecord">DhcpRecord</a>');
  });

  test('text from the description is escaped, inline code rendered', () => {
    const page = renderApiDoc({
      openapi: '3.0.3',
      info: { title: 'T <b>', version: '1', description: 'Use `a<b>` and **bold**\n\n- one\n- two' },
      paths: { '/x/{id}': { get: { summary: '<script>alert(1)</script>', responses: { 200: { description: 'ok' } } } } },
    });
    expect(page).toContain('<title>T &lt;b&gt; 1</title>');
    expect(page).toContain('<code>a&lt;b&gt;</code> and <strong>bold</strong>');
    expect(page).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
  });

  test('schema summaries', () => {
    expect(schemaText({}, { type: 'array', items: { type: 'string' } })).toBe('array of string');
    expect(schemaText({}, { type: 'string', enum: ['a', 'b'] })).toBe('<code>a</code> | <code>b</code>');
    expect(schemaText({}, { type: 'object', properties: { ip: { type: 'string', nullable: true } } })).toBe('object {ip: string or null}');
  });
});

describe('GET /apidoc and /apidoc/openapi.json', () => {
  let tp: TestProxy;
  afterEach(async () => {
    setHostResolver(systemResolver);
    await tp?.stop();
  });

  test('served as HTML and JSON, with a content security policy that forbids loading anything', async () => {
    tp = await startTestProxy({ http_port: 'auto' }, {});
    const page = await rawRequest(tp.http!, '/apidoc');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html;charset=utf-8');
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
    expect(page.body.toString()).toContain('/tftp/{variant}/{mac}');
    const json = await rawRequest(tp.http!, '/apidoc/openapi.json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json');
    expect(JSON.parse(json.body.toString())).toEqual(loadApiSpec());
  });

  test('behind trusted_hosts like /v2/features', async () => {
    setHostResolver(resolver('intruder.example.com'));
    tp = await startTestProxy({ http_port: 'auto', trusted_hosts: ['foreman.example.com'] }, {});
    for (const path of ['/apidoc', '/apidoc/openapi.json']) {
      const res = await rawRequest(tp.http!, path);
      expect([res.status, res.body.toString()]).toEqual([403, expect.stringMatching(/^Untrusted client intruder\.example\.com attempted to access \/.*\. Check :trusted_hosts: in settings\.yml$/)]);
    }
    setHostResolver(resolver('foreman.example.com'));
    expect((await rawRequest(tp.http!, '/apidoc')).status).toBe(200);
  });
});
