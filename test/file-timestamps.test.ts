// Timestamps come from the stream, never from a frame count and a rate: what a
// jsonl sink writes as `pts` equals the times the files were made with, and
// ffmpeg's own decode (showinfo), on both decoder paths.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from './helpers/media.ts';
import {
  constantRate,
  runFileToJsonl,
  showinfoPts,
  type TimedFile,
  variableRate,
} from './helpers/timed-media.ts';

const { dir, cleanup } = tempDir('fw-timestamps-');
test.after(cleanup);

const files: Record<string, TimedFile> = {};
test.before(() => {
  // Irregular gaps (140/60/100 ms) with B-frames: count × fps would be wrong from frame 1 on.
  files.vfr = variableRate(dir, 'vfr.mp4', 40);
  // 29.97 fps: 1001/30000 s apart, not a whole number of microseconds.
  files.ntsc = constantRate(dir, 'ntsc.mp4', '30000/1001', 60);
});

test('the generated files are what the tests assume (ffmpeg decodes the same times)', () => {
  for (const f of Object.values(files)) assert.equal(showinfoPts(f.path), f.pts, f.path);
});

// Each case: a file and a decoder path; every one must deliver the file's own times.
const cases = [
  { file: 'vfr', decoder: 'webcodecs' },
  { file: 'vfr', decoder: 'ffmpeg' },
  { file: 'ntsc', decoder: 'webcodecs' },
  { file: 'ntsc', decoder: 'ffmpeg' },
];

for (const c of cases) {
  test(`${c.file}, decoder ${c.decoder}: file → jsonl pts are the stream's`, async () => {
    const f = files[c.file]!;
    const run = await runFileToJsonl(dir, { path: f.path, decoder: c.decoder });
    assert.equal(run.pts, f.pts);
    assert.equal(
      run.seq,
      f.pts.map((_, i) => i),
    );
  });
}

test('the ffmpeg path does not duplicate frames to a nominal rate (VFR stays 40 frames)', async () => {
  // ffmpeg's rawvideo output defaults to constant rate: without passthrough it
  // would fill the 60 ms gaps with copies at the stream's 50 fps guess.
  const run = await runFileToJsonl(dir, { path: files.vfr!.path, decoder: 'ffmpeg' });
  assert.is(run.pts.length, 40);
});

test.run();
