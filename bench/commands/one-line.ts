/**
 * Text made safe for one line of a terminal: every control character (C0 including newline
 * and ESC, DEL, C1, and the Unicode line and paragraph separators) is written as an escape
 * (`\n`, `\r`, `\t`, `\xNN`, `\uNNNN`), so an error that quotes a file or an argument can
 * neither span several lines nor drive the terminal.
 */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what this function is for
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
