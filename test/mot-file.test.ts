import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotParseError, parseMot } from '../src/eval/mot/mot-file.ts';
import { recordToMotRows } from '../src/eval/mot/to-mot.ts';

test('parseMot: frames keyed 1-based, boxes as corners, separators commas or spaces', () => {
  const seq = parseMot('1,3,10,20,30,40,1,1,0.5\n\n2 3 11 21 30 40 1\n1, 4, 0, 0, 5, 5, 1\n', {
    ignoreZeroConf: true,
  });
  assert.equal([...seq.keys()], [1, 2]);
  assert.equal(seq.get(1), { ids: [3, 4], boxes: [10, 20, 40, 60, 0, 0, 5, 5] });
  assert.equal(seq.get(2), { ids: [3], boxes: [11, 21, 41, 61] });
});

const ignoreCases: { name: string; text: string; ignoreZeroConf: boolean; rows: number }[] = [
  // Ground truth: conf 0 means "do not consider" (devkit, py-motmetrics min_confidence 1).
  {
    name: 'GT conf 0 dropped',
    text: '1,1,0,0,5,5,0,1,1\n1,2,0,0,5,5,1,1,1',
    ignoreZeroConf: true,
    rows: 1,
  },
  // Results: conf is a score (often -1 or 0): every row kept.
  {
    name: 'results keep conf 0',
    text: '1,1,0,0,5,5,0\n1,2,0,0,5,5,-1',
    ignoreZeroConf: false,
    rows: 2,
  },
  // Six columns only (no conf): kept.
  { name: 'no conf column', text: '1,1,0,0,5,5', ignoreZeroConf: true, rows: 1 },
];
for (const c of ignoreCases) {
  test(`parseMot: ${c.name}`, () => {
    const seq = parseMot(c.text, { ignoreZeroConf: c.ignoreZeroConf });
    assert.is(
      [...seq.values()].reduce((n, f) => n + f.ids.length, 0),
      c.rows,
    );
  });
}

const badCases: { name: string; text: string; message: RegExp }[] = [
  // MOT frames are 1-based: a 0 means the file was written 0-based.
  { name: 'frame 0', text: '0,1,0,0,5,5,1', message: /line 1: frame must be an integer ≥ 1/ },
  {
    name: 'too few columns',
    text: '1,1,0,0,5,5\n1,2,0,0',
    message: /line 2: expected frame,id,x,y,w,h/,
  },
  { name: 'not a number', text: '1,1,0,zero,5,5', message: /line 1: column 4 must be a number/ },
  { name: 'fractional frame', text: '1.5,1,0,0,5,5', message: /frame must be an integer/ },
];
for (const c of badCases) {
  test(`parseMot rejects ${c.name} with its line number`, () => {
    try {
      parseMot(c.text, { ignoreZeroConf: true });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, MotParseError);
      assert.match((err as Error).message, c.message);
    }
  });
}

test('recordToMotRows: seq → frame seq+1, corners → x,y,w,h, tracked detections only', () => {
  const record = {
    seq: 0,
    pts: 0,
    detections: [
      { box: [10, 20, 50.5, 100.25], score: 0.91, classId: 0, label: 'person', trackId: 3 },
      // No trackId: a tentative track (or no tracker): no identity to evaluate.
      { box: [0, 0, 5, 5], score: 0.8, classId: 0, label: 'person' },
      { box: [1.1, 2.2, 3.3, 4.4], score: 0.5, classId: 2, label: 'car', trackId: 12 },
    ],
  };
  assert.equal(recordToMotRows(record, 1), [
    '1,3,10,20,40.5,80.25,0.91,-1,-1,-1',
    '1,12,1.1,2.2,2.2,2.2,0.5,-1,-1,-1',
  ]);
});

test('recordToMotRows: malformed records name the line', () => {
  assert.throws(() => recordToMotRows({ detections: [] }, 4), /line 4: "seq"/);
  assert.throws(() => recordToMotRows({ seq: 1 }, 5), /line 5: "detections"/);
  assert.throws(
    () => recordToMotRows({ seq: 1, detections: [{ trackId: 1, box: [1] }] }, 6),
    /line 6: .*box/,
  );
});

test.run();
