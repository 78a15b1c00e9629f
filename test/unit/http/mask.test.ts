import { maskSecrets } from '../../../src/http';

describe('maskSecrets', () => {
  it('masks raw, percent-encoded, form-encoded and JSON-escaped forms', () => {
    const s = 'a b/c+"d';
    const text = [s, encodeURIComponent(s), new URLSearchParams({ k: s }).toString(), JSON.stringify({ s })].join(' | ');
    const out = maskSecrets(text, [s]);
    expect(out).toBe('*** | *** | k=*** | {"s":"***"}');
  });

  it('masks the longer of overlapping secrets whole and ignores empty ones', () => {
    expect(maskSecrets('token=abc123 id=abc', ['abc', 'abc123', ''])).toBe('token=*** id=***');
  });
});

describe('maskSecrets, every encoding of every character class', () => {
  const secret = 'Ab9-._~ !"#$%&\'()*+,/:;<=>?@[\\]^`{|}é€😀';

  it('masks percent-encoding of every character, unreserved ones included, in either hex case', () => {
    const everyChar = [...Buffer.from(secret, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    expect(maskSecrets(`u=${everyChar}`, [secret])).toBe('u=***');
    expect(maskSecrets(`u=${everyChar.toUpperCase()}`, [secret])).toBe('u=***');
  });

  it('masks mixed forms: some characters encoded, others not, JSON \\u escapes and \\/', () => {
    const bmp = 'Ab9-._~ !"#$%&/:é€';
    const mixed = [...bmp]
      .map((ch, i) => (i % 3 === 0 ? encodeURIComponent(ch) : i % 3 === 1 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch === '/' ? '\\/' : ch))
      .join('');
    expect(maskSecrets(`x ${mixed} y`, [bmp])).toBe('x *** y');
  });

  it('masks form encoding (+ for space) and JSON-escaped forms of the whole secret', () => {
    expect(maskSecrets(new URLSearchParams({ k: secret }).toString(), [secret])).toBe('k=***');
    expect(maskSecrets(JSON.stringify({ s: secret }), [secret])).toBe('{"s":"***"}');
    expect(maskSecrets(encodeURI(secret), [secret])).toBe('***');
  });

  it('leaves text that merely resembles the secret', () => {
    expect(maskSecrets('abc-xyz', ['abc-xyz1'])).toBe('abc-xyz');
    expect(maskSecrets('%41%62', ['ab'])).toBe('%41%62');
  });
});
