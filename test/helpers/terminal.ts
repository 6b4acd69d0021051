/** What a terminal shows of a program's output. */

/** The text between carriage returns and line feeds, escape sequences removed: each stretch a terminal draws on one row. */
export function screenLines(text: string): string[] {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/[\r\n]/).filter((line) => line !== '');
}
