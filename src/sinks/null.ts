import { defineSink } from '../core/component.ts';

/** Discards frames; measures what the pipeline costs without any output (benchmarks). */
export const nullSink = defineSink({
  type: 'null',
  doc: 'Discards every frame (for benchmarks and dry runs)',
  lossless: true,
  options: {},
  create() {
    return { write() {}, close: async () => {} };
  },
});
