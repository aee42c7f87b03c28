import type { ComponentContext, StageInstance } from '../core/component.ts';
import { t } from '../core/schema.ts';
import { type DetectInterval, intervalDetect } from './interval-detect.ts';

/** `detect`'s `interval` option (DeepStream's nvinfer `interval` is this minus one). */
export const detectInterval = t.union(
  [
    t.integer({ doc: 'Run the model on every Nth frame', min: 1, max: 1000 }),
    t.enum(['auto'], { doc: 'Live sources: run it whenever it is free' }),
  ],
  {
    doc: 'Run the model on every Nth frame, carrying its detections (marked predicted) to the frames between; auto (live sources): as often as it keeps up with the camera',
    default: 1,
  },
);

/**
 * The detect stage with its interval applied. `auto` on a source that is not
 * live means every frame: a file is read as fast as the pipeline goes, so
 * "keeping up" would skip inference at random and make results depend on the
 * machine's load. Said once, so a pipeline written for a camera and pointed at
 * a file is not silently different. `capacity`: the frames the model runs at
 * once (its instances).
 */
export function withInterval(
  interval: DetectInterval,
  ctx: Pick<ComponentContext, 'name' | 'log' | 'stream'>,
  stage: StageInstance,
  capacity = 1,
): StageInstance {
  let effective = interval;
  if (interval === 'auto' && ctx.stream?.live !== true) {
    ctx.log.info(
      `${ctx.name}: interval: auto runs the model on every frame of a source that is not live (files never drop frames); set a number to skip frames`,
    );
    effective = 1;
  }
  if (effective === 1) return stage;
  return { ...stage, operator: intervalDetect(stage.operator, effective, capacity) };
}
