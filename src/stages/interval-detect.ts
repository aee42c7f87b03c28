import { Observable, type OperatorFunction, Subject, type Subscription } from 'rxjs';
import { Detections } from '../core/detections.ts';
import type { Frame } from '../core/frame.ts';

/** `detect`'s `interval`: the model on every Nth frame, or as often as it keeps up (`auto`). */
export type DetectInterval = number | 'auto';

interface Entry {
  readonly frame: Frame;
  /** carried: waits for the inferred frame before it; inferring: in the model; inferred: ready. */
  state: 'carried' | 'inferring' | 'inferred';
}

/**
 * Runs `infer` (the detector's operator, which keeps order) on some frames only;
 * every other frame gets the detections of the last inferred frame before it,
 * marked predicted, and `meta.inferred = false` (a `track` stage then predicts
 * its tracks instead). Frames leave in the order they came: a carried frame
 * waits for the inferred frame before it, never overtakes it.
 *
 * - A number N: the model runs on the 0th, Nth, 2Nth… frame the stage sees,
 *   counted afresh from a discontinuity (which is always inferred: nothing is
 *   carried across a gap in the stream).
 * - `auto`: a frame is inferred when it arrives while the model has room
 *   (fewer than `capacity` frames in it: one, or one a session with several
 *   `instances`); the frames arriving while it is full pass through with
 *   carried detections, released right after the inferred frame before them.
 *   When the model finishes and frames are waiting, the newest of them is
 *   inferred at once (the ones before it leave carrying the finished frame's
 *   detections), so the model never idles while there is a frame to run on. A
 *   frame waits at most one inference plus one frame interval: the latency the
 *   stage adds.
 */
export function intervalDetect(
  infer: OperatorFunction<Frame, Frame>,
  interval: DetectInterval,
  capacity = 1,
): OperatorFunction<Frame, Frame> {
  return (source) =>
    new Observable<Frame>((out) => {
      const order: Entry[] = [];
      /** Entries handed to `infer`, in order: its outputs come back in this order. */
      const inferring: Entry[] = [];
      const toModel = new Subject<Frame>();
      let carry: Detections | undefined;
      /** Frames since the last discontinuity (fixed intervals). */
      let position = 0;
      let upstreamDone = false;
      let stopped = false;

      const send = (entry: Entry) => {
        entry.state = 'inferring';
        inferring.push(entry);
        toModel.next(entry.frame);
      };

      const wantsModel = (frame: Frame): boolean => {
        if (frame.meta.discontinuity) position = 0;
        const at = position++;
        if (frame.meta.discontinuity) return true;
        return interval === 'auto' ? inferring.length < capacity : at % interval === 0;
      };

      const flush = () => {
        while (!stopped && order.length > 0) {
          const head = order[0]!;
          if (head.state === 'inferring') break;
          order.shift();
          if (head.state === 'inferred') carry = head.frame.meta.detections;
          else {
            // Unreachable in practice (a carried frame always has an inferred one before it).
            carry ??= Detections.empty();
            head.frame.meta.detections = carry.asPredicted();
            head.frame.meta.inferred = false;
          }
          out.next(head.frame);
        }
        if (!stopped && upstreamDone && order.length === 0) {
          stopped = true;
          toModel.complete();
          out.complete();
        }
      };

      const fail = (err: unknown) => {
        if (stopped) return;
        stopped = true;
        out.error(err);
      };

      const model: Subscription = toModel.pipe(infer).subscribe({
        next: (frame) => {
          const entry = inferring.shift();
          if (entry?.frame !== frame) {
            fail(new Error(`detect: inference returned frame ${frame.seq} out of order`));
            return;
          }
          entry.state = 'inferred';
          if (interval === 'auto' && inferring.length < capacity && !upstreamDone) {
            const newest = order.at(-1);
            if (newest && newest.state === 'carried') send(newest);
          }
          flush();
        },
        error: fail,
      });

      const input = source.subscribe({
        next: (frame) => {
          const entry: Entry = { frame, state: 'carried' };
          order.push(entry);
          if (wantsModel(frame)) send(entry);
          else flush();
        },
        error: fail,
        complete: () => {
          upstreamDone = true;
          flush();
        },
      });
      return () => {
        stopped = true;
        input.unsubscribe();
        model.unsubscribe();
      };
    });
}
