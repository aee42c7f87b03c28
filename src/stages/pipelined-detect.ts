import { Observable, type OperatorFunction } from 'rxjs';
import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Detections } from '../core/detections.ts';
import type { Frame } from '../core/frame.ts';
import type { OutputTensor } from '../models/decoders/types.ts';
import type { DetectJob } from '../models/detector.ts';

/** The three steps of a detector that the pipeline overlaps. */
export interface PipelinedDetector {
  prepare(frame: Frame): DetectJob;
  infer(job: DetectJob): Promise<OutputTensor[]>;
  finish(job: DetectJob, outputs: OutputTensor[]): Detections;
}

/**
 * Runs detection one inference at a time, in frame order, but overlapped:
 * while frame N is being inferred (on the session's worker thread), frame N+1
 * is preprocessed, and frame N−1's outputs are decoded after N+1's inference has
 * started. The detector keeps two input slots, which is exactly what one job
 * inferring plus one prepared need.
 */
export function pipelinedDetect(
  detector: PipelinedDetector,
  wrapError: (err: unknown) => Error,
  cpu?: CpuAccount,
): OperatorFunction<Frame, Frame> {
  return (source) =>
    new Observable<Frame>((out) => {
      const waiting: Frame[] = [];
      let prepared: DetectJob | undefined;
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
          if (!prepared && waiting.length > 0) prepared = detector.prepare(waiting.shift()!);
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
                job.frame.meta.detections = detector.finish(job, outputs);
              } catch (err) {
                fail(err);
                return;
              }
              unfinished--;
              out.next(job.frame);
              pump();
            };
            detector.infer(job).then(cpu ? cpu.bind(inferred) : inferred, fail);
            // Prepare the next frame while this one is inferred.
            if (!prepared && waiting.length > 0) prepared = detector.prepare(waiting.shift()!);
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
