// Recoverable events as a user sees them: `framewire run` on a file with two
// pictures made undecodable (generated here, named for its defect) completes,
// and the summary table and `--json-stats` show FRAME_CORRUPT by code on the
// source's meter, with every other frame delivered.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, tempDir } from './helpers/media.ts';

const { dir, cleanup } = tempDir('framewire-events-');
test.after(cleanup);

/** The NAL units of an Annex B stream, without start codes or trailing zero bytes. */
function nalUnits(annexB: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = annexB.indexOf(Buffer.from([0, 0, 1])); i >= 0; ) {
    starts.push(i + 3);
    i = annexB.indexOf(Buffer.from([0, 0, 1]), i + 3);
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : annexB.length;
    while (end > s && annexB[end - 1] === 0) end--;
    return annexB.subarray(s, end);
  });
}

/**
 * 50 frames of testsrc2, then the slices of pictures 21 and 22 (decode order)
 * overwritten in place by a slice header that cannot parse: the container stays
 * valid, and exactly those two pictures cannot be decoded.
 */
function twoUndecodablePictures(path: string): void {
  const clean = join(dir, 'clean.mp4');
  execFileSync(ffmpeg.path, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25'],
    ...['-frames:v', '50', '-pix_fmt', 'yuv420p', '-g', '10', '-sc_threshold', '0'],
    ...['-c:v', 'libx264', '-movflags', '+faststart', clean],
  ]);
  const annexB = execFileSync(
    ffmpeg.path,
    ['-v', 'error', '-i', clean, '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', '-'],
    { maxBuffer: 1 << 26 },
  );
  const slices = nalUnits(annexB).filter((n) => [1, 5].includes(n[0]! & 0x1f));
  assert.is(slices.length, 50, 'one slice per picture');
  const mp4 = readFileSync(clean);
  for (const k of [21, 22]) {
    const slice = slices[k]!;
    const at = mp4.indexOf(slice);
    assert.ok(at > 0 && mp4.indexOf(slice, at + 1) < 0, `slice ${k} found once in the MP4`);
    mp4[at] = 0x41; // a non-IDR slice NAL header, then an impossible first_mb_in_slice
    mp4.fill(0xff, at + 1, at + slice.length);
  }
  writeFileSync(path, mp4);
}

test('run on a file with two undecodable pictures: exit 0, FRAME_CORRUPT: 2 in the table and --json-stats', async () => {
  twoUndecodablePictures(join(dir, 'two-undecodable-pictures.mp4'));
  writeFileSync(
    join(dir, 'p.yaml'),
    'source: { type: file, path: two-undecodable-pictures.mp4 }\nsinks: [ { type: "null" } ]\n',
  );
  const r = await runCli(['run', 'p.yaml', '--json-stats', 'stats.json'], { cwd: dir });
  assert.is(r.code, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  assert.is(stats.reason, 'end');
  const meter = (name: string) => stats.meters.find((m: { name: string }) => m.name === name);
  const source = meter('source:file');
  // Decoding is a stage of its own: the lost pictures are its events, not the source's.
  const decode = meter('decode');
  const sink = meter('sink:null');
  assert.equal(source.events, {});
  assert.equal(decode.events, { FRAME_CORRUPT: 2 });
  assert.equal(sink.events, {});
  // All 50 packets leave the source; the other 48 pictures all arrive.
  assert.is(source.framesOut, 50);
  assert.is(decode.framesOut, 48);
  assert.is(sink.framesOut, 48);
  const row = r.stderr.split('\n').find((l) => l.startsWith('decode '));
  assert.ok(row?.endsWith('FRAME_CORRUPT=2'), `summary row: ${row}`);
});

test.run();
