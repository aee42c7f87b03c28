import { FramewireError } from '../core/errors.ts';
import type { CaptureApi } from './camera-args.ts';

/** How a camera failed to open, read from ffmpeg's message: each has its own advice. */
export type CameraFailure =
  | 'missing'
  | 'busy'
  | 'permission'
  | 'not-capture'
  | 'unsupported'
  | 'other';

const PATTERNS: readonly [CameraFailure, RegExp][] = [
  ['busy', /Device or resource busy|EBUSY|already in use|Could not run graph|I\/O error/i],
  ['permission', /Permission denied|EACCES|Operation not permitted|not authorized/i],
  // v4l2: no such node; avfoundation: "Video device not found"; dshow: "Could not find video device".
  [
    'missing',
    /No such file or directory|No such device|device not found|Could not find video device|Could not enumerate video devices/i,
  ],
  ['not-capture', /Not a video capture device|Inappropriate ioctl/i],
  [
    'unsupported',
    /is not supported by the device|Cannot find a proper format|Could not set video options|Invalid argument|not supported/i,
  ],
];

/** Sorts ffmpeg's account of a failed open into one failure. */
export function classifyCameraFailure(text: string): CameraFailure {
  for (const [failure, pattern] of PATTERNS) if (pattern.test(text)) return failure;
  return 'other';
}

/** Where to look for the cameras a machine has, per API. */
function listAdvice(api: CaptureApi): string {
  return api === 'v4l2'
    ? 'list the cameras with `framewire devices` (or `ls /dev/video*`) and set source.device'
    : 'list the cameras with `framewire devices` and set source.device';
}

/**
 * The error a camera that would not open ends the run with: what failed,
 * named by device, and what to try. `detail` is ffmpeg's message.
 */
export function cameraOpenError(api: CaptureApi, label: string, detail: string): FramewireError {
  const failure = classifyCameraFailure(detail);
  const fail = (message: string, hint: string) =>
    new FramewireError('SOURCE_OPEN', message, { hint });
  switch (failure) {
    case 'missing':
      return fail(`camera ${label} does not exist`, listAdvice(api));
    case 'busy':
      return fail(
        `camera ${label} is busy: another program is using it`,
        api === 'v4l2'
          ? `close the other program (a video call, a browser tab, another framewire); \`fuser -v ${label}\` shows which process holds it`
          : 'close the other program using the camera (a video call, a browser tab, another framewire)',
      );
    case 'permission':
      return fail(
        `no permission to open camera ${label}`,
        api === 'v4l2'
          ? 'add your user to the video group (`sudo usermod -aG video $USER`, then log in again), or check the permissions of the device with `ls -l /dev/video*`'
          : api === 'avfoundation'
            ? 'allow camera access for your terminal in System Settings > Privacy & Security > Camera'
            : 'allow camera access in Settings > Privacy > Camera',
      );
    case 'not-capture':
      return fail(
        `${label} is not a video capture device`,
        `a camera often has a second node for metadata; ${listAdvice(api)}`,
      );
    case 'unsupported':
      return fail(
        `camera ${label} does not offer the requested format, size or rate (${detail})`,
        '`framewire devices` lists what each camera offers; or remove width, height, fps and inputFormat to take its default',
      );
    case 'other':
      return fail(`cannot open camera ${label}: ${detail}`, listAdvice(api));
  }
}
