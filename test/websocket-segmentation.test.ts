/**
 * The WebSocket feed carries what the JSON lines carry: instance masks as
 * COCO RLE and, with `segmentationRle`, each segmentation class's pixels, in
 * messages the shipped schema accepts.
 */
import { concatMap } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineStage } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import { decodeRle } from '../src/core/rle.ts';
import type { SegmentationRecord } from '../src/core/segmentation-record.ts';
import { FeedClient, gate, startFeed } from './helpers/ws-feed.ts';

// The left third of the 30x20 frame is "sky" (class 3), the rest background.
const plant = defineStage({
  type: 'plant-seg',
  doc: 'test: a semantic map and one masked detection',
  options: {},
  create: () =>
    concatMap(async (frame: Frame) => {
      const classes = new Uint8Array(30 * 20);
      for (let i = 0; i < classes.length; i++) classes[i] = i % 30 < 10 ? 3 : 0;
      frame.meta.segmentation = { width: 30, height: 20, classes, labels: ['background'] };
      frame.meta.detections = new Detections({
        boxes: Float32Array.of(29, 19, 30, 20),
        scores: Float32Array.of(0.5),
        classIds: Int32Array.of(0),
        names: ['ball'],
        // The bottom-right pixel alone: the last run of the frame.
        masks: [{ x: 29, y: 19, width: 1, height: 1, data: Uint8Array.of(1) }],
      });
      return frame;
    }),
});

test('segmentation and masks in every detections message, valid against the schema', async () => {
  const g = gate();
  const running = await startFeed(
    `
source: { type: testsrc, size: 30x20, rate: 10, duration: 0.3 }
stages: [{ type: gate }, { type: plant-seg }]
sinks: [{ type: websocket, port: 0, segmentationRle: true }]
`,
    { stages: [g.def, plant] },
  );
  const client = new FeedClient(running.url);
  await client.opened;
  await client.until(() => client.messages.length > 0, 'hello');
  g.open();
  assert.not.instance(await running.done, Error);
  await client.closed;
  assert.equal(client.problems, [], client.problems.join('\n'));
  const messages = client.of('detections');
  assert.is(messages.length, 3);
  for (const m of messages) {
    // 599 zeros then one 1. 599 = 18 × 32 + 23: groups 23 and 18, both with the 0x10
    // (sign) bit, so each is followed by another and a final 0; +48 and the continuation
    // bit 0x20 make 'g', 'b', '0'; then '1'. pycocotools writes the same string.
    const [d] = m.detections as { mask: { size: [number, number]; counts: string } }[];
    assert.equal(d!.mask, { size: [20, 30], counts: 'gb01' });
    const seg = m.segmentation as SegmentationRecord;
    assert.equal([seg.width, seg.height], [30, 20]);
    assert.equal(
      seg.classes.map((c) => [c.classId, c.label, c.pixels]),
      [
        [0, 'background', 400],
        [3, '3', 200],
      ],
    );
    // Sky: columns 0–9 whole, so one run of 200 ones after an empty run.
    const sky = decodeRle(seg.classes[1]!.mask!);
    assert.ok(sky.data.every((v, i) => v === (i % 30 < 10 ? 1 : 0)));
  }
});

test.run();
