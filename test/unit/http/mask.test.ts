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
