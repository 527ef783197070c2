/**
 * A small, strict reader for the well-formed XML libvirt prints (`virsh net-dumpxml`): elements
 * and their attributes, nothing else. Text, comments, processing instructions and CDATA are
 * skipped; the five predefined entities and character references are decoded in attribute values.
 * A DOCTYPE with an internal subset is refused (no custom entities, so no entity expansion), as
 * is anything malformed: mismatched tags, duplicate attributes, unknown entities, a raw `<` in a
 * value. No npm XML parser is in the project's stack, and this is all the provider needs.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const SPACE = /[ \t\r\n]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the entity and character references of an attribute value (or raises). */
export function decodeEntities(raw: string): string {
  if (raw.includes('<')) throw new XmlSyntaxError("'<' is not allowed in an attribute value");
  return raw.replace(/&([^;&]*);|&/g, (match, body: string | undefined) => {
    if (body === undefined) throw new XmlSyntaxError("'&' without a reference in an attribute value");
    if (body in PREDEFINED) return PREDEFINED[body];
    const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (!num) throw new XmlSyntaxError(`unknown entity &${body};`);
    const code = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2], 10);
    if (!(code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x10ffff))) {
      throw new XmlSyntaxError(`character reference ${match} is not allowed`);
    }
    return String.fromCodePoint(code);
  });
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  skipSpace(): void {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    this.pos = SPACE.lastIndex;
  }

  name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.text);
    if (!m) throw this.error('a name was expected');
    this.pos = NAME.lastIndex;
    return m[0];
  }

  /** Moves past the next occurrence of `end`. */
  skipPast(end: string, what: string): void {
    const at = this.text.indexOf(end, this.pos);
    if (at < 0) throw this.error(`unterminated ${what}`);
    this.pos = at + end.length;
  }

  expect(s: string): void {
    if (!this.startsWith(s)) throw this.error(`'${s}' was expected`);
    this.pos += s.length;
  }

  error(message: string): XmlSyntaxError {
    const line = this.text.slice(0, this.pos).split('\n').length;
    return new XmlSyntaxError(`${message} (line ${line})`);
  }
}

/** Skips comments, processing instructions and (simple) DOCTYPEs; true when something was skipped. */
function skipMisc(c: Cursor): boolean {
  if (c.startsWith('<!--')) {
    c.skipPast('-->', 'comment');
    return true;
  }
  if (c.startsWith('<?')) {
    c.skipPast('?>', 'processing instruction');
    return true;
  }
  if (c.startsWith('<!DOCTYPE')) {
    const end = c.text.indexOf('>', c.pos);
    if (end < 0 || c.text.slice(c.pos, end).includes('[')) throw c.error('DOCTYPE with an internal subset is not accepted');
    c.pos = end + 1;
    return true;
  }
  return false;
}

function readAttributes(c: Cursor): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (;;) {
    const before = c.pos;
    c.skipSpace();
    if (c.startsWith('/>') || c.startsWith('>')) return attributes;
    if (c.pos === before) throw c.error('white space was expected between attributes');
    const name = c.name();
    if (Object.prototype.hasOwnProperty.call(attributes, name)) throw c.error(`duplicate attribute ${name}`);
    c.skipSpace();
    c.expect('=');
    c.skipSpace();
    const quote = c.text[c.pos];
    if (quote !== '"' && quote !== "'") throw c.error('a quoted attribute value was expected');
    const end = c.text.indexOf(quote, c.pos + 1);
    if (end < 0) throw c.error('unterminated attribute value');
    try {
      attributes[name] = decodeEntities(c.text.slice(c.pos + 1, end));
    } catch (err) {
      throw c.error((err as Error).message);
    }
    c.pos = end + 1;
  }
}

/** Reads one element starting at `<name`, with its descendants. */
function readElement(c: Cursor, depth: number): XmlElement {
  if (depth > 64) throw c.error('elements nested too deeply');
  c.expect('<');
  const element: XmlElement = { name: c.name(), attributes: {}, children: [] };
  element.attributes = readAttributes(c);
  if (c.startsWith('/>')) {
    c.pos += 2;
    return element;
  }
  c.expect('>');
  for (;;) {
    const lt = c.text.indexOf('<', c.pos);
    if (lt < 0) throw c.error(`element <${element.name}> is not closed`);
    c.pos = lt; // text content is not needed
    if (c.startsWith('</')) {
      c.pos += 2;
      const closing = c.name();
      if (closing !== element.name) throw c.error(`</${closing}> closes <${element.name}>`);
      c.skipSpace();
      c.expect('>');
      return element;
    }
    if (c.startsWith('<![CDATA[')) {
      c.skipPast(']]>', 'CDATA section');
      continue;
    }
    if (skipMisc(c)) continue;
    element.children.push(readElement(c, depth + 1));
  }
}

/** Parses a document and returns its root element. */
export function parseXml(text: string): XmlElement {
  const c = new Cursor(text.replace(/^\uFEFF/, ''));
  for (;;) {
    c.skipSpace();
    if (!skipMisc(c)) break;
  }
  if (!c.startsWith('<')) throw c.error('an element was expected');
  const root = readElement(c, 0);
  for (;;) {
    c.skipSpace();
    if (c.pos >= c.text.length) return root;
    if (!skipMisc(c)) throw c.error('content after the root element');
  }
}

/** Escapes a value for an attribute written between double quotes (or single: both are escaped). */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
