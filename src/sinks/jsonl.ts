import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { t } from '../config/schema.ts';
import { defineSink } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { frameRecord } from './frame-record.ts';

/**
 * One JSON object per frame, in frame order (DESIGN.md's output contract). Each
 * line goes to the file in one write, so a killed process leaves whole lines.
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
  create(config, ctx) {
    const path = resolve(ctx.baseDir, config.path);
    mkdirSync(dirname(path), { recursive: true });
    const stream: WriteStream = createWriteStream(path, { flags: config.append ? 'a' : 'w' });
    let failure: Error | undefined;
    stream.on('error', (err) => {
      failure = new FramewireError('SINK_WRITE', `cannot write "${config.path}": ${err.message}`, {
        component: ctx.name,
      });
    });
    return {
      write(frame) {
        if (failure) throw failure;
        const line = `${JSON.stringify(frameRecord(frame))}\n`;
        // Respect the stream's buffer: wait for drain instead of growing memory.
        if (!stream.write(line)) {
          return new Promise<void>((done) => stream.once('drain', done));
        }
      },
      close() {
        return new Promise<void>((done, fail) => {
          if (stream.closed) return done();
          stream.end(() => (failure ? fail(failure) : done()));
        });
      },
    };
  },
});
