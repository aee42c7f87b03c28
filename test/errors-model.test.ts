// The error type itself: which codes are fatal unless raised otherwise, and
// attributing an error to a component keeps everything else about it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  attributed,
  ConfigError,
  endedRun,
  type ErrorCode,
  FramewireError,
  isRecoverable,
} from '../src/core/errors.ts';
import { EVENT_CODES } from '../src/core/events.ts';

const defaults: { code: ErrorCode; fatal: boolean }[] = [
  // One corrupt picture or one lost connection is not the end of a run.
  { code: 'FRAME_CORRUPT', fatal: false },
  { code: 'CONNECTION_LOST', fatal: false },
  // Everything else is fatal unless the raiser says otherwise.
  { code: 'SINK_WRITE', fatal: true },
  { code: 'STAGE_FAILED', fatal: true },
  { code: 'SOURCE_READ', fatal: true },
  { code: 'SINK_OPEN', fatal: true },
  { code: 'MODEL_MISSING', fatal: true },
];

for (const c of defaults) {
  test(`${c.code} is ${c.fatal ? 'fatal' : 'recoverable'} by default`, () => {
    const err = new FramewireError(c.code, 'x');
    assert.is(err.fatal, c.fatal);
    assert.is(isRecoverable(err), !c.fatal);
  });
}

test('the raiser decides: a recoverable SINK_WRITE, a fatal CONNECTION_LOST', () => {
  assert.is(new FramewireError('SINK_WRITE', 'x', { fatal: false }).fatal, false);
  assert.is(new FramewireError('CONNECTION_LOST', 'x', { fatal: true }).fatal, true);
});

test('every recoverable error code is a declared event code', () => {
  for (const code of [
    'SOURCE_READ',
    'STAGE_FAILED',
    'SINK_WRITE',
    'FRAME_CORRUPT',
    'CONNECTION_LOST',
  ])
    assert.ok(EVENT_CODES.includes(code as never), code);
});

test('attributed fills in the component and keeps code, flag, hint, message and subclass', () => {
  const err = attributed(
    new FramewireError('FRAME_CORRUPT', 'bad slice', { hint: 'check the camera' }),
    'stages[0] (decode)',
  ) as FramewireError;
  assert.equal(
    [err.code, err.fatal, err.hint, err.message, err.component],
    ['FRAME_CORRUPT', false, 'check the camera', 'bad slice', 'stages[0] (decode)'],
  );
  const config = attributed(new ConfigError('bad value'), 'source (file)');
  assert.instance(config, ConfigError);
  // An error that already names its component keeps it.
  const named = new FramewireError('SINK_OPEN', 'x', { component: 'sinks[1] (file)' });
  assert.is(attributed(named, 'elsewhere'), named);
  // Non-framewire errors pass through untouched.
  const plain = new Error('bug');
  assert.is(attributed(plain, 'source'), plain);
});

test('endedRun marks a recoverable error that ended a run as fatal, keeping the rest', () => {
  const err = endedRun(
    new FramewireError('FRAME_CORRUPT', 'bad', { component: 'stages[0] (x)' }),
  ) as FramewireError;
  assert.equal([err.code, err.fatal, err.component], ['FRAME_CORRUPT', true, 'stages[0] (x)']);
});

test.run();
