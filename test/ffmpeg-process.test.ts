// The one way framewire runs ffmpeg: real processes, real failures. Expected
// exit codes and messages come from running the same ffmpeg command directly.
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FramewireError } from '../src/core/errors.ts';
import { ffmpegPath } from '../src/core/ffmpeg.ts';
import { FfmpegProcess } from '../src/core/ffmpeg-process.ts';

/** An input ffmpeg cannot open: a lavfi filter that does not exist. */
const BAD_INPUT = ['-f', 'lavfi', '-i', 'nosuchfilter=size=8x8', '-f', 'null', '-'];
/** Runs until killed: an endless test pattern thrown away. */
const ENDLESS = ['-re', '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25', '-f', 'null', '-'];

function withEnv<T>(name: string, value: string, run: () => T): T {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return run();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

test('a failing ffmpeg: its exit code and last stderr line, under the caller’s code and component', async () => {
  const direct = spawnSync(ffmpegPath, ['-hide_banner', '-nostdin', ...BAD_INPUT], {
    encoding: 'utf8',
  });
  assert.ok(direct.status !== 0 && direct.status !== null, `ffmpeg itself exits ${direct.status}`);
  const lastLine = direct.stderr.trim().split('\n').at(-1)!.trim();
  const proc = new FfmpegProcess({
    args: BAD_INPUT,
    errorCode: 'SOURCE_READ',
    component: 'source (testsrc)',
    task: 'reading the pattern',
  });
  const exit = await proc.exited;
  assert.equal({ code: exit.code, signal: exit.signal }, { code: direct.status, signal: null });
  const err = proc.errorFor(exit);
  assert.instance(err, FramewireError);
  assert.is(err!.code, 'SOURCE_READ');
  assert.is(err!.component, 'source (testsrc)');
  assert.ok(
    err!.message.startsWith(`reading the pattern: ffmpeg exited with code ${direct.status}: `),
    err!.message,
  );
  assert.ok(err!.message.endsWith(lastLine), `${err!.message} ends with "${lastLine}"`);
  assert.ok(proc.stderrTail(1) === lastLine, proc.stderrTail(1));
});

test('killed from outside: the signal is the reason; kill() of our own is a normal end', async () => {
  const outside = new FfmpegProcess({ args: ENDLESS, errorCode: 'STAGE_FAILED' });
  await new Promise((r) => setTimeout(r, 300));
  process.kill(outside.pid!, 'SIGKILL');
  const exit = await outside.exited;
  assert.is(exit.signal, 'SIGKILL');
  assert.match(outside.errorFor(exit)!.message, /^ffmpeg was killed by SIGKILL: /);

  const ours = new FfmpegProcess({ args: ENDLESS, errorCode: 'STAGE_FAILED' });
  await ours.stop();
  assert.is(ours.running, false);
  assert.is(ours.errorFor(await ours.exited), undefined);
});

test('ffmpeg runs in its own process group, so a terminal Ctrl-C reaches framewire first', async () => {
  const proc = new FfmpegProcess({ args: ENDLESS, errorCode: 'STAGE_FAILED' });
  try {
    const pgid = execFileSync('ps', ['-o', 'pgid=', '-p', String(proc.pid)], { encoding: 'utf8' });
    assert.is(Number(pgid.trim()), proc.pid);
    assert.is.not(
      Number(pgid.trim()),
      Number(
        execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim(),
      ),
    );
  } finally {
    await proc.stop();
  }
});

test('FRAMEWIRE_FFMPEG names the binary; a missing one is an exit with a clear error, not an event', async () => {
  const proc = withEnv(
    'FRAMEWIRE_FFMPEG',
    '/nonexistent/ffmpeg',
    () =>
      new FfmpegProcess({
        args: BAD_INPUT,
        stdin: true,
        errorCode: 'SINK_WRITE',
        task: 'writing "x.mp4"',
      }),
  );
  assert.is(proc.binary, '/nonexistent/ffmpeg');
  // Writing to a process that never started rejects with the same error.
  const written = await proc.write(new Uint8Array(16)).catch((e: unknown) => e);
  const exit = await proc.exited;
  assert.ok(exit.spawnError);
  const err = proc.errorFor(exit)!;
  assert.is(err.code, 'SINK_WRITE');
  assert.is(err.message, 'writing "x.mp4": cannot start ffmpeg /nonexistent/ffmpeg (ENOENT)');
  assert.match(err.hint ?? '', /FRAMEWIRE_FFMPEG must name an ffmpeg executable/);
  assert.instance(written, FramewireError);
  assert.is((written as Error).message, err.message);
});

test('end() after a clean exit resolves; writing after ffmpeg quit rejects with its exit', async () => {
  const ok = new FfmpegProcess({
    args: ['-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '4x4', '-i', 'pipe:0', '-f', 'null', '-'],
    stdin: true,
    errorCode: 'STAGE_FAILED',
  });
  await ok.write(new Uint8Array(16 * 3));
  await ok.end();

  // An unknown encoder: ffmpeg quits before reading its input, so writes run into a closed pipe.
  const early = new FfmpegProcess({
    args: [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-s',
      '4x4',
      '-i',
      'pipe:0',
      '-c',
      'nosuchcodec',
      '-f',
      'null',
      '-',
    ],
    stdin: true,
    errorCode: 'STAGE_FAILED',
    task: 'encoding',
  });
  const err = await (async () => {
    for (let i = 0; i < 1000; i++) await early.write(new Uint8Array(64 * 1024));
  })().catch((e: unknown) => e);
  assert.instance(err, FramewireError);
  assert.match((err as Error).message, /^encoding: ffmpeg exited with code \d+: .*nosuchcodec/);
});

test.run();
