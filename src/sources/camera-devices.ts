import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FfmpegProcess } from '../core/ffmpeg-process.ts';
import type { CaptureApi } from './camera-args.ts';

/** One format a camera offers (Linux lists them; other platforms do not say). */
export interface CameraFormat {
  readonly kind: 'raw' | 'compressed';
  /** ffmpeg's name, what `inputFormat` takes: `mjpeg`, `yuyv422`, `h264`. */
  readonly format: string;
  readonly description: string;
  /** `WIDTHxHEIGHT` sizes offered; empty when the driver gives ranges instead. */
  readonly sizes: readonly string[];
}

/** A camera as `framewire devices` reports it. */
export interface CameraDevice {
  /** What `device:` takes: `/dev/video0`, `0`, `Integrated Camera`. */
  readonly device: string;
  readonly name: string;
  /** Linux only: what the device offers, if ffmpeg could ask it. */
  readonly formats?: readonly CameraFormat[];
  /** Linux only: false for nodes that capture nothing (a camera's metadata node). */
  readonly capture?: boolean;
}

/** Every line of ffmpeg's stderr, after the `[name @ 0x...] ` prefix it puts on log lines. */
function messages(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.replace(/^\[[^\]]*@ ?[0-9a-fA-Fx]+\] ?/, ''));
}

/**
 * Parses `ffmpeg -f avfoundation -list_devices true -i ""`: the section
 * "AVFoundation video devices:" lists `[index] name` lines until the audio
 * section starts.
 */
export function parseAvfoundationList(text: string): CameraDevice[] {
  const devices: CameraDevice[] = [];
  let inVideo = false;
  for (const line of messages(text)) {
    if (/AVFoundation video devices:/.test(line)) inVideo = true;
    else if (/AVFoundation audio devices:/.test(line)) inVideo = false;
    else if (inVideo) {
      const m = /^\[(\d+)\] (.+?)\s*$/.exec(line);
      if (m) devices.push({ device: m[1]!, name: m[2]! });
    }
  }
  return devices;
}

/**
 * Parses `ffmpeg -f dshow -list_devices true -i dummy`, in both shapes ffmpeg
 * has printed: a "DirectShow video devices" section of `"name"` lines (up to
 * ffmpeg 4), or `"name" (video)` lines (ffmpeg 5 on). "Alternative name" lines
 * (the device path) are skipped: the friendly name is what `video=` takes.
 */
export function parseDshowList(text: string): CameraDevice[] {
  const devices: CameraDevice[] = [];
  let inVideo = false;
  for (const line of messages(text)) {
    if (/DirectShow video devices/.test(line)) inVideo = true;
    else if (/DirectShow audio devices/.test(line)) inVideo = false;
    else if (/Alternative name/.test(line)) continue;
    else {
      // ffmpeg 5 tags each name with its media types: (video), (audio), (video, audio), (none).
      const m = /^\s*"(.+)"(?:\s+\(([a-z, ]+)\))?\s*$/.exec(line);
      if (!m) continue;
      const isVideo = m[2] === undefined ? inVideo : m[2].split(/,\s*/).includes('video');
      if (isVideo && !devices.some((d) => d.name === m[1]))
        devices.push({ device: m[1]!, name: m[1]! });
    }
  }
  return devices;
}

/**
 * Parses `ffmpeg -f v4l2 -list_formats all -i DEV`: lines such as
 * `Compressed:       mjpeg :          Motion-JPEG : 640x480 1280x720` and
 * `Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240`.
 */
export function parseV4l2Formats(text: string): CameraFormat[] {
  const formats: CameraFormat[] = [];
  for (const line of messages(text)) {
    // Fields are separated by " : "; descriptions may hold colons themselves ("YUYV 4:2:2").
    const m = /^\s*(Raw|Compressed)\s*:\s*(\S+)\s+:\s+(.*?)\s+:\s*(.*)$/.exec(line);
    if (!m) continue;
    formats.push({
      kind: m[1] === 'Raw' ? 'raw' : 'compressed',
      format: m[2]!,
      description: m[3]!,
      sizes: m[4]!.split(/\s+/).filter((s) => /^\d+x\d+$/.test(s)),
    });
  }
  return formats;
}

/** Runs ffmpeg only to read what it prints; it exits by itself (listing modes "fail" when done). */
async function ffmpegListing(args: string[], seconds = 10): Promise<string> {
  const lines: string[] = [];
  const proc = new FfmpegProcess({
    args,
    errorCode: 'SOURCE_OPEN',
    onStderrLine: (line) => lines.push(line),
  });
  const timer = setTimeout(() => proc.kill(), seconds * 1000);
  const exit = await proc.exited;
  clearTimeout(timer);
  // No ffmpeg to ask is not "no camera".
  if (exit.spawnError) throw proc.errorFor(exit);
  return lines.join('\n');
}

/** Where Linux keeps the device nodes and their names; a test points these at a fake tree. */
export interface LinuxPaths {
  readonly dev: string;
  readonly sysfs: string;
}

const LINUX_PATHS: LinuxPaths = { dev: '/dev', sysfs: '/sys/class/video4linux' };

/** `/dev/video*` nodes in number order, with the names the kernel gives them. */
export async function linuxVideoNodes(paths: LinuxPaths = LINUX_PATHS): Promise<CameraDevice[]> {
  const entries = await readdir(paths.dev).catch(() => [] as string[]);
  const nodes = entries
    .filter((e) => /^video\d+$/.test(e))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return Promise.all(
    nodes.map(async (node) => {
      const name = await readFile(join(paths.sysfs, node, 'name'), 'utf8').catch(() => '');
      return { device: join(paths.dev, node), name: name.trim() || node };
    }),
  );
}

/** The cameras this machine has, with what each offers where the platform says. */
export async function listCameras(
  api: CaptureApi,
  paths: LinuxPaths = LINUX_PATHS,
): Promise<CameraDevice[]> {
  if (api === 'avfoundation')
    return parseAvfoundationList(
      await ffmpegListing(['-f', 'avfoundation', '-list_devices', 'true', '-i', '']),
    );
  if (api === 'dshow')
    return parseDshowList(
      await ffmpegListing(['-f', 'dshow', '-list_devices', 'true', '-i', 'dummy']),
    );
  const nodes = await linuxVideoNodes(paths);
  return Promise.all(
    nodes.map(async (node) => {
      const text = await ffmpegListing(['-f', 'v4l2', '-list_formats', 'all', '-i', node.device]);
      const formats = parseV4l2Formats(text);
      const capture = !/Not a video capture device|Inappropriate ioctl/i.test(text);
      return { ...node, formats, capture };
    }),
  );
}
