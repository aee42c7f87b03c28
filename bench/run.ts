// `npm run bench`: side-by-side measurements, printed and written to BENCHMARKS.md.
// Never part of `npm test`: speed is measured here, not asserted in tests.
import { join } from 'node:path';
import { tempDir } from '../test/helpers/media.ts';
import { decodeBench } from './decode.ts';
import { formatRows, writeReport } from './report.ts';

const only = process.argv.slice(2);
const { dir, cleanup } = tempDir('framewire-bench-');
try {
  const sections = [];
  if (only.length === 0 || only.includes('decode')) {
    const rows = await decodeBench(dir);
    console.log(formatRows(rows));
    sections.push({
      title: 'Decode throughput',
      note: 'Frames delivered into the pipeline per second by `file → null`, against the same bundled ffmpeg decoding the same file to the same raw pixel format into /dev/null. Target ≥ 0.8 for yuv420p.',
      rows,
    });
  }
  writeReport(join(process.cwd(), 'BENCHMARKS.md'), sections);
  console.log('\nwritten to BENCHMARKS.md');
} finally {
  cleanup();
}
