import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from '../src/core/registry.ts';

test('rejects a duplicate name', () => {
  const r = new Registry<number>('stage').add('track', 1);
  assert.throws(() => r.add('track', 2), /registered twice/);
});

test('a miss lists valid names and suggests the nearest', () => {
  const r = new Registry<number>('stage').add('track', 1).add('resize', 2);
  const message = r.missMessage('trak');
  assert.match(message, /Did you mean "track"\?/);
  assert.match(message, /Valid types: track, resize/);
});

test('no suggestion for a name far from every entry', () => {
  const r = new Registry<number>('sink').add('file', 1);
  assert.not.match(r.missMessage('websocket'), /Did you mean/);
});

test.run();
