import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { t } from '../core/schema.ts';
import { defineSink } from '../core/component.ts';
import type { HealthReport } from '../core/health.ts';
import { frameRecord } from './frame-record.ts';
import { healthRecord } from './health-record.ts';
import { OutputFile } from './output-file.ts';

/**
 * One JSON object per frame, in frame order (DESIGN.md's output contract), and
 * one `"type":"health"` record per health report of a live source as it
 * happens (after each component's state at the time the sink opened). Each
 * line goes to the file whole, so a killed process leaves whole lines; a write
 * that fails (a full disk, a deleted directory) fails the run, see OutputFile.
 */
export const jsonlSink = defineSink({
  type: 'jsonl',
  doc: 'JSON lines: one object per frame with its detections',
  lossless: true,
  options: {
    path: t.string({ doc: 'Output file; its directory is created', minLength: 1 }),
    append: t.boolean({
      doc: 'Append to an existing file instead of replacing it',
      default: false,
    }),
    segmentationRle: t.boolean({
      doc: 'After a segment stage: each class in "segmentation" also carries its pixels as COCO RLE ("mask")',
      default: false,
    }),
  },
  async create(config, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    mkdirSync(dirname(path), { recursive: true });
    const file = await OutputFile.open(path, {
      component: ctx.name,
      displayPath: config.path,
      append: config.append,
      clock: ctx.clock,
    });
    let unsubscribe = () => {};
    const line = (record: object) => `${JSON.stringify(record)}\n`;
    return {
      open(host) {
        const onHealth = (report: HealthReport) => {
          try {
            // Health is rare and small: no backpressure to respect here. A failed
            // write is remembered by the file and fails the next frame's write.
            void file.write(line(healthRecord(report)))?.catch(() => {});
          } catch {
            // Same: the failure resurfaces on the next write or on close.
          }
        };
        for (const report of host.metrics.health()) onHealth(report);
        unsubscribe = host.metrics.onHealth(onHealth);
      },
      write: (frame) =>
        file.write(line(frameRecord(frame, { segmentationRle: config.segmentationRle }))),
      close: () => {
        unsubscribe();
        return file.close();
      },
    };
  },
});
