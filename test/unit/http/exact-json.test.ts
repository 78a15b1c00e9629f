import { hasLongDigitRun, parseJsonExact } from '../../../src/core/exact-json';
import { compareCursor } from '../../../src/http';
import { advanceCursor } from '../../../src/core/cursor';

describe('parseJsonExact', () => {
  it('keeps integers past 2^53 - 1 as exact decimal strings, distinct where JSON.parse merges them', () => {
    const body = '{"data":[{"id":9007199254740992},{"id":9007199254740993},{"id":-18446744073709551615}]}';
    expect(parseJsonExact(body)).toEqual({ data: [{ id: '9007199254740992' }, { id: '9007199254740993' }, { id: '-18446744073709551615' }] });
  });

  it('leaves every other number a JS number, also in a body that needs the lossless parse', () => {
    const out = parseJsonExact('{"big":12345678901234567890,"small":42,"float":0.12345678901234567,"exp":1e300,"safe":9007199254740991}');
    // eslint-disable-next-line no-loss-of-precision -- the same literal as the body's: it parses to the same double
    expect(out).toEqual({ big: '12345678901234567890', small: 42, float: 0.12345678901234567, exp: 1e300, safe: 9007199254740991 });
  });

  it('matches JSON.parse on a body without a long digit run, and on one whose long run sits inside a string', () => {
    for (const text of ['{"a":[1,2.5,"x",null,true]}', '{"token":"12345678901234567890","n":7}']) expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });
});

describe('parseJsonExact on duplicate keys', () => {
  it('keeps the last value of a repeated key, as JSON.parse and Python json do, on the lossless path too', () => {
    const text = '{"id": 9007199254740993, "status": "draft", "tags": [1], "status": "sent", "nested": {"a": 1, "a": {"b": 2}}}';
    const parsed = parseJsonExact(text);
    expect(parsed).toEqual({ id: '9007199254740993', status: 'sent', tags: [1], nested: { a: { b: 2 } } });
    // The same shape, key order included, as JSON.parse gives for the same text without the big number.
    const plain = text.replace('9007199254740993', '7');
    expect(Object.keys(parsed as object)).toEqual(Object.keys(JSON.parse(plain) as object));
    expect(parseJsonExact(plain)).toEqual(JSON.parse(plain));
  });
});

describe('hasLongDigitRun', () => {
  it('finds a run of 16 digits at every offset, and never one of 15', () => {
    for (let at = 0; at < 40; at += 1) {
      for (const tail of ['', ',"x":1}']) {
        expect(hasLongDigitRun(`${'a'.repeat(at)}${'1'.repeat(16)}${tail}`)).toBe(true);
        expect(hasLongDigitRun(`${'a'.repeat(at)}${'1'.repeat(15)}${tail}`)).toBe(false);
      }
    }
    expect(hasLongDigitRun('123456789012345,123456789012345')).toBe(false);
  });
});

describe('cursor comparison of integers past 2^53', () => {
  const more = '10000000000000000000';
  const less = '9999999999999999999';
  it('orders digit strings by value, not as text', () => {
    expect(compareCursor(more, less)).toBe(1);
    expect(compareCursor(less, more)).toBe(-1);
    expect(compareCursor('9007199254740993', '9007199254740993')).toBe(0);
    expect(advanceCursor(less, more, 'max')).toBe(more);
    expect(advanceCursor(more, less, 'min')).toBe(less);
  });

  it('orders a number against a digit string (a cursor that outgrows a double mid-run)', () => {
    expect(compareCursor(0, less)).toBe(-1);
    expect(compareCursor('9007199254740993', 9007199254740991)).toBe(1);
    expect(advanceCursor(9007199254740991, '9007199254740993', 'max')).toBe('9007199254740993');
  });

  it('still compares other strings as text and refuses a number against a word', () => {
    expect(compareCursor('b', 'a')).toBe(1);
    expect(() => compareCursor(1, 'abc')).toThrow(/different types/);
    expect(() => compareCursor(1, '7')).toThrow(/different types/);
    expect(compareCursor('10', '9')).toBe(-1);
  });
});
