import { lastValueFrom, of, toArray } from 'rxjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../src/core/clock.ts';
import type { ComponentContext } from '../src/core/component.ts';
import { Detections } from '../src/core/detections.ts';
import type { Frame } from '../src/core/frame.ts';
import type { TrackInfo } from '../src/core/tracks.ts';
import { FramePool } from '../src/core/frame-pool.ts';
import { silentLogger } from '../src/core/log.ts';
import { Counter } from '../src/counting/counter.ts';
import { frameRecord } from '../src/sinks/frame-record.ts';
import { countStage } from '../src/stages/count.ts';

const FRAME_US = 40_000;

/** A track's anchor (bottom-centre) at (x, y) in one frame; id -1 = tentative. */
type Seen = { id: number; x: number; y: number };

function dets(seen: Seen[]): Detections {
  return Detections.fromList(
    seen.map((s) => ({
      box: [s.x - 10, s.y - 40, s.x + 10, s.y] as [number, number, number, number],
      score: 0.9,
      classId: 0,
      label: 'person',
      trackId: s.id,
    })),
  );
}

const info = (id: number): TrackInfo => ({
  id,
  state: 'lost',
  box: [0, 0, 1, 1],
  classId: 0,
  score: 0.9,
  framesLost: 1,
  hits: 5,
});

/** Runs a counter over frames of sightings; `alive[f]` lists tracks the tracker still holds (lost ones). */
function runCounter(
  config: ConstructorParameters<typeof Counter>[0],
  frames: Seen[][],
  alive: number[][] = [],
) {
  const counter = new Counter(config, 'bottom-center');
  return frames.map((seen, f) =>
    counter.update(dets(seen), alive[f] ? [...alive[f]!.map(info)] : undefined, f * FRAME_US),
  );
}

/** A line across the frame at y = 200, drawn left to right: above is its left side, below its right. */
const horizontal = { name: 'door', from: [0, 200], to: [640, 200] };
const ys = (id: number, list: number[], x = 320): Seen[][] => list.map((y) => [{ id, x, y }]);

const lineCases: {
  name: string;
  frames: Seen[][];
  hysteresis?: number;
  expect: { in: number; out: number };
}[] = [
  // Walking down the image: left (above) → right (below) is `in`, once.
  {
    name: 'one crossing downwards counts one in',
    frames: ys(1, [100, 150, 190, 210, 250, 300]),
    expect: { in: 1, out: 0 },
  },
  // The other way is `out`.
  {
    name: 'one crossing upwards counts one out',
    frames: ys(1, [300, 250, 210, 190, 150]),
    expect: { in: 0, out: 1 },
  },
  // Jitter across the line inside the ±8 px band, then a clear crossing: one `in`.
  {
    name: 'jitter on the line within hysteresis counts once',
    frames: ys(1, [150, 195, 205, 196, 204, 197, 206, 199, 230]),
    expect: { in: 1, out: 0 },
  },
  // The same jitter with no hysteresis counts every flip (the miscount hysteresis prevents).
  {
    name: 'without hysteresis the same jitter counts every flip (control)',
    frames: ys(1, [150, 195, 205, 196, 204, 197, 206, 199, 230]),
    hysteresis: 0,
    expect: { in: 4, out: 3 },
  },
  // Stopping in the band and going back: no crossing.
  {
    name: 'into the band and back counts nothing',
    frames: ys(1, [150, 195, 205, 199, 150]),
    expect: { in: 0, out: 0 },
  },
  // Down, then back up later: one in, one out.
  {
    name: 'there and back counts one each',
    frames: ys(1, [150, 250, 250, 150]),
    expect: { in: 1, out: 1 },
  },
  // Tentative detections (id -1) never count, even crossing cleanly.
  {
    name: 'tentative tracks never count',
    frames: ys(-1, [100, 150, 250, 300]),
    expect: { in: 0, out: 0 },
  },
  // A track first seen below the line has crossed nothing.
  {
    name: 'appearing on one side counts nothing',
    frames: ys(1, [250, 260, 270]),
    expect: { in: 0, out: 0 },
  },
  // Passing beside the end of the segment (x = 700 > 640) is not a crossing.
  {
    name: 'walking around the end of the line counts nothing',
    frames: ys(1, [150, 250], 700),
    expect: { in: 0, out: 0 },
  },
  // Two tracks crossing in opposite directions in the same frames.
  {
    name: 'two tracks, opposite directions',
    frames: [100, 150, 250, 300].map((y, f) => [
      { id: 1, x: 100, y },
      { id: 2, x: 500, y: [300, 250, 150, 100][f]! },
    ]),
    expect: { in: 1, out: 1 },
  },
];

for (const c of lineCases) {
  test(`line: ${c.name}`, () => {
    const counts = runCounter(
      { lines: [horizontal], zones: [], hysteresis: c.hysteresis ?? 8 },
      c.frames,
    );
    assert.equal(counts.at(-1)!.lines.door, c.expect);
  });
}

test('line: direction follows from → to (a line drawn downwards has its right on the screen left)', () => {
  // from (300, 0) to (300, 480): walking down the screen, the right hand is at smaller x.
  const down = { name: 'v', from: [300, 0], to: [300, 480] };
  const leftward = [400, 350, 250, 200].map((x) => [{ id: 1, x, y: 240 }]);
  const counts = runCounter({ lines: [down], zones: [], hysteresis: 8 }, leftward);
  assert.equal(counts.at(-1)!.lines.v, { in: 1, out: 0 });
});

test('line: a track that ends is forgotten, a lost one keeps its side', () => {
  // Frame 0 above; frame 1 not detected but still held by the tracker (lost);
  // frame 2 below: the crossing counts.
  const kept = runCounter(
    { lines: [horizontal], zones: [], hysteresis: 8 },
    [ys(1, [150])[0]!, [], ys(1, [250])[0]!],
    [[1], [1], [1]],
  );
  assert.equal(kept.at(-1)!.lines.door, { in: 1, out: 0 });
  // Without the tracker's list, the gap ends the track: the new sighting has no side yet.
  const dropped = runCounter({ lines: [horizontal], zones: [], hysteresis: 8 }, [
    ys(1, [150])[0]!,
    [],
    ys(1, [250])[0]!,
  ]);
  assert.equal(dropped.at(-1)!.lines.door, { in: 0, out: 0 });
});

const square = {
  name: 'lot',
  polygon: [
    [100, 100],
    [300, 100],
    [300, 300],
    [100, 300],
  ],
};

test('zone: enter, stay, exit — occupancy and totals frame by frame', () => {
  // Track 1 walks in and out; track 2 walks in and stays; track -1 (tentative) walks in.
  const frames: Seen[][] = [
    [
      { id: 1, x: 50, y: 200 },
      { id: 2, x: 200, y: 50 },
      { id: -1, x: 50, y: 50 },
    ],
    [
      { id: 1, x: 150, y: 200 },
      { id: 2, x: 200, y: 50 },
      { id: -1, x: 200, y: 200 },
    ],
    [
      { id: 1, x: 200, y: 200 },
      { id: 2, x: 200, y: 150 },
      { id: -1, x: 210, y: 200 },
    ],
    [
      { id: 1, x: 350, y: 200 },
      { id: 2, x: 200, y: 160 },
      { id: -1, x: 220, y: 200 },
    ],
  ];
  const counts = runCounter({ lines: [], zones: [square], hysteresis: 8 }, frames);
  const seq = counts.map((c) => {
    const z = c.zones.lot!;
    return [z.occupancy, z.entered, z.exited];
  });
  assert.equal(seq, [
    [0, 0, 0], // nobody inside yet
    [1, 1, 0], // track 1 enters (the tentative one does not count)
    [2, 2, 0], // track 2 enters
    [1, 2, 1], // track 1 leaves
  ]);
  // Time in zone from timestamps: track 2 entered at frame 2, now frame 3 → 0.04 s.
  assert.equal(counts[3]!.zones.lot!.inside, [{ trackId: 2, seconds: 0.04 }]);
  assert.equal(counts[2]!.zones.lot!.inside, [
    { trackId: 1, seconds: 0.04 },
    { trackId: 2, seconds: 0 },
  ]);
});

test('zone: jitter on the border within hysteresis does not flicker', () => {
  // Border at x = 100; the anchor wobbles 96…104, then goes clearly inside.
  const frames = [50, 96, 104, 97, 103, 150].map((x) => [{ id: 1, x, y: 200 }]);
  const counts = runCounter({ lines: [], zones: [square], hysteresis: 8 }, frames);
  assert.equal(
    counts.map((c) => c.zones.lot!.entered),
    [0, 0, 0, 0, 0, 1],
  );
  assert.is(counts.at(-1)!.zones.lot!.exited, 0);
});

test('zone: a lost occupant stays counted until its track ends, then exits', () => {
  const frames: Seen[][] = [[{ id: 1, x: 200, y: 200 }], [], [], []];
  // The tracker holds track 1 (lost) in frames 1-2, then drops it.
  const counts = runCounter({ lines: [], zones: [square], hysteresis: 8 }, frames, [
    [1],
    [1],
    [1],
    [],
  ]);
  assert.equal(
    counts.map((c) => [c.zones.lot!.occupancy, c.zones.lot!.exited]),
    [
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
    ],
  );
});

const ctx: ComponentContext = {
  name: 'stages[2] (count)',
  clock: systemClock,
  log: silentLogger,
  baseDir: process.cwd(),
  pool: new FramePool(),
  count: () => {},
  report: () => {},
  health: () => {},
  stream: undefined,
};

test('stage: options declared with defaults; counts and geometry in meta and in the JSON record', async () => {
  const o = countStage.options;
  assert.is(countStage.type, 'count');
  assert.equal(o.lines.default, []);
  assert.equal(o.zones.default, []);
  assert.is(o.anchor.default, 'bottom-center');
  assert.is(o.hysteresis.default, 8);
  const op = await countStage.create(
    { lines: [horizontal], zones: [square], anchor: 'bottom-center', hysteresis: 8 },
    ctx,
  );
  if (typeof op !== 'function') throw new Error('count stage should be a plain operator');
  const frames: Frame[] = [150, 250].map((y, seq) => ({
    seq,
    pts: seq * FRAME_US,
    time: 0,
    width: 640,
    height: 480,
    format: 'rgb24',
    data: new Uint8Array(0),
    sourceId: 'test',
    meta: { timings: {}, detections: dets([{ id: 4, x: 200, y }]) },
  }));
  const out = await lastValueFrom(of(...frames).pipe(op, toArray()));
  assert.equal(out[1]!.meta.counts, {
    lines: { door: { in: 1, out: 0 } },
    zones: {
      lot: { occupancy: 1, entered: 1, exited: 0, inside: [{ trackId: 4, seconds: 0.04 }] },
    },
    geometry: { lines: [horizontal], zones: [square] },
  });
  assert.is(out[0]!.meta.counts!.geometry, out[1]!.meta.counts!.geometry); // one object per run
  const record = JSON.parse(JSON.stringify(frameRecord(out[1]!)));
  assert.equal(record.counts.lines.door, { in: 1, out: 0 });
  // The geometry is configuration: the JSON record carries only the totals.
  assert.equal(Object.keys(record.counts), ['lines', 'zones']);
  assert.is(record.detections[0].trackId, 4);
});

test('stage: warns once when detections carry no track ids (no track stage before it)', async () => {
  const warnings: string[] = [];
  const op = await countStage.create(
    { lines: [horizontal], zones: [], anchor: 'bottom-center', hysteresis: 8 },
    { ...ctx, log: { info: () => {}, warn: (m) => warnings.push(m) } },
  );
  if (typeof op !== 'function') throw new Error('count stage should be a plain operator');
  const untracked = Detections.fromList([
    { box: [0, 0, 10, 10], score: 0.9, classId: 0, label: 'person' },
  ]);
  const frames: Frame[] = [0, 1].map((seq) => ({
    seq,
    pts: seq * FRAME_US,
    time: 0,
    width: 640,
    height: 480,
    format: 'rgb24',
    data: new Uint8Array(0),
    sourceId: 'test',
    meta: { timings: {}, detections: untracked },
  }));
  await lastValueFrom(of(...frames).pipe(op, toArray()));
  assert.equal(warnings, [
    'stages[2] (count): detections carry no track ids; put a track stage before count',
  ]);
});

test('JSON record has no counts key without a count stage', () => {
  const record = frameRecord({
    seq: 0,
    pts: 0,
    time: 0,
    width: 2,
    height: 2,
    format: 'rgb24',
    data: new Uint8Array(0),
    sourceId: 't',
    meta: { timings: {} },
  });
  assert.not.ok('counts' in record);
});

test.run();
