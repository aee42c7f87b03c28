import { FramewireError } from '../../core/errors.ts';

/**
 * A read-only view of one FlatBuffers table: just the wire format rules the
 * TFLite reader needs (vtable lookup, scalars, strings, vectors, sub-tables).
 * Every offset is bounds-checked, so a truncated or hostile file fails with a
 * clear error instead of reading garbage.
 */
export class FbTable {
  private constructor(
    private readonly view: DataView,
    /** Position of the table in the buffer. */
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
  ) {}

  /** The root table of a buffer (its first 4 bytes point to it). */
  static root(bytes: Uint8Array): FbTable {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return FbTable.at(view, readU32(view, 0));
  }

  static at(view: DataView, pos: number): FbTable {
    const vtable = pos - readI32(view, pos);
    const vtableSize = readU16(view, vtable);
    if (vtableSize < 4 || vtable + vtableSize > view.byteLength) throw corrupt(pos);
    return new FbTable(view, pos, vtable, vtableSize);
  }

  /** Byte position of field `i`, or undefined when the field is absent (default value). */
  private field(i: number): number | undefined {
    const slot = 4 + 2 * i;
    if (slot + 2 > this.vtableSize) return undefined;
    const rel = readU16(this.view, this.vtable + slot);
    return rel === 0 ? undefined : this.pos + rel;
  }

  /** The target of an offset field (strings, vectors, tables are stored by offset). */
  private deref(i: number): number | undefined {
    const at = this.field(i);
    return at === undefined ? undefined : at + readU32(this.view, at);
  }

  u8(i: number, fallback = 0): number {
    const at = this.field(i);
    return at === undefined ? fallback : readU8(this.view, at);
  }

  bool(i: number, fallback = false): boolean {
    const at = this.field(i);
    return at === undefined ? fallback : readU8(this.view, at) !== 0;
  }

  i32(i: number, fallback = 0): number {
    const at = this.field(i);
    return at === undefined ? fallback : readI32(this.view, at);
  }

  u32(i: number, fallback = 0): number {
    const at = this.field(i);
    return at === undefined ? fallback : readU32(this.view, at);
  }

  /** A 64-bit unsigned field as a Number (TFLite uses them for buffer offsets in big files). */
  u64(i: number, fallback = 0): number {
    const at = this.field(i);
    if (at === undefined) return fallback;
    check(this.view, at, 8);
    return Number(this.view.getBigUint64(at, true));
  }

  string(i: number): string | undefined {
    const bytes = this.bytes(i);
    return bytes && new TextDecoder().decode(bytes);
  }

  /** A `[ubyte]` vector (or a string's bytes) as a view into the buffer, not a copy. */
  bytes(i: number): Uint8Array | undefined {
    const at = this.deref(i);
    if (at === undefined) return undefined;
    const length = readU32(this.view, at);
    check(this.view, at + 4, length);
    return new Uint8Array(this.view.buffer, this.view.byteOffset + at + 4, length);
  }

  i32s(i: number): number[] {
    const at = this.deref(i);
    if (at === undefined) return [];
    const length = readU32(this.view, at);
    check(this.view, at + 4, length * 4);
    return Array.from({ length }, (_, k) => this.view.getInt32(at + 4 + 4 * k, true));
  }

  table(i: number): FbTable | undefined {
    const at = this.deref(i);
    return at === undefined ? undefined : FbTable.at(this.view, at);
  }

  tables(i: number): FbTable[] {
    const at = this.deref(i);
    if (at === undefined) return [];
    const length = readU32(this.view, at);
    check(this.view, at + 4, length * 4);
    return Array.from({ length }, (_, k) => {
      const slot = at + 4 + 4 * k;
      return FbTable.at(this.view, slot + readU32(this.view, slot));
    });
  }
}

function check(view: DataView, pos: number, size: number): void {
  if (pos < 0 || pos + size > view.byteLength) throw corrupt(pos);
}

function readU8(view: DataView, pos: number): number {
  check(view, pos, 1);
  return view.getUint8(pos);
}

function readU16(view: DataView, pos: number): number {
  check(view, pos, 2);
  return view.getUint16(pos, true);
}

function readI32(view: DataView, pos: number): number {
  check(view, pos, 4);
  return view.getInt32(pos, true);
}

function readU32(view: DataView, pos: number): number {
  check(view, pos, 4);
  return view.getUint32(pos, true);
}

function corrupt(pos: number): FramewireError {
  return new FramewireError(
    'MODEL_INVALID',
    `the TFLite file is truncated or corrupt (offset ${pos} is outside it)`,
    { hint: 'reinstall the package the model came from' },
  );
}
