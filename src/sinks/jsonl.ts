import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { t } from '../core/schema.ts';
import { defineSink } from '../core/component.ts';
import { frameRecord } from './frame-record.ts';
import { OutputFile } from './output-file.ts';

/**
 * One JSON object per frame, in frame order (DESIGN.md's output contract). Each
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
    return {
      write: (frame) => file.write(`${JSON.stringify(frameRecord(frame))}\n`),
      close: () => file.close(),
    };
  },
});
