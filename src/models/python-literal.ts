/**
 * A parser for the Python literals Ultralytics writes into ONNX metadata with
 * `str(value)`: dicts (`{0: 'person', 1: "teddy's bear"}`), lists and tuples
 * (`[640, 640]`), strings, numbers, `True`/`False`/`None`. Nothing else: the
 * metadata is data, never evaluated.
 */

export type PyValue = string | number | boolean | null | PyValue[] | Map<PyValue, PyValue>;

export class PyLiteralError extends Error {}

export function parsePyLiteral(text: string): PyValue {
  const p = new Parser(text);
  const value = p.value();
  p.skipSpace();
  if (!p.done()) p.fail('unexpected text after the value');
  return value;
}

class Parser {
  #i = 0;
  constructor(readonly s: string) {}

  done(): boolean {
    return this.#i >= this.s.length;
  }

  fail(why: string): never {
    throw new PyLiteralError(`${why} at offset ${this.#i}`);
  }

  skipSpace(): void {
    while (this.#i < this.s.length && /\s/.test(this.s[this.#i]!)) this.#i++;
  }

  value(): PyValue {
    this.skipSpace();
    const c = this.s[this.#i];
    if (c === '{') return this.dict();
    if (c === '[') return this.sequence(']');
    if (c === '(') return this.sequence(')');
    if (c === "'" || c === '"') return this.string(c);
    const word = /^(True|False|None)\b/.exec(this.s.slice(this.#i));
    if (word) {
      this.#i += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const num = /^[-+]?(\d+\.?\d*(e[-+]?\d+)?|\.\d+(e[-+]?\d+)?|inf|nan)/i.exec(
      this.s.slice(this.#i),
    );
    if (num) {
      this.#i += num[0].length;
      return Number(num[0].replace(/inf/i, 'Infinity'));
    }
    return this.fail('expected a value');
  }

  dict(): Map<PyValue, PyValue> {
    const out = new Map<PyValue, PyValue>();
    this.#i++; // {
    for (;;) {
      this.skipSpace();
      if (this.s[this.#i] === '}') break;
      const key = this.value();
      this.skipSpace();
      if (this.s[this.#i] !== ':') this.fail("expected ':'");
      this.#i++;
      out.set(key, this.value());
      if (!this.separator('}')) break;
    }
    this.#i++; // }
    return out;
  }

  sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    this.#i++;
    for (;;) {
      this.skipSpace();
      if (this.s[this.#i] === close) break;
      out.push(this.value());
      if (!this.separator(close)) break;
    }
    this.#i++;
    return out;
  }

  /** After an item: a comma (true, more may follow) or the closing bracket (false). */
  separator(close: string): boolean {
    this.skipSpace();
    const c = this.s[this.#i];
    if (c === ',') {
      this.#i++;
      return true;
    }
    if (c === close) return false;
    return this.fail(`expected ',' or '${close}'`);
  }

  string(quote: string): string {
    let out = '';
    this.#i++;
    for (;;) {
      const c = this.s[this.#i++];
      if (c === undefined) this.fail('unterminated string');
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.s[this.#i++];
      if (e === 'x' || e === 'u') {
        const len = e === 'x' ? 2 : 4;
        out += String.fromCharCode(Number.parseInt(this.s.slice(this.#i, this.#i + len), 16));
        this.#i += len;
      } else {
        out += ESCAPES[e ?? ''] ?? `\\${e}`;
      }
    }
  }
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
};
