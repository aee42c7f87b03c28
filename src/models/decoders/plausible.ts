import { FramewireError } from '../../core/errors.ts';
import type { RawDetections } from './types.ts';

/** Float32 round-off above 1 that a sigmoid or softmax can show. */
const SCORE_SLACK = 1e-3;

/**
 * Refuses detections that no correct decoding can produce: a score outside
 * [0, 1] after the decoder's activation, or a class id beyond the labels.
 * Both mean the outputs were read as the wrong family (a segmentation export's
 * mask coefficients taken for class scores, a forced `decoder:` that does not
 * fit), and passing them on would show garbage boxes as if they were real.
 */
export function assertPlausible(
  raw: RawDetections,
  decoder: string,
  labels: { readonly count: number; readonly from: string },
): void {
  // The score farthest outside [0, 1] (NaN counts), and the largest bad class id.
  let badScore: number | undefined;
  let badClass: number | undefined;
  for (let i = 0; i < raw.scores.length; i++) {
    const s = raw.scores[i]!;
    const inRange = s >= -SCORE_SLACK && s <= 1 + SCORE_SLACK;
    if (!inRange && (badScore === undefined || !(distance(s) <= distance(badScore)))) badScore = s;
    const c = raw.classIds[i]!;
    if ((c < 0 || c >= labels.count) && (badClass === undefined || c > badClass)) badClass = c;
  }
  if (badScore !== undefined) {
    throw new FramewireError(
      'MODEL_INVALID',
      `the ${decoder} decoder produced a score of ${round(badScore)}, outside 0–1 after its activation: the model's outputs are not in the ${decoder} format`,
      {
        hint: 'likely another family or task (a segmentation export, whose mask coefficients look like class scores, or logits where probabilities were expected); remove a forced `decoder:` to let framewire recognise the outputs, or set the right one in the descriptor',
      },
    );
  }
  if (badClass !== undefined) {
    const id = badClass;
    throw new FramewireError(
      'MODEL_INVALID',
      `the ${decoder} decoder produced class id ${id}, beyond the ${labels.count} labels (${labels.from})`,
      {
        hint: "either the labels are too few for the model (give `labels:` in the descriptor) or the outputs were misread (a segmentation export's mask coefficients counted as classes, or the wrong `decoder:`)",
      },
    );
  }
}

/** How far a score lies from the middle of [0, 1]: the larger, the worse. */
function distance(s: number): number {
  return Math.abs(s - 0.5);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
