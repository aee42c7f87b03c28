import { open } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { FramewireError } from '../core/errors.ts';
import { type PyValue, parsePyLiteral } from './python-literal.ts';

const { onnx } = onnxProto;

/** ModelProto field numbers read or checked here (onnx.proto3). */
const IR_VERSION = 1;
const GRAPH = 7;
const METADATA_PROPS = 14;

/**
 * Reads an ONNX file's `metadata_props` without loading the model: onnxruntime-node
 * does not expose custom metadata. Only the top-level fields of the ModelProto are
 * walked (the graph and its weights are skipped by length), so it costs a few small
 * reads even for a large model. The walk doubles as a sanity check: a missing file
 * is MODEL_MISSING, a truncated or non-ONNX file MODEL_INVALID, both with a message
 * a user can act on.
 */
export async function readOnnxMetadata(path: string): Promise<Record<string, string>> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw missingOrUnreadable(path, err);
  }
  try {
    const size = (await file.stat()).size;
    const reader = new FieldReader(file, size);
    const props: Record<string, string> = {};
    let sawIr = false;
    let sawGraph = false;
    while (reader.pos < size) {
      const { field, wire } = await reader.tag();
      if (field === 0 || wire === 3 || wire === 4 || wire > 5) throw new NotOnnx('bad field tag');
      if (wire === 0) {
        await reader.varint();
        if (field === IR_VERSION) sawIr = true;
        continue;
      }
      if (wire === 1 || wire === 5) {
        reader.skip(wire === 1 ? 8 : 4);
        if (field === IR_VERSION || field === GRAPH) throw new NotOnnx('bad wire type');
        continue;
      }
      const length = await reader.varint();
      if (reader.pos + length > size) throw new Truncated();
      if (field === IR_VERSION) throw new NotOnnx('bad wire type');
      if (field === GRAPH) sawGraph = true;
      if (field === METADATA_PROPS) {
        const entry = onnx.StringStringEntryProto.decode(await reader.bytes(length));
        props[entry.key] = entry.value;
      } else {
        reader.skip(length);
      }
    }
    if (reader.pos !== size) throw new Truncated();
    if (!sawIr || !sawGraph) throw new NotOnnx(sawIr ? 'no graph' : 'no IR version');
    return props;
  } catch (err) {
    if (err instanceof FramewireError) throw err;
    if (err instanceof Truncated) {
      throw new FramewireError(
        'MODEL_INVALID',
        `model file ${path} is truncated (${err.message})`,
        {
          hint: 'the file ends in the middle of the model: download or export it again',
        },
      );
    }
    if ((err as NodeJS.ErrnoException).code !== undefined) throw missingOrUnreadable(path, err);
    // NotOnnx, or protobuf decoding errors inside a metadata entry.
    throw new FramewireError('MODEL_INVALID', `${path} is not an ONNX model`, {
      hint: 'give an .onnx file exported from your framework, or a model descriptor (.yaml)',
    });
  } finally {
    await file.close();
  }
}

export function missingOrUnreadable(path: string, err: unknown): FramewireError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new FramewireError('MODEL_MISSING', `model file not found: ${path}`, {
      hint: 'check the path (relative paths resolve against the current directory), or omit `model` to use the embedded COCO detector',
    });
  }
  return new FramewireError(
    'MODEL_INVALID',
    `cannot read model file ${path}: ${(err as Error).message}`,
  );
}

class Truncated extends Error {
  constructor() {
    super('a field runs past the end of the file');
  }
}
class NotOnnx extends Error {}

/** Sequential protobuf field reads at the top level of a file, without reading it all. */
class FieldReader {
  pos = 0;
  readonly #buf = Buffer.alloc(10);
  constructor(
    readonly file: Awaited<ReturnType<typeof open>>,
    readonly size: number,
  ) {}

  async tag(): Promise<{ field: number; wire: number }> {
    const t = await this.varint();
    return { field: Math.floor(t / 8), wire: t % 8 };
  }

  async varint(): Promise<number> {
    const n = Math.min(10, this.size - this.pos);
    if (n <= 0) throw new Truncated();
    await this.file.read(this.#buf, 0, n, this.pos);
    let value = 0;
    for (let i = 0; i < n; i++) {
      const b = this.#buf[i]!;
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        this.pos += i + 1;
        return value;
      }
    }
    throw n < 10 ? new Truncated() : new NotOnnx('varint too long');
  }

  skip(n: number): void {
    if (this.pos + n > this.size) throw new Truncated();
    this.pos += n;
  }

  async bytes(n: number): Promise<Uint8Array> {
    const out = Buffer.alloc(n);
    await this.file.read(out, 0, n, this.pos);
    this.pos += n;
    return out;
  }
}

/** What a model's metadata says about itself (Ultralytics exports and our own converter). */
export interface ModelHints {
  /** Class names by class id. */
  names?: string[];
  /** Input height and width. */
  imgsz?: [number, number];
  /** `detect`, `segment`, `pose`, `obb`, `classify`. */
  task?: string;
  stride?: number;
  /** The exporter wrote something we recognise as Ultralytics. */
  ultralytics: boolean;
}

/**
 * Interprets metadata values: Ultralytics writes each with Python's `str()`, so
 * `names` is a dict literal `{0: 'person', 1: 'bicycle', …}`, `imgsz` a list
 * `[640, 640]`, `stride` an int. JSON forms (other exporters) work too. A value
 * that does not parse is ignored rather than fatal: the descriptor can still say.
 */
export function interpretMetadata(props: Record<string, string>): ModelHints {
  const hints: ModelHints = {
    ultralytics: /ultralytics/i.test(`${props.author ?? ''} ${props.description ?? ''}`),
  };
  const names = props.names === undefined ? undefined : namesFrom(tryParse(props.names));
  if (names) hints.names = names;
  const imgsz = props.imgsz === undefined ? undefined : tryParse(props.imgsz);
  if (Array.isArray(imgsz) && imgsz.length === 2 && imgsz.every(isPositiveInt)) {
    hints.imgsz = [imgsz[0] as number, imgsz[1] as number];
  } else if (isPositiveInt(imgsz)) {
    hints.imgsz = [imgsz as number, imgsz as number];
  }
  if (props.task) hints.task = props.task.trim();
  const stride = props.stride === undefined ? undefined : tryParse(props.stride);
  if (isPositiveInt(stride)) hints.stride = stride as number;
  return hints;
}

function tryParse(text: string): PyValue | undefined {
  try {
    return parsePyLiteral(text);
  } catch {
    try {
      return JSON.parse(text) as PyValue;
    } catch {
      return undefined;
    }
  }
}

/** A `{id: name}` dict (ids may be sparse) or a list of names, as a dense array. */
function namesFrom(v: PyValue | undefined): string[] | undefined {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  const entries: [number, string][] = [];
  if (v instanceof Map) {
    for (const [k, name] of v) {
      const id = typeof k === 'string' ? Number(k) : k;
      if (!isNonNegativeInt(id) || typeof name !== 'string') return undefined;
      entries.push([id as number, name]);
    }
  } else if (v && typeof v === 'object') {
    // A JSON object {"0": "person"}.
    for (const [k, name] of Object.entries(v as Record<string, unknown>)) {
      if (!isNonNegativeInt(Number(k)) || typeof name !== 'string') return undefined;
      entries.push([Number(k), name]);
    }
  } else {
    return undefined;
  }
  if (entries.length === 0) return undefined;
  const out: string[] = [];
  for (const [id, name] of entries) out[id] = name;
  for (let i = 0; i < out.length; i++) out[i] ??= String(i);
  return out;
}

function isPositiveInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
function isNonNegativeInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
