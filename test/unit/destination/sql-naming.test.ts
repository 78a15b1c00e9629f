import { ident, identList, literal, qualified, uintLiteral } from '../../../src/destination/sql';
import { joinPath, normalizeIdentifier, normalizePath } from '../../../src/destination/naming';

describe('escaping', () => {
  it('quotes identifiers, escaping backslash before backtick', () => {
    expect(ident('plain')).toBe('`plain`');
    expect(ident('a`b')).toBe('`a\\`b`');
    expect(ident('a\\b')).toBe('`a\\\\b`');
    expect(ident('\\`')).toBe('`\\\\\\``');
    expect(ident("x'; DROP TABLE t; --")).toBe("`x'; DROP TABLE t; --`");
    expect(qualified('my db', 't.x')).toBe('`my db`.`t.x`');
    expect(identList(['a', 'b`'])).toBe('(`a`, `b\\``)');
  });

  it('quotes literals, escaping backslash, quote, NUL and line breaks', () => {
    expect(literal("it's")).toBe("'it\\'s'");
    expect(literal('a\\b')).toBe("'a\\\\b'");
    expect(literal("\\'")).toBe("'\\\\\\''");
    expect(literal('l1\nl2\r\0')).toBe("'l1\\nl2\\r\\0'");
    expect(literal("'); DROP DATABASE x; --")).toBe("'\\'); DROP DATABASE x; --'");
  });

  it('only accepts non-negative safe integers as numeric literals', () => {
    expect(uintLiteral(42)).toBe('42');
    expect(() => uintLiteral(-1)).toThrow(RangeError);
    expect(() => uintLiteral(1.5)).toThrow(RangeError);
    expect(() => uintLiteral(Number.MAX_SAFE_INTEGER + 2)).toThrow(RangeError);
  });
});

describe("dlt's snake_case", () => {
  it.each([
    ['eventType', 'event_type'],
    ['event value', 'event_value'],
    ['event-.!:*<>value', 'event_x_value'],
    ["1event_n'", '_1event_nx'],
    ['123BaNaNa', '_123_ba_na_na'],
    ['BANANA', 'banana'],
    ['BANaNA', 'ba_na_na'],
    [' Small Love Potion ', 'small_love_potion'],
    ['BANANA____', 'bananaxxxx'],
    ['+-!$*@#=|:', 'x_xa_lx'],
    ['+1', 'x1'],
    ['-1', '_1'],
    ['user.name', 'user_name'],
    ['createdAt', 'created_at'],
    ['HTTPServer', 'http_server'],
    ['ünïcödé', '_n_c_dx'],
    ['event__value_value2____', 'event_value_value2xxxx'],
    ['', 'x'],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeIdentifier(raw)).toBe(expected);
  });

  it('normalises paths level by level', () => {
    expect(normalizePath('Small__Love__Potion')).toBe('small__love__potion');
    expect(normalizePath('Small  Love  Potion')).toBe('small_love_potion');
    expect(normalizePath('e_vent__value_value2___')).toBe('e_vent__value_value2__x');
    expect(normalizePath('Small___Love____Potion_____x')).toBe('small___love__potion___x');
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a', 'b')).toBe('a__b');
  });
});
