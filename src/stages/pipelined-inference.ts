import { Observable, type OperatorFunction } from 'rxjs';
import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Frame } from '../core/frame.ts';
import type { OutputTensor } from '../models/decoders/types.ts';

/** The three steps of a model (a detector, a segmenter) that the pipeline overlaps. */
export interface PipelinedModel<J extends { readonly frame: Frame }> {
  prepare(frame: Frame): J;
  infer(job: J): Promise<OutputTensor[]>;
  /** Decodes the outputs into the job's frame (its `meta`). */
  finish(job: J, outputs: OutputTensor[]): void;
}

/**
 * Runs a model one inference at a time, in frame order, but overlapped: while
 * frame N is being inferred (on the session's worker thread), frame N+1 is
 * preprocessed, and frame N−1's outputs are decoded after N+1's inference has
 * started. The model keeps two input slots (InputSlots), which is exactly what
 * one job inferring plus one prepared need.
 */
export function pipelinedInference<J extends { readonly frame: Frame }>(
  model: PipelinedModel<J>,
  wrapError: (err: unknown) => Error,
  cpu?: CpuAccount,
): OperatorFunction<Frame, Frame> {
  return (source) =>
    new Observable<Frame>((out) => {
      const waiting: Frame[] = [];
      let prepared: J | undefined;
      let inferring = false;
      /** Jobs handed to `infer` and not yet emitted; completion waits for them. */
      let unfinished = 0;
      let upstreamDone = false;
      let stopped = false;

      const fail = (err: unknown) => {
        if (stopped) return;
        stopped = true;
        out.error(wrapError(err));
      };

      const pump = (): void => {
        if (stopped) return;
        try {
          if (!prepared && waiting.length > 0) prepared = model.prepare(waiting.shift()!);
          if (!inferring && prepared) {
            const job = prepared;
            prepared = undefined;
            inferring = true;
            unfinished++;
            // The continuation decodes and prepares on the main thread: charged to this stage.
            const inferred = (outputs: OutputTensor[]) => {
              inferring = false;
              // Keep the session busy first, then decode this frame's outputs.
              pump();
              if (stopped) return;
              try {
                model.finish(job, outputs);
              } catch (err) {
                fail(err);
                return;
              }
              unfinished--;
              out.next(job.frame);
              pump();
            };
            model.infer(job).then(cpu ? cpu.bind(inferred) : inferred, fail);
            // Prepare the next frame while this one is inferred.
            if (!prepared && waiting.length > 0) prepared = model.prepare(waiting.shift()!);
            return;
          }
          if (upstreamDone && unfinished === 0 && !prepared && waiting.length === 0) {
            stopped = true;
            out.complete();
          }
        } catch (err) {
          fail(err);
        }
      };

      const subscription = source.subscribe({
        next: (frame) => {
          waiting.push(frame);
          pump();
        },
        error: (err: unknown) => fail(err),
        complete: () => {
          upstreamDone = true;
          pump();
        },
      });
      return () => {
        stopped = true;
        subscription.unsubscribe();
      };
    });
}
