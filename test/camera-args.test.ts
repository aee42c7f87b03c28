// The camera source's ffmpeg input per platform, written out by hand from
// ffmpeg's device documentation (v4l2, avfoundation, dshow sections of
// ffmpeg-devices), and the options validation refuses before anything starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries as builtIn } from '../src/components-all.ts';
import { parsePipeline } from '../src/config/load.ts';
import type { ComponentRegistries, SourceDefinition } from '../src/core/component.ts';
import { Registry } from '../src/core/registry.ts';
import { cameraInputArgs } from '../src/sources/camera-args.ts';
import { classifyCameraFailure } from '../src/sources/camera-errors.ts';
import { cameraSourceFor } from '../src/sources/camera.ts';

const cases: {
  name: string;
  api: 'v4l2' | 'avfoundation' | 'dshow';
  request: Parameters<typeof cameraInputArgs>[1];
  args: string[];
}[] = [
  {
    name: 'linux, everything default',
    api: 'v4l2',
    request: { inputFormat: 'auto' },
    args: ['-f', 'v4l2', '-i', '/dev/video0'],
  },
  {
    name: 'linux, mjpeg 1280x720 at 30',
    api: 'v4l2',
    request: { device: '/dev/video2', width: 1280, height: 720, fps: 30, inputFormat: 'mjpeg' },
    args: [
      ...['-f', 'v4l2', '-input_format', 'mjpeg', '-video_size', '1280x720'],
      ...['-framerate', '30', '-i', '/dev/video2'],
    ],
  },
  {
    name: 'linux, raw yuyv422',
    api: 'v4l2',
    request: { width: 640, height: 480, inputFormat: 'yuyv422' },
    args: ['-f', 'v4l2', '-input_format', 'yuyv422', '-video_size', '640x480', '-i', '/dev/video0'],
  },
  {
    name: 'linux, h264 from the camera',
    api: 'v4l2',
    request: { fps: 15, inputFormat: 'h264' },
    args: ['-f', 'v4l2', '-input_format', 'h264', '-framerate', '15', '-i', '/dev/video0'],
  },
  {
    // avfoundation's own default rate (29.97) is refused by most Mac cameras: 30 is asked for.
    name: 'macOS, everything default',
    api: 'avfoundation',
    request: { inputFormat: 'auto' },
    args: ['-f', 'avfoundation', '-framerate', '30', '-i', '0'],
  },
  {
    name: 'macOS, by name, yuyv422 640x480 at 15',
    api: 'avfoundation',
    request: {
      device: 'FaceTime HD Camera',
      width: 640,
      height: 480,
      fps: 15,
      inputFormat: 'yuyv422',
    },
    args: [
      ...['-f', 'avfoundation', '-pixel_format', 'yuyv422', '-video_size', '640x480'],
      ...['-framerate', '15', '-i', 'FaceTime HD Camera'],
    ],
  },
  {
    name: 'Windows, mjpeg 1280x720 at 30',
    api: 'dshow',
    request: {
      device: 'Integrated Camera',
      width: 1280,
      height: 720,
      fps: 30,
      inputFormat: 'mjpeg',
    },
    args: [
      ...['-f', 'dshow', '-vcodec', 'mjpeg', '-video_size', '1280x720', '-framerate', '30'],
      ...['-i', 'video=Integrated Camera'],
    ],
  },
  {
    name: 'Windows, raw, the name already with video=',
    api: 'dshow',
    request: { device: 'video=USB Camera', inputFormat: 'yuyv422' },
    args: ['-f', 'dshow', '-pixel_format', 'yuyv422', '-i', 'video=USB Camera'],
  },
  {
    name: 'Windows, h264',
    api: 'dshow',
    request: { device: 'Logitech C920', inputFormat: 'h264' },
    args: ['-f', 'dshow', '-vcodec', 'h264', '-i', 'video=Logitech C920'],
  },
];

for (const c of cases) {
  test(`ffmpeg input arguments: ${c.name}`, () => {
    assert.equal(cameraInputArgs(c.api, c.request), c.args);
  });
}

/** A registry whose camera source is the one of `platform`. */
function registriesFor(platform: NodeJS.Platform): ComponentRegistries {
  const sources = new Registry<SourceDefinition>('source');
  sources.add('camera', cameraSourceFor(platform) as unknown as SourceDefinition);
  return { sources, stages: builtIn.stages, sinks: builtIn.sinks };
}

function problems(platform: NodeJS.Platform, source: string): string {
  try {
    parsePipeline(`source: ${source}\nsinks: [ { type: null } ]\n`, 'cam.yaml', {
      registries: registriesFor(platform),
    });
    return '';
  } catch (err) {
    return String((err as Error).message);
  }
}

test('validation: a plain camera is valid on Linux and macOS', () => {
  assert.is(problems('linux', '{ type: camera }'), '');
  assert.is(problems('darwin', '{ type: camera, device: "1" }'), '');
  assert.is(problems('win32', '{ type: camera, device: Integrated Camera }'), '');
});

test('validation: an odd width or height is refused at its line', () => {
  const text = problems('linux', '{ type: camera, width: 641, height: 480 }');
  assert.match(text, /cam\.yaml:1/);
  assert.match(text, /width must be even/);
  assert.match(text, /641/);
});

test('validation: width without height is refused (the device is asked for a whole size)', () => {
  assert.match(problems('linux', '{ type: camera, width: 640 }'), /both width and height/);
});

test('validation: a compressed format on macOS is refused with the formats that work', () => {
  const text = problems('darwin', '{ type: camera, inputFormat: mjpeg }');
  assert.match(text, /avfoundation/);
  assert.match(text, /auto or yuyv422/);
});

test('validation: Windows needs the camera named, and says how to find the names', () => {
  assert.match(problems('win32', '{ type: camera }'), /framewire devices/);
});

test('validation: an unknown inputFormat lists the allowed ones', () => {
  const text = problems('linux', '{ type: camera, inputFormat: nv12 }');
  for (const f of ['auto', 'mjpeg', 'yuyv422', 'h264']) assert.match(text, f);
});

test('validation: a platform without a capture API is refused', () => {
  assert.match(problems('freebsd', '{ type: camera }'), /not supported on freebsd/);
});

// ffmpeg's messages as its sources print them: libavdevice/v4l2.c ("Cannot open
// video device %s: %s", ioctl(...) failures with strerror), avfoundation.m,
// dshow.c. Only "missing" and "not-capture" can happen on a machine without a
// camera; the CLI test shows those for real.
const messages: [string, ReturnType<typeof classifyCameraFailure>][] = [
  [
    '[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video9: No such file or directory',
    'missing',
  ],
  [
    '[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video0: Device or resource busy',
    'busy',
  ],
  ['[video4linux2,v4l2 @ 0x1] ioctl(VIDIOC_STREAMON): Device or resource busy', 'busy'],
  [
    '[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video0: Permission denied',
    'permission',
  ],
  [
    '[video4linux2,v4l2 @ 0x1] ioctl(VIDIOC_QUERYCAP): Inappropriate ioctl for device',
    'not-capture',
  ],
  ['[video4linux2,v4l2 @ 0x1] Not a video capture device.', 'not-capture'],
  ['[AVFoundation indev @ 0x1] Video device not found', 'missing'],
  [
    '[AVFoundation indev @ 0x1] Selected framerate (29.970030) is not supported by the device',
    'unsupported',
  ],
  [
    '[dshow @ 0x1] Could not find video device with name [Foo] among source devices of type video.',
    'missing',
  ],
  ['[dshow @ 0x1] Could not set video options', 'unsupported'],
  ['something else entirely', 'other'],
];

test('ffmpeg messages are sorted into failures with their own advice', () => {
  for (const [text, failure] of messages) assert.is(classifyCameraFailure(text), failure, text);
});

test.run();
