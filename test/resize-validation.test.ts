// An odd resize (or file source) size used to validate and then fail at the
// encoder, mid-run.
// Validation refuses it now, at the option's line and column.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';

const pipeline = (width: number, height: number) =>
  `source: { type: testsrc }\nstages:\n  - type: resize\n    width: ${width}\n    height: ${height}\nsinks: [ { type: "null" } ]\n`;

function problems(width: number, height: number): string {
  try {
    parsePipeline(pipeline(width, height), 'p.yaml', { registries });
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

const cases = [
  // both even: accepted
  { width: 320, height: 240, says: [] },
  // odd width: named at `width:` (line 4, column 5)
  { width: 321, height: 240, says: ['p.yaml:4:5: stages[0].width: width must be even'] },
  // odd height: named at `height:` (line 5, column 5)
  { width: 320, height: 241, says: ['p.yaml:5:5: stages[0].height: height must be even'] },
  // both odd: both reported in one pass
  {
    width: 3,
    height: 5,
    says: [
      'p.yaml:4:5: stages[0].width: width must be even (4:2:0 video and H.264 need even sizes), got 3',
      'p.yaml:5:5: stages[0].height',
    ],
  },
];

for (const c of cases) {
  test(`resize ${c.width}x${c.height}`, () => {
    const message = problems(c.width, c.height);
    if (c.says.length === 0) assert.is(message, '');
    for (const s of c.says) assert.ok(message.includes(s), `${JSON.stringify(s)} in:\n${message}`);
  });
}

test('file source: an odd width is refused at validation too', () => {
  const yaml = 'source:\n  type: file\n  path: in.mp4\n  width: 321\nsinks: [ { type: "null" } ]\n';
  let message = '';
  try {
    parsePipeline(yaml, 'f.yaml', { registries });
  } catch (err) {
    message = (err as Error).message;
  }
  assert.ok(message.includes('f.yaml:4:3: source.width: width must be even'), message);
});

test.run();
