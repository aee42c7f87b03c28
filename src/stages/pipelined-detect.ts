import type { OperatorFunction } from 'rxjs';
import type { CpuAccount } from '../core/cpu-ledger.ts';
import type { Detections } from '../core/detections.ts';
import type { Frame } from '../core/frame.ts';
import type { OutputTensor } from '../models/decoders/types.ts';
import type { DetectJob } from '../models/detector.ts';
import { pipelinedInference } from './pipelined-inference.ts';

/** The three steps of a detector that the pipeline overlaps. */
export interface PipelinedDetector {
  readonly depth?: number;
  prepare(frame: Frame): DetectJob;
  infer(job: DetectJob): Promise<OutputTensor[]>;
  finish(job: DetectJob, outputs: OutputTensor[]): Detections;
}

/** Detection overlapped with preprocessing and decoding (`pipelinedInference`), into `meta.detections`. */
export function pipelinedDetect(
  detector: PipelinedDetector,
  wrapError: (err: unknown) => Error,
  cpu?: CpuAccount,
): OperatorFunction<Frame, Frame> {
  return pipelinedInference(
    {
      ...(detector.depth !== undefined ? { depth: detector.depth } : {}),
      prepare: (frame) => detector.prepare(frame),
      infer: (job) => detector.infer(job),
      finish: (job, outputs) => {
        job.frame.meta.detections = detector.finish(job, outputs);
      },
    },
    wrapError,
    cpu,
  );
}
