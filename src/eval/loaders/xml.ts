/**
 * A tiny XML reader for small, regular documents (Pascal VOC annotations): elements,
 * attributes, text, CDATA, comments, processing instructions and the predefined and
 * numeric entities. No DTDs or namespaces — VOC files use neither. Malformed input
 * is an error naming the offset, never a silently partial tree.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element, entities decoded. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`XML: ${what} at offset ${i}`);
  };
  const skipPast = (end: string, what: string) => {
    const j = source.indexOf(end, i);
    if (j < 0) fail(`unterminated ${what}`);
    const body = source.slice(i, j);
    i = j + end.length;
    return body;
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      top.text += decodeEntities(source.slice(i));
      break;
    }
    top.text += decodeEntities(source.slice(i, lt));
    i = lt;
    if (source.startsWith('<!--', i)) {
      i += 4;
      skipPast('-->', 'comment');
    } else if (source.startsWith('<![CDATA[', i)) {
      i += 9;
      top.text += skipPast(']]>', 'CDATA section');
    } else if (source.startsWith('<?', i) || source.startsWith('<!', i)) {
      i += 2;
      skipPast('>', 'declaration');
    } else if (source.startsWith('</', i)) {
      i += 2;
      const name = skipPast('>', 'closing tag').trim();
      if (stack.length === 1 || top.name !== name) {
        fail(`</${name}> does not close <${stack.length > 1 ? top.name : '(nothing)'}>`);
      }
      stack.pop();
    } else {
      i += 1;
      const tag = /^([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(
        source.slice(i),
      );
      if (!tag) fail('malformed start tag');
      const attributes: Record<string, string> = {};
      for (const m of tag![2]!.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        attributes[m[1]!] = decodeEntities(m[2] ?? m[3] ?? '');
      }
      const el: XmlElement = { name: tag![1]!, attributes, children: [], text: '' };
      top.children.push(el);
      i += tag![0].length;
      if (!tag![3]) stack.push(el);
    }
  }
  if (stack.length > 1) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  const elements = root.children;
  if (elements.length !== 1) fail(`expected one root element, found ${elements.length}`);
  return elements[0]!;
}

/** The first child element called `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Trimmed text of the child element `name`, or undefined. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c === undefined ? undefined : c.text.trim();
}
