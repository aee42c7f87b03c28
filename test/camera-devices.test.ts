// `framewire devices` and the device listings it reads. This machine (like CI)
// has no camera, so the real command is run for its "no camera" answer, and
// the parsers of the macOS and Windows listings are checked on text samples
// written here after the ffmpeg documentation (ffmpeg-devices: "avfoundation",
// "dshow" examples) and ffmpeg's source (libavdevice/avfoundation.m, dshow.c,
// v4l2.c list_formats); the Linux listing reads a fake /dev and /sys tree.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeDevices } from '../src/commands/devices.ts';
import {
  linuxVideoNodes,
  parseAvfoundationList,
  parseDshowList,
  parseV4l2Formats,
} from '../src/sources/camera-devices.ts';
import { runCli, tempDir } from './helpers/media.ts';

const AVFOUNDATION = `[AVFoundation indev @ 0x7f8b3c804c00] AVFoundation video devices:
[AVFoundation indev @ 0x7f8b3c804c00] [0] FaceTime HD Camera
[AVFoundation indev @ 0x7f8b3c804c00] [1] Logitech BRIO
[AVFoundation indev @ 0x7f8b3c804c00] [2] Capture screen 0
[AVFoundation indev @ 0x7f8b3c804c00] AVFoundation audio devices:
[AVFoundation indev @ 0x7f8b3c804c00] [0] MacBook Pro Microphone
[AVFoundation indev @ 0x7f8b3c804c00] [1] Logitech BRIO
: Input/output error`;

// ffmpeg 4 prints sections; ffmpeg 5 and later tag each device instead.
const DSHOW_SECTIONS = `[dshow @ 000001c7e8a9b2c0] DirectShow video devices (some may be both video and audio devices)
[dshow @ 000001c7e8a9b2c0]  "Integrated Camera"
[dshow @ 000001c7e8a9b2c0]     Alternative name "@device_pnp_\\\\?\\usb#vid_04f2&pid_b6d9&mi_00#6&2c2a5bc&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global"
[dshow @ 000001c7e8a9b2c0]  "OBS Virtual Camera"
[dshow @ 000001c7e8a9b2c0]     Alternative name "@device_sw_{860BB310-5D01-11D0-BD3B-00A0C911CE86}\\{A3FCE0F5-3493-419F-958A-ABA1250EC20B}"
[dshow @ 000001c7e8a9b2c0] DirectShow audio devices
[dshow @ 000001c7e8a9b2c0]  "Microphone Array (Realtek(R) Audio)"
[dshow @ 000001c7e8a9b2c0]     Alternative name "@device_cm_{33D9A762-90C8-11D0-BD43-00A0C911CE86}\\wave_{7B2B8F71-7D62-4A0F-9B63-FB0B7F8C0A31}"
dummy: Immediate exit requested`;

const DSHOW_TAGGED = `[dshow @ 0000020a4b0f9a40] "Integrated Camera" (video)
[dshow @ 0000020a4b0f9a40]   Alternative name "@device_pnp_\\\\?\\usb#vid_04f2&pid_b6d9&mi_00#6&2c2a5bc&0&0000#{65e8773d-8f56-11d0-a3b9-00a0c9223196}\\global"
[dshow @ 0000020a4b0f9a40] "Elgato Cam Link 4K" (video, audio)
[dshow @ 0000020a4b0f9a40] "Microphone Array (Realtek(R) Audio)" (audio)
[dshow @ 0000020a4b0f9a40] "Virtual Something" (none)
dummy: Immediate exit requested`;

const V4L2_FORMATS = `[video4linux2,v4l2 @ 0x55d0c5a0f2c0] Compressed:       mjpeg :          Motion-JPEG : 1280x720 960x540 848x480 640x480 640x360
[video4linux2,v4l2 @ 0x55d0c5a0f2c0] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240 160x120
/dev/video0: Immediate exit requested`;

test('macOS: the video devices of an avfoundation listing, by index', () => {
  assert.equal(parseAvfoundationList(AVFOUNDATION), [
    { device: '0', name: 'FaceTime HD Camera' },
    { device: '1', name: 'Logitech BRIO' },
    { device: '2', name: 'Capture screen 0' },
  ]);
});

test('Windows (ffmpeg 4 sections): video devices by name, alternative names skipped', () => {
  assert.equal(parseDshowList(DSHOW_SECTIONS), [
    { device: 'Integrated Camera', name: 'Integrated Camera' },
    { device: 'OBS Virtual Camera', name: 'OBS Virtual Camera' },
  ]);
});

test('Windows (ffmpeg 5 tags): devices that carry video, names with parentheses kept whole', () => {
  assert.equal(parseDshowList(DSHOW_TAGGED), [
    { device: 'Integrated Camera', name: 'Integrated Camera' },
    { device: 'Elgato Cam Link 4K', name: 'Elgato Cam Link 4K' },
  ]);
});

test('Linux: the formats and sizes of a v4l2 -list_formats listing', () => {
  assert.equal(parseV4l2Formats(V4L2_FORMATS), [
    {
      kind: 'compressed',
      format: 'mjpeg',
      description: 'Motion-JPEG',
      sizes: ['1280x720', '960x540', '848x480', '640x480', '640x360'],
    },
    {
      kind: 'raw',
      format: 'yuyv422',
      description: 'YUYV 4:2:2',
      sizes: ['640x480', '320x240', '160x120'],
    },
  ]);
});

test('Linux: /dev/video* nodes in number order with their sysfs names', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const dev = join(dir, 'dev');
    const sysfs = join(dir, 'sys');
    mkdirSync(dev);
    for (const node of ['video10', 'video2', 'video0', 'null', 'videox']) {
      writeFileSync(join(dev, node), '');
    }
    for (const [node, name] of [
      ['video0', 'Integrated Camera: Integrated C\n'],
      ['video2', 'USB Camera\n'],
    ]) {
      mkdirSync(join(sysfs, node!), { recursive: true });
      writeFileSync(join(sysfs, node!, 'name'), name!);
    }
    assert.equal(await linuxVideoNodes({ dev, sysfs }), [
      { device: join(dev, 'video0'), name: 'Integrated Camera: Integrated C' },
      { device: join(dev, 'video2'), name: 'USB Camera' },
      // No sysfs entry: the node's own name stands in.
      { device: join(dev, 'video10'), name: 'video10' },
    ]);
  } finally {
    cleanup();
  }
});

test('the text listing shows each camera with the device value to use, formats below', () => {
  const text = describeDevices('v4l2', [
    {
      device: '/dev/video0',
      name: 'USB Camera',
      capture: true,
      formats: parseV4l2Formats(V4L2_FORMATS),
    },
    { device: '/dev/video1', name: 'USB Camera', capture: false, formats: [] },
  ]);
  assert.is(
    text,
    [
      "Cameras (v4l2); use the first column as the camera source's device:",
      '  /dev/video0  USB Camera',
      '      mjpeg    Motion-JPEG  1280x720 960x540 848x480 640x480 640x360',
      '      yuyv422  YUYV 4:2:2  640x480 320x240 160x120',
      '  /dev/video1  USB Camera  (not a capture device: metadata or output node)',
    ].join('\n'),
  );
});

test('framewire devices on this machine (no camera): says so and exits 0', async () => {
  const r = await runCli(['devices']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /No camera found: there is no \/dev\/video\* device/);
  assert.is(r.stderr, '');
});

test('framewire devices --json on this machine: an empty list', async () => {
  const r = await runCli(['devices', '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { api: 'v4l2', devices: [] });
});

test('framewire devices with an unknown option is a usage error (exit 2)', async () => {
  const r = await runCli(['devices', '--all']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /unknown option --all/);
});

test.run();
