/** `text` with every character that means something in a regular expression escaped: a path as a literal in a pattern. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
