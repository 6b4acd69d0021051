/**
 * A small SVG writer: elements as strings, every attribute value and text escaped, numbers
 * rounded so a file stays small and diffable. No DOM, no dependency.
 */

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an element or a double-quoted attribute (XML 1.0 also forbids most control characters). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => entities[ch] as string).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

/** A coordinate with at most two decimals: enough for any screen, short in the file. */
export function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export type Attributes = Readonly<Record<string, string | number | undefined>>;

function attributes(attrs: Attributes): string {
  return Object.entries(attrs)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`)
    .join('');
}

/** An element; `children` are already-written elements (use text() for character data). */
export function element(name: string, attrs: Attributes, ...children: string[]): string {
  return children.length === 0 ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${children.join('')}</${name}>`;
}

/** Character data, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

/** A whole SVG document of the given size. */
/**
 * Fonts by name before the generic family: a rasterizer (resvg, for the PNG) may map sans-serif
 * to whatever font it finds first, a serif one on Debian, while it finds DejaVu Sans by name.
 * Unquoted, as resvg reads a quoted name in a list as no font at all.
 */
const FONT_FAMILY = 'Helvetica, Arial, DejaVu Sans, Liberation Sans, sans-serif';

export function svgDocument(width: number, height: number, ...children: string[]): string {
  const root = element('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${num(width)} ${num(height)}`, 'font-family': FONT_FAMILY, 'font-size': 12 }, ...children);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
