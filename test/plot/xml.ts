/**
 * A strict little XML reader for the plot tests: one root element, matched tags, quoted
 * attributes without duplicates, and only the five predefined entities or character references
 * in text. Enough to say an SVG is well-formed XML and to walk its elements.
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  /** The element's own character data, entities decoded. */
  text: string;
}

const NAME = '[A-Za-z_:][-A-Za-z0-9_:.]*';
const entity = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const decoded: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  if (/[<]/.test(raw) || /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`unescaped markup in ${where}: ${raw}`);
  return raw.replace(entity, (_, e: string) => (e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (decoded[e] as string)));
}

function parseAttributes(source: string, tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const pattern = new RegExp(`\\s+(${NAME})="([^"]*)"`, 'y');
  let at = 0;
  while (at < source.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(source);
    if (m === null) throw new Error(`bad attribute syntax in <${tag}${source}>`);
    const [whole, name, value] = m as unknown as [string, string, string];
    if (name in attrs) throw new Error(`duplicate attribute ${name} in <${tag}>`);
    attrs[name] = decode(value, `attribute ${name}`);
    at += whole.length;
  }
  return attrs;
}

export function parseXml(source: string): XmlElement {
  const body = source.replace(/^<\?xml[^?]*\?>\s*/, '');
  const token = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}="[^"]*")*)\\s*(/?)>|([^<]+)|(<)`, 'gy');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  for (let m = token.exec(body); m !== null && m.index < body.length; m = token.exec(body)) {
    const [, closing, name, attrSource, selfClosing, chars, stray] = m;
    if (stray !== undefined) throw new Error(`malformed tag at offset ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (chars !== undefined) {
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        if (chars.trim() !== '') throw new Error(`text outside the root: ${chars}`);
      } else {
        parent.text += decode(chars, `<${parent.name}>`);
      }
      continue;
    }
    if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const element: XmlElement = { name: name as string, attrs: parseAttributes(attrSource ?? '', name as string), children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (root !== null) throw new Error('a second root element');
      root = element;
    } else {
      parent.children.push(element);
    }
    if (selfClosing !== '/') stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (root === null) throw new Error('no root element');
  return root;
}

/** Every element below `root` (root included) with the given name, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found = root.name === name ? [root] : [];
  for (const child of root.children) found.push(...findAll(child, name));
  return found;
}
