// A camera lost while running is reopened, under framewire run. This machine
// has no camera, so FRAMEWIRE_FFMPEG points at a stand-in written here: a
// script that runs the bundled ffmpeg with the camera source's own arguments,
// except that the v4l2 device input is replaced by a one-second test pattern
// (10 frames, then the "camera" is gone), and whose second start fails the way
// a busy device does. Everything else (the camera source, ReconnectingSource,
// the runner, the jsonl sink) is the real thing.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { jsonlLines } from './helpers/jsonl-lines.ts';
import { spawnCli, tempDir } from './helpers/media.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function standIn(dir: string): string {
  const script = join(dir, 'ffmpeg-camera');
  writeFileSync(
    script,
    `#!/bin/bash
# Counts its starts; the second one is a busy device.
n=$(( $(cat "${dir}/starts" 2>/dev/null || echo 0) + 1 )); echo $n > "${dir}/starts"
if [ $n -eq 2 ]; then
  echo "[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video0: Device or resource busy" >&2
  echo "/dev/video0: Device or resource busy" >&2
  exit 1
fi
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -f) if [ "$2" = v4l2 ]; then shift 2; continue; fi ;;
    -input_format|-video_size|-framerate) shift 2; continue ;;
    -i) if [ "\${2#/dev/}" != "$2" ]; then
          args+=(-re -f lavfi -i "testsrc2=size=160x120:rate=10:duration=1"); shift 2; continue
        fi ;;
  esac
  args+=("$1"); shift
done
exec "${ffmpegPath}" "\${args[@]}"
`,
  );
  chmodSync(script, 0o755);
  return script;
}

test('a camera that goes away mid-run (and is busy once) is reopened; Ctrl-C exits 0', async () => {
  const { dir, cleanup } = tempDir('framewire-camera-');
  const out = join(dir, 'out.jsonl');
  const pipeline = join(dir, 'camera.yaml');
  writeFileSync(
    pipeline,
    [
      'source:',
      '  type: camera',
      '  device: /dev/video0',
      '  inputFormat: mjpeg',
      '  width: 640',
      '  height: 480',
      '  backoff: { initial: 0.1, max: 0.2 }',
      'sinks:',
      `  - { type: jsonl, path: ${out} }`,
      '',
    ].join('\n'),
  );
  const proc = spawnCli(['run', pipeline], { env: { FRAMEWIRE_FFMPEG: standIn(dir) } });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', resolve));
  try {
    const connected = () => jsonlLines(out).filter((l) => l.state === 'connected').length;
    // Start 1 delivers, start 2 is busy, start 3 delivers, start 4 delivers.
    for (let waited = 0; connected() < 3; waited += 100) {
      if (waited > 60_000) throw new Error(`no third connection: ${stderr}`);
      await sleep(100);
    }
    proc.kill('SIGINT');
    assert.is(await exited, 0, stderr);
    const all = jsonlLines(out);
    const frames = all.filter((l) => l.type === undefined);
    // Two whole connections of 10 frames each at least, numbered as one stream.
    assert.ok(frames.length >= 20, `frames: ${frames.length}`);
    assert.equal(
      frames.map((l) => l.seq),
      frames.map((_, i) => i),
    );
    const health = all.filter((l) => l.type === 'health');
    const busy = health.find((l) => l.state === 'reconnecting' && /busy/.test(l.detail ?? ''));
    assert.ok(busy, JSON.stringify(health));
    assert.match(busy!.detail!, /camera \/dev\/video0 is busy/);
    assert.match(stderr, /source:camera reconnecting \(attempt 1/);
    assert.not.match(stderr, /framewire: source/, 'no fatal error');
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exited;
    cleanup();
  }
});

test.run();
