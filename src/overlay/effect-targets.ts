import type { Frame } from '../core/frame.ts';
import { EffectRegion } from './effect-region.ts';

/**
 * Turns class labels (`person`) into the pixels to change on each frame: the
 * semantic map's pixels of those classes and the instance masks of detections
 * with those labels (or their boxes, with `boxes`), or everything else with
 * `background`. Label lookups are redone only when a model's label list changes.
 */
export class EffectTargets {
  readonly region = new EffectRegion();
  readonly #wanted: ReadonlySet<string>;
  #mapLabels: readonly string[] | undefined;
  readonly #mapChosen = new Uint8Array(256);
  #detNames: readonly string[] | undefined;
  #detChosen = new Set<number>();

  constructor(
    classes: readonly string[],
    readonly background: boolean,
    readonly boxes: boolean,
  ) {
    this.#wanted = new Set(classes);
  }

  /**
   * Selects this frame's pixels; false when the frame carries nothing to select
   * by (no semantic map, no masks, and no boxes when they count).
   */
  select(frame: Frame): boolean {
    const map = frame.meta.segmentation;
    const d = frame.meta.detections;
    const usable = d && (this.boxes ? d.length > 0 : d.masks !== undefined) ? d : undefined;
    if (!map && !usable) return false;
    this.#checkLabels(map?.labels, usable?.names);
    const region = this.region;
    region.reset(frame.width, frame.height);
    const tf = frame.meta.transform;
    if (map) region.addClasses(map, this.#mapChosen, tf);
    if (usable) {
      for (let i = 0; i < usable.length; i++) {
        if (this.#detChosen.has(usable.classIds[i]!))
          region.addDetection(usable, i, tf, this.boxes);
      }
    }
    if (this.background) region.invert();
    return true;
  }

  /** Chooses class ids by label; a label neither model knows is a config error. */
  #checkLabels(mapLabels: readonly string[] | undefined, names: readonly string[] | undefined) {
    if (mapLabels === this.#mapLabels && names === this.#detNames) return;
    if (mapLabels !== this.#mapLabels) {
      this.#mapLabels = mapLabels;
      this.#mapChosen.fill(0);
      mapLabels?.forEach((label, id) => {
        if (this.#wanted.has(label) && id < 256) this.#mapChosen[id] = 1;
      });
    }
    if (names !== this.#detNames) {
      this.#detNames = names;
      this.#detChosen = new Set();
      names?.forEach((label, id) => {
        if (this.#wanted.has(label)) this.#detChosen.add(id);
      });
    }
    const known = [...(mapLabels ?? []), ...(names ?? [])];
    // A detector without label names cannot be checked; its ids print as numbers.
    if (known.length === 0) return;
    const unknown = [...this.#wanted].filter((label) => !known.includes(label));
    if (unknown.length > 0) throw new UnknownClassError(unknown, [...new Set(known)]);
  }
}

/** Thrown (by `select`) for labels that no model in the pipeline has. */
export class UnknownClassError extends Error {
  constructor(
    readonly unknown: readonly string[],
    readonly known: readonly string[],
  ) {
    super(`unknown class ${unknown.map((l) => `'${l}'`).join(', ')}`);
  }
}
