/**
 * Reads the captured responses of the real smart-proxy (../shared/reference/reference-responses.md):
 * each `### <title>` section holds a curl command and the raw HTTP response it got.
 */
import * as fs from 'fs';
import * as path from 'path';

export const REFERENCE_RESPONSES = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'reference-responses.md');

export interface CapturedRequest {
  method: string;
  /** Path and query exactly as requested. */
  path: string;
  headers: Record<string, string>;
  /** Form fields from `-d`, in order (already unescaped from the shell quoting). */
  form: [string, string][];
  /** The raw `-d` arguments, in order. */
  data: string[];
}

export interface CapturedExchange {
  title: string;
  request: CapturedRequest;
  status: number;
  headers: Record<string, string>;
  /** Exact body (no trailing newline unless the capture shows one). */
  body: string;
}

/** Undoes the shell quoting the capture script used (`\?`, `\&`, `\ `, `\{`, `\"`, …). */
function unshell(word: string): string {
  return word.replace(/\\(.)/g, '$1');
}

/** Splits a curl command line into words on unescaped spaces. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      cur += c + line[i + 1];
      i++;
    } else if (c === ' ') {
      if (cur) out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur) out.push(cur);
  return out.map(unshell);
}

function parseCurl(line: string): CapturedRequest {
  const w = words(line.replace(/^\$ /, ''));
  const req: CapturedRequest = { method: 'GET', path: '', headers: {}, form: [], data: [] };
  for (let i = 1; i < w.length; i++) {
    const a = w[i];
    if (a === '-X') req.method = w[++i];
    else if (a === '-H') {
      const [k, ...v] = w[++i].split(':');
      req.headers[k.trim()] = v.join(':').trim();
    } else if (a === '-d') {
      const d = w[++i];
      req.data.push(d);
      const eq = d.indexOf('=');
      req.form.push(eq < 0 ? [d, ''] : [d.slice(0, eq), d.slice(eq + 1)]);
    } else if (/^https?:\/\//.test(a)) {
      const u = new URL(a);
      req.path = a.slice(u.origin.length);
    }
  }
  if (req.form.length && req.method === 'GET') req.method = 'POST';
  return req;
}

/** Every captured exchange of one `## ` part of the document (e.g. `5. DHCP module`). */
export function capturedExchanges(partPrefix: string, file = REFERENCE_RESPONSES): CapturedExchange[] {
  const text = fs.readFileSync(file, 'utf8');
  const parts = text.split(/\n(?=## )/);
  const part = parts.find((p) => p.startsWith(`## ${partPrefix}`));
  if (!part) throw new Error(`no part "${partPrefix}" in ${file}`);
  const out: CapturedExchange[] = [];
  for (const section of part.split(/\n(?=### )/).slice(1)) {
    const title = section.split('\n')[0].replace(/^### /, '');
    const block = /```\n([\s\S]*?)\n```/.exec(section);
    if (!block) continue;
    const lines = block[1].split('\n');
    const curl = lines.findIndex((l) => l.startsWith('$ curl'));
    const statusLine = lines[curl + 1];
    const status = Number(/^HTTP\/1\.1 (\d+)/.exec(statusLine)?.[1]);
    const headers: Record<string, string> = {};
    let i = curl + 2;
    for (; i < lines.length && lines[i] !== '' && lines[i] !== '<empty body>'; i++) {
      const c = lines[i].indexOf(':');
      headers[lines[i].slice(0, c).toLowerCase()] = lines[i].slice(c + 1).trim();
    }
    let body = '';
    if (lines[i] === '') {
      const rest = lines.slice(i + 1);
      if (rest[rest.length - 1] === '<no trailing newline>') body = rest.slice(0, -1).join('\n');
      else body = `${rest.join('\n')}\n`;
    }
    out.push({ title, request: parseCurl(lines[curl]), status, headers, body });
  }
  return out;
}
