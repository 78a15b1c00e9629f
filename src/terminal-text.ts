/**
 * Text from an API (field names, values, error excerpts, cursors) ends up on an operator's terminal and
 * in logs that are read on one. A raw ESC or BEL there is a command to the terminal: a title change, a
 * cleared screen, a forged line. Every printer of the CLI and the worker's logger pass what they write
 * through `escapeControls`, on a terminal or not (a log file is `cat` to a terminal later).
 */

// C0 (NUL…US), DEL and C1 (0x80–0x9F: an 8-bit CSI 0x9B starts an escape sequence on its own).
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_LINE_FEED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

function escaped(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character written as a `\u001b` escape. `lines: true` keeps line feeds: for
 * a printer given sluice's own multi-line text (a config's problems, one per line); a value inside a line
 * (a field name) escapes them too.
 */
export function escapeControls(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(options.lines === true ? CONTROLS_BUT_LINE_FEED : CONTROLS, escaped);
}

/** Writes one line (or sluice's own multi-line text) to stderr, control characters escaped. */
export function stderrLine(text: string): void {
  process.stderr.write(`${escapeControls(text, { lines: true })}\n`);
}
