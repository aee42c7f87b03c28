// Every example pipeline a user copies validates as shipped.
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from './helpers/media.ts';

const files = readdirSync(new URL('../pipelines', import.meta.url)).filter((f) =>
  f.endsWith('.yaml'),
);

test('there are example pipelines', () => {
  assert.ok(files.includes('demo.yaml'));
  assert.ok(files.includes('transcode.yaml'));
});

for (const file of files) {
  test(`framewire validate pipelines/${file}`, async () => {
    // transcode.yaml needs ${INPUT} and rtsp-camera.yaml ${CAMERA_URL}: give them
    // one, as their comments tell users to.
    const r = await runCli(['validate', `pipelines/${file}`], {
      env: { INPUT: 'movie.mp4', CAMERA_URL: 'rtsp://user:secret@192.0.2.10:554/stream1' },
    });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /ok/);
  });
}

test.run();
