import { InvalidParameters, ParameterLimit, parseParams, ParamSource } from '../../../src/core/rack-params';

/** Plain objects, so toEqual compares values only (the parser's maps have no prototype). */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

/*
 * Expected values are what Rack 2.2's parse_nested_query gives for the same input (the baseline's
 * Rack::Request#GET with `&;`, #POST with `&`).
 */
describe('parameters as Rack 2.2 parses them', () => {
  test.each<[string, ParamSource, unknown]>([
    ['from_timestamp=1&from_timestamp=2', 'query', { from_timestamp: '2' }],
    ['menu=a&menu=b', 'form', { menu: 'b' }],
    ['a=1&b=2&a=3', 'query', { a: '3', b: '2' }],
    ['menu=a;b', 'query', { menu: 'a', b: null }],
    ['menu=a;b', 'form', { menu: 'a;b' }],
    ['a=1&  b=2', 'query', { a: '1', b: '2' }],
    ['a=1&&b=2&', 'query', { a: '1', b: '2' }],
    ['a', 'query', { a: null }],
    ['a=', 'query', { a: '' }],
    ['a=b=c', 'query', { a: 'b=c' }],
    ['=x&b=1', 'query', { b: '1' }],
    ['a+b=c+d%20e%2B', 'query', { 'a b': 'c d e+' }],
    ['name=%C3%A9t%C3%A9', 'form', { name: 'été' }],
    ['v=%ff', 'query', { v: '\ufffd' }],
    ['related_macs[]=a&related_macs[]=b', 'form', { related_macs: ['a', 'b'] }],
    ['related_macs[]', 'form', { related_macs: [null] }],
    ['related_macs', 'form', { related_macs: null }],
    ['ztp_firmware[core]=x&ztp_firmware[url]=y', 'form', { ztp_firmware: { core: 'x', url: 'y' } }],
    ['a[b][c]=1&a[b][d]=2', 'query', { a: { b: { c: '1', d: '2' } } }],
    ['a[][b]=1&a[][c]=2', 'query', { a: [{ b: '1', c: '2' }] }],
    ['a[][b]=1&a[][b]=2', 'query', { a: [{ b: '1' }, { b: '2' }] }],
    ['a[0]=x&a[1]=y', 'query', { a: { 0: 'x', 1: 'y' } }],
    ['a[=1', 'query', { 'a[': '1' }],
    ['a]=1', 'query', { a: '1' }],
    ['[]=1&[x]=2', 'query', { x: '2' }],
    ['a=1&a[b]=2', 'query', 'error:expected Hash (got String) for param `a\''],
    ['a=1&a[]=2', 'query', 'error:expected Array (got String) for param `a\''],
    ['a[b]=1&a[]=2', 'query', 'error:expected Array (got Rack::QueryParser::Params) for param `a\''],
    ['a&a[]=2', 'query', { a: ['2'] }],
    ['x=%zz', 'query', 'error:invalid %-encoding (%zz)'],
    ['x%=1', 'form', 'error:invalid %-encoding (x%)'],
    ['%ff=1', 'query', 'error:invalid byte sequence in UTF-8'],
  ])('%s (%s) -> %j', (text, source, expected) => {
    if (typeof expected === 'string') {
      expect(() => parseParams(text, source)).toThrow(new InvalidParameters(expected.slice('error:'.length)));
    } else {
      expect(plain(parseParams(text, source))).toEqual(expected);
    }
  });

  test('__proto__ is an ordinary key, nothing is polluted', () => {
    const params = parseParams('__proto__[polluted]=1&constructor=x', 'query');
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('nesting deeper than Rack\'s 100 levels is refused as its limit (not a client-input 400)', () => {
    expect(() => parseParams(`a${'[b]'.repeat(100)}=1`, 'query')).toThrow(ParameterLimit);
    expect(() => parseParams(`a${'[b]'.repeat(99)}=1`, 'query')).not.toThrow();
  });
});
