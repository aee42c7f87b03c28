import type { Frame } from '../core/frame.ts';
import { Preprocessor, type PreprocessSpec, type TensorData } from './preprocess.ts';

/**
 * A model's input tensors, two for each of its sessions, so that the next
 * frame is preprocessed while one is inferred on every session (see
 * `pipelinedInference`). The tensors live in shared memory, which the inference
 * worker reads during the run instead of a copy, so a slot is refilled only once
 * the run reading it has settled: at most `count` frames may be between `fill`
 * and their `read` settling.
 */
export class InputSlots {
  readonly #slots: (Preprocessor | undefined)[];
  #next = 0;
  /** Slots whose tensor a run may still be reading. */
  readonly #reading = new Set<Preprocessor>();

  /**
   * `owner` names the model's user in the error an extra fill gets
   * (`detector`); `count` is how many jobs it has in flight at most.
   */
  constructor(
    readonly spec: PreprocessSpec,
    readonly owner: string,
    readonly count = 2,
  ) {
    this.#slots = new Array<Preprocessor | undefined>(count).fill(undefined);
  }

  /** Preprocesses `frame` into the next slot (rebuilt when the stream's format changed). */
  fill(frame: Frame): { pre: Preprocessor; data: TensorData } {
    const slot = this.#next;
    let pre = this.#slots[slot];
    if (pre && this.#reading.has(pre) && pre.accepts(frame)) {
      throw new Error(
        `${this.owner}: input slot ${slot} of ${this.count} is still being inferred; wait for an infer() to settle before preparing another frame`,
      );
    }
    this.#next = (slot + 1) % this.count;
    if (!pre?.accepts(frame)) {
      pre = new Preprocessor(this.spec, frame, { shared: true });
      this.#slots[slot] = pre;
    }
    return { pre, data: pre.run(frame.data) };
  }

  /** Runs inference on `pre`'s tensor, the slot marked as being read until it settles. */
  read<T>(pre: Preprocessor, run: () => Promise<T>): Promise<T> {
    this.#reading.add(pre);
    try {
      return run().finally(() => this.#reading.delete(pre));
    } catch (err) {
      this.#reading.delete(pre);
      throw err;
    }
  }
}
