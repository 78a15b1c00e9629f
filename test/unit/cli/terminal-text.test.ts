import { escapeControls } from '../../../src/terminal-text';

describe('escapeControls', () => {
  it('escapes every C0 character, DEL and C1 as \\u00XX, and nothing else', () => {
    const controls = [...Array(0x20).keys(), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map((c) => String.fromCharCode(c));
    const out = escapeControls(`a${controls.join('')}z`);
    expect(out).toBe(`a${controls.map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}z`);
    expect(out).toMatch(/^[\x20-\x7e]+$/);
    expect(escapeControls('title \u001b]0;pwned\u0007 clear \u001b[2J')).toBe('title \\u001b]0;pwned\\u0007 clear \\u001b[2J');
    // Printable text, non-Latin letters and emoji are left alone.
    expect(escapeControls('héllo € 😀 ~ \\u001b')).toBe('héllo € 😀 ~ \\u001b');
  });

  it('keeps line feeds only when asked (a printer of multi-line text), never carriage returns', () => {
    expect(escapeControls('a\nb\r\tc')).toBe('a\\u000ab\\u000d\\u0009c');
    expect(escapeControls('a\nb\r\tc', { lines: true })).toBe('a\nb\\u000d\\u0009c');
  });
});
