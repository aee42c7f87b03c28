/**
 * Inference outputs handed from the worker to the main thread through rings of
 * shared memory instead of a fresh transferred buffer per run. A detector's
 * outputs are megabytes a frame (5.4 MB for the default CenterNet); every fresh
 * buffer counted as new external memory on the main thread and set off a full
 * garbage collection every few frames there (34 in 150 frames, with their
 * concurrent marking on other cores). Now the worker copies each output into
 * the next slot of that output's ring, and the main thread reads it through a
 * view made once per slot.
 *
 * An output gets a ring once it comes out the same size twice (a model whose
 * output size changes from frame to frame keeps plain transfers), and the ring
 * is sent over once. A slot is written again `RING_SLOTS` runs later: outputs
 * are valid until then (InferenceBackend.run's contract).
 */
import type { OutputTensor } from './decoders/types.ts';

/** Runs a set of outputs stays readable: the pipelined detector needs 2. */
export const RING_SLOTS = 4;

type OutputData = OutputTensor['data'];
type OutputKind = 'float32' | 'int32' | 'int64' | 'uint8';

/** One output as it travels: inline (transferred) or as a slot of a ring. */
export type WireOutput =
  | { readonly name: string; readonly dims: readonly number[]; readonly data: OutputData }
  | {
      readonly name: string;
      readonly dims: readonly number[];
      readonly ring: number;
      readonly slot: number;
    };

/** A ring, sent once with the first result that uses it. */
export interface RingGrant {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  readonly kind: OutputKind;
  /** Elements per slot. */
  readonly length: number;
}

function kindOf(data: OutputData): OutputKind {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'uint8';
}

function view(kind: OutputKind, buffer: SharedArrayBuffer, slot: number, length: number) {
  switch (kind) {
    case 'float32':
      return new Float32Array(buffer, slot * length * 4, length);
    case 'int32':
      return new Int32Array(buffer, slot * length * 4, length);
    case 'int64':
      return new BigInt64Array(buffer, slot * length * 8, length);
    case 'uint8':
      return new Uint8Array(buffer, slot * length, length);
  }
}

interface Ring extends RingGrant {
  readonly views: OutputData[];
  next: number;
}

/** The worker's side: copies outputs into rings, or leaves them inline. */
export class OutputRingWriter {
  readonly #rings = new Map<string, Ring>();
  /** Each output's last size, so a ring starts only for a size seen twice. */
  readonly #lastSize = new Map<string, string>();
  #nextId = 0;

  /** The outputs as they travel, the rings they need sent, and what to transfer. */
  place(outputs: readonly OutputTensor[]): {
    wire: WireOutput[];
    grants: RingGrant[];
    transfer: ArrayBuffer[];
  } {
    const wire: WireOutput[] = [];
    const grants: RingGrant[] = [];
    const transfer = new Set<ArrayBuffer>();
    for (const o of outputs) {
      const kind = kindOf(o.data);
      const size = `${kind}:${o.data.length}`;
      let ring = this.#rings.get(o.name);
      if (ring && `${ring.kind}:${ring.length}` !== size) {
        this.#rings.delete(o.name);
        ring = undefined;
      }
      if (!ring && this.#lastSize.get(o.name) === size) {
        ring = this.#open(kind, o.data.length);
        this.#rings.set(o.name, ring);
        grants.push(this.#grant(ring));
      }
      this.#lastSize.set(o.name, size);
      if (!ring) {
        wire.push(o);
        transfer.add(o.data.buffer as ArrayBuffer);
        continue;
      }
      const slot = ring.next;
      ring.next = (slot + 1) % RING_SLOTS;
      (ring.views[slot] as { set(a: ArrayLike<number | bigint>): void }).set(o.data);
      wire.push({ name: o.name, dims: o.dims, ring: ring.id, slot });
    }
    return { wire, grants, transfer: [...transfer] };
  }

  #open(kind: OutputKind, length: number): Ring {
    const bytes = kind === 'int64' ? 8 : kind === 'uint8' ? 1 : 4;
    const buffer = new SharedArrayBuffer(RING_SLOTS * length * bytes);
    const views = Array.from({ length: RING_SLOTS }, (_, slot) => view(kind, buffer, slot, length));
    return { id: this.#nextId++, kind, length, buffer, views, next: 0 };
  }

  #grant(ring: Ring): RingGrant {
    const { id, kind, length, buffer } = ring;
    return { id, kind, length, buffer };
  }
}

/** The main thread's side: turns travelling outputs back into tensors. */
export class OutputRingReader {
  readonly #rings = new Map<number, OutputData[]>();

  accept(grants: readonly RingGrant[] = []): void {
    for (const g of grants) {
      this.#rings.set(
        g.id,
        Array.from({ length: RING_SLOTS }, (_, slot) => view(g.kind, g.buffer, slot, g.length)),
      );
    }
  }

  read(wire: readonly WireOutput[]): OutputTensor[] {
    return wire.map((w) => {
      if ('data' in w) return { name: w.name, dims: w.dims, data: w.data };
      const views = this.#rings.get(w.ring);
      if (!views)
        throw new Error(`inference worker: output ${w.name} names ring ${w.ring}, never sent`);
      return { name: w.name, dims: w.dims, data: views[w.slot]! };
    });
  }
}
