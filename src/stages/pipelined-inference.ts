import { Observable, type OperatorFunction } from 'rxjs';
import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Frame } from '../core/frame.ts';
import type { OutputTensor } from '../models/decoders/types.ts';

/** The three steps of a model (a detector, a segmenter) that the pipeline overlaps. */
export interface PipelinedModel<J extends { readonly frame: Frame }> {
  /** Jobs it takes between `prepare` and their `infer` settling (its input slots); default 2. */
  readonly depth?: number;
  prepare(frame: Frame): J;
  infer(job: J): Promise<OutputTensor[]>;
  /** Decodes the outputs into the job's frame (its `meta`). */
  finish(job: J, outputs: OutputTensor[]): void;
}

/** Jobs handed to a single session at once: one running, one queued behind it (its two input slots). */
const DEPTH = 2;

/**
 * Runs a model in frame order, overlapped: while frame N is being inferred (on
 * the session's worker thread), frame N+1 is preprocessed and handed to the
 * session at once, so the worker starts it the moment N ends instead of
 * waiting for the main thread to notice; N's outputs are decoded after that.
 * A session runs one inference at a time; the model keeps two input slots per
 * session (InputSlots), exactly what one job running and one queued need on
 * each (`depth`: with two sessions, four jobs are handed over), and a slot is
 * refilled only once its run has settled.
 */
export function pipelinedInference<J extends { readonly frame: Frame }>(
  model: PipelinedModel<J>,
  wrapError: (err: unknown) => Error,
  cpu?: CpuAccount,
): OperatorFunction<Frame, Frame> {
  return (source) =>
    new Observable<Frame>((out) => {
      const depth = model.depth ?? DEPTH;
      const waiting: Frame[] = [];
      /** Jobs handed to `infer`, in frame order, with their outputs once back. */
      const inflight: { job: J; outputs?: OutputTensor[] }[] = [];
      /** Jobs prepared and not yet emitted (also the one being decoded): completion waits for them. */
      let unfinished = 0;
      let upstreamDone = false;
      let stopped = false;

      const fail = (err: unknown) => {
        if (stopped) return;
        stopped = true;
        out.error(wrapError(err));
      };

      /** Hands frames to the session while it has room, and completes when all is done. */
      const feed = (): void => {
        if (stopped) return;
        try {
          while (inflight.length < depth && waiting.length > 0) {
            const entry: { job: J; outputs?: OutputTensor[] } = {
              job: model.prepare(waiting.shift()!),
            };
            inflight.push(entry);
            unfinished++;
            // The continuation decodes and prepares on the main thread: charged to this stage.
            const inferred = (outputs: OutputTensor[]) => {
              entry.outputs = outputs;
              emitReady();
            };
            model.infer(entry.job).then(cpu ? cpu.bind(inferred) : inferred, fail);
          }
          if (upstreamDone && unfinished === 0 && waiting.length === 0) {
            stopped = true;
            out.complete();
          }
        } catch (err) {
          fail(err);
        }
      };

      /** Decodes and emits, in order, every job whose outputs are back. */
      const emitReady = (): void => {
        for (let next = inflight[0]; !stopped && next?.outputs; next = inflight[0]) {
          inflight.shift();
          const { job, outputs } = next;
          // Its slot is free: keep the session fed first, then decode.
          feed();
          if (stopped) return;
          try {
            model.finish(job, outputs);
          } catch (err) {
            fail(err);
            return;
          }
          unfinished--;
          out.next(job.frame);
        }
        feed();
      };

      const subscription = source.subscribe({
        next: (frame) => {
          waiting.push(frame);
          feed();
        },
        error: (err: unknown) => fail(err),
        complete: () => {
          upstreamDone = true;
          feed();
        },
      });
      return () => {
        stopped = true;
        subscription.unsubscribe();
      };
    });
}
