/**
 * The API reference page (GET /apidoc), rendered on the server from the OpenAPI description:
 * one self-contained HTML document with inline CSS, no script and nothing fetched from elsewhere
 * (proxies usually have no internet access). Pure: spec in, HTML text out.
 */

type Obj = Record<string, any>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d2329;background:#fff}
a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:underline}
code{font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace;background:#f1f3f5;padding:1px 4px;border-radius:3px}
nav{position:fixed;top:0;bottom:0;left:0;width:310px;overflow-y:auto;padding:18px 14px;background:#f7f8fa;border-right:1px solid #dde1e6;font-size:13px}
nav h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:#5b6570;margin:16px 0 4px}
nav ul{list-style:none;margin:0;padding:0}nav li{margin:1px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
nav .m{display:inline-block;width:50px;font-size:11px;font-weight:600}
main{margin-left:310px;padding:24px 40px 60px;max-width:1100px}
h1{font-size:24px;margin:0 0 4px}h2.tag{font-size:20px;border-bottom:2px solid #dde1e6;padding-bottom:4px;margin-top:36px}
.op{border:1px solid #dde1e6;border-radius:6px;margin:14px 0;padding:10px 14px}
.op h3{margin:0;font-size:16px;font-weight:600}
.op h3 code{background:none;font-size:15px;padding:0}
.badge{display:inline-block;min-width:62px;text-align:center;border-radius:4px;color:#fff;font-size:12px;font-weight:700;padding:2px 6px;margin-right:8px;vertical-align:1px}
.get{background:#1f7a3f}.post{background:#0b5cad}.delete{background:#b42318}.put,.patch{background:#9a5b00}.head,.options{background:#5b6570}
nav .get,nav .post,nav .delete,nav .put,nav .patch,nav .head{background:none}
nav .m.get{color:#1f7a3f}nav .m.post{color:#0b5cad}nav .m.delete{color:#b42318}nav .m.put{color:#9a5b00}
.summary{margin:6px 0 2px;font-weight:500}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13.5px}
th,td{border:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f7f8fa;font-weight:600}
td.k{white-space:nowrap;width:1%}
.muted{color:#5b6570}.req{color:#b42318;font-size:11px;margin-left:4px}
.intro p{max-width:80ch}
`;

function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escaped text with `code` spans and **bold**, the Markdown the descriptions use inline. */
function inline(text: string): string {
  return esc(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

/** Paragraphs (blank-line separated) and `- ` lists. */
function prose(text: unknown): string {
  if (!text) return '';
  return String(text).trim().split(/\n\s*\n/).map((block) => {
    const lines = block.split('\n');
    if (lines.every((l) => /^\s*- /.test(l))) return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*- /, ''))}</li>`).join('')}</ul>`;
    return `<p>${inline(lines.map((l) => l.trim()).join(' '))}</p>`;
  }).join('\n');
}

/** Follows a local `$ref` (`#/components/...`); anything else is returned as is. */
function deref(spec: Obj, value: any): any {
  let v = value;
  for (let i = 0; i < 10 && v && typeof v.$ref === 'string' && v.$ref.startsWith('#/'); i++) {
    v = v.$ref.slice(2).split('/').reduce((o: any, k: string) => (o ? o[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), spec);
  }
  return v ?? {};
}

function refName(value: any): string | undefined {
  return value && typeof value.$ref === 'string' ? value.$ref.split('/').pop() : undefined;
}

/** A short, readable type: `string`, `array of DhcpRecord`, `object {ip: string}`, enums. */
export function schemaText(spec: Obj, schema: any, depth = 0): string {
  const name = refName(schema);
  if (name && /\/schemas\//.test(schema.$ref)) return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  const s = deref(spec, schema);
  if (!s || typeof s !== 'object' || Object.keys(s).length === 0) return 'any';
  if (Array.isArray(s.enum)) return s.enum.map((e: unknown) => `<code>${esc(e)}</code>`).join(' | ');
  if (s.type === 'array') return `array of ${schemaText(spec, s.items, depth + 1)}`;
  if (s.type === 'object' || s.properties) {
    const props = Object.entries(s.properties ?? {});
    if (!props.length || depth > 1) return 'object';
    return `object {${props.map(([k, v]) => `${esc(k)}: ${schemaText(spec, v, depth + 1)}`).join(', ')}}`;
  }
  return esc(`${s.type ?? 'any'}${s.format ? ` (${s.format})` : ''}${s.nullable ? ' or null' : ''}`);
}

function opId(method: string, path: string): string {
  return `op-${method}-${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root'}`;
}

interface Operation {
  method: string;
  path: string;
  op: Obj;
  /** Path-level and operation-level parameters, resolved. */
  params: Obj[];
}

function operations(spec: Obj): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<Obj>(spec.paths ?? {})) {
    const shared = (item.parameters ?? []).map((p: any) => deref(spec, p));
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const own = (op.parameters ?? []).map((p: any) => deref(spec, p));
      const params = [...shared.filter((p: Obj) => !own.some((o: Obj) => o.name === p.name && o.in === p.in)), ...own];
      out.push({ method, path, op, params });
    }
  }
  return out;
}

/** Operations grouped by their first tag: the spec's `tags` order first, then as tags first appear. */
function byTag(spec: Obj, ops: Operation[]): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  for (const t of spec.tags ?? []) if (ops.some((o) => o.op.tags?.[0] === t.name)) groups.set(String(t.name), []);
  for (const o of ops) {
    const tag = String(o.op.tags?.[0] ?? 'other');
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag)!.push(o);
  }
  return groups;
}

function paramsTable(spec: Obj, params: Obj[]): string {
  if (!params.length) return '';
  const rows = params.map((p) => `<tr><td class="k"><code>${esc(p.name)}</code>${p.required ? '<span class="req">required</span>' : ''}</td>`
    + `<td class="k">${esc(p.in)}</td><td class="k">${schemaText(spec, p.schema)}</td><td>${inline(String(p.description ?? ''))}</td></tr>`);
  return `<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>${rows.join('')}</table>`;
}

function bodyTable(spec: Obj, body: any): string {
  const b = deref(spec, body);
  if (!b || !b.content) return '';
  const form = b.content['application/x-www-form-urlencoded'];
  const schema = form ? deref(spec, form.schema) : undefined;
  const head = `<p class="muted">Request body${b.description ? `: ${inline(b.description)}` : ''} (${Object.keys(b.content).map((t) => `<code>${esc(t)}</code>`).join(', ')})</p>`;
  const props = Object.entries<Obj>(schema?.properties ?? {});
  if (!props.length) return head;
  const rows = props.map(([k, v]) => `<tr><td class="k"><code>${esc(k)}</code></td><td class="k">${schemaText(spec, v)}</td><td>${inline(String(deref(spec, v).description ?? ''))}</td></tr>`);
  return `${head}<table><tr><th>form field</th><th>type</th><th>meaning</th></tr>${rows.join('')}</table>`;
}

function responsesTable(spec: Obj, responses: Obj | undefined): string {
  const entries = Object.entries<Obj>(responses ?? {});
  if (!entries.length) return '';
  const rows = entries.map(([status, r]) => {
    const res = deref(spec, r);
    const content = Object.entries<Obj>(res.content ?? {});
    const types = content.map(([t, c]) => `<code>${esc(t)}</code>${c.schema && Object.keys(c.schema).length ? `: ${schemaText(spec, c.schema)}` : ''}`).join('<br>');
    return `<tr><td class="k"><strong>${esc(status)}</strong></td><td>${inline(String(res.description ?? ''))}</td><td>${types}</td></tr>`;
  });
  return `<table><tr><th>status</th><th>meaning</th><th>body</th></tr>${rows.join('')}</table>`;
}

function operationHtml(spec: Obj, o: Operation): string {
  return [
    `<section class="op" id="${opId(o.method, o.path)}">`,
    `<h3><span class="badge ${o.method}">${o.method.toUpperCase()}</span><code class="path">${esc(o.path)}</code></h3>`,
    o.op.summary ? `<p class="summary">${inline(String(o.op.summary))}</p>` : '',
    prose(o.op.description),
    paramsTable(spec, o.params),
    bodyTable(spec, o.op.requestBody),
    responsesTable(spec, o.op.responses),
    '</section>',
  ].join('\n');
}

function schemasHtml(spec: Obj): string {
  const schemas = Object.entries<Obj>(spec.components?.schemas ?? {});
  if (!schemas.length) return '';
  const parts = schemas.map(([name, s]) => {
    const props = Object.entries<Obj>(s.properties ?? {});
    const rows = props.map(([k, v]) => `<tr><td class="k"><code>${esc(k)}</code></td><td class="k">${schemaText(spec, v)}</td><td>${inline(String(v.description ?? ''))}</td></tr>`);
    return `<section class="op" id="schema-${esc(name)}"><h3><code>${esc(name)}</code></h3>${prose(s.description)}`
      + `${rows.length ? `<table><tr><th>property</th><th>type</th><th>meaning</th></tr>${rows.join('')}</table>` : ''}</section>`;
  });
  return `<h2 class="tag" id="schemas">Schemas</h2>\n${parts.join('\n')}`;
}

export interface ApiDocOptions {
  /** Link to the machine-readable description. */
  jsonHref?: string;
}

/** The whole page. */
export function renderApiDoc(spec: Obj, opts: ApiDocOptions = {}): string {
  const groups = byTag(spec, operations(spec));
  const tagText = (tag: string) => prose((spec.tags ?? []).find((t: Obj) => t.name === tag)?.description);
  const title = `${spec.info?.title ?? 'API'} ${spec.info?.version ?? ''}`.trim();
  const nav = [...groups].map(([tag, ops]) => `<h2>${esc(tag)}</h2><ul>${ops.map((o) =>
    `<li><a href="#${opId(o.method, o.path)}"><span class="m ${o.method}">${o.method.toUpperCase()}</span>${esc(o.path)}</a></li>`).join('')}</ul>`);
  const body = [...groups].map(([tag, ops]) => `<h2 class="tag" id="tag-${esc(tag)}">${esc(tag)}</h2>\n${tagText(tag)}\n${ops.map((o) => operationHtml(spec, o)).join('\n')}`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head><body>',
    `<nav><strong>${esc(spec.info?.title ?? 'API')}</strong>${nav.join('')}${spec.components?.schemas ? '<h2><a href="#schemas">Schemas</a></h2>' : ''}</nav>`,
    '<main>',
    `<h1>${esc(title)}</h1>`,
    `<div class="intro">${prose(spec.info?.description)}`,
    opts.jsonHref ? `<p class="muted">OpenAPI ${esc(spec.openapi ?? '3')} description as JSON: <a href="${esc(opts.jsonHref)}">${esc(opts.jsonHref)}</a></p>` : '',
    '</div>',
    ...body,
    schemasHtml(spec),
    '</main></body></html>',
    '',
  ].join('\n');
}
