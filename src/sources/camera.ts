import { type OptionProblem, defineSource } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import { liveSourceOptions } from '../core/live-source-options.ts';
import { optional, t } from '../core/schema.ts';
import {
  type CaptureApi,
  INPUT_FORMATS,
  captureApi,
  cameraInputArgs,
  defaultDevice,
  deviceLabel,
  requestProblem,
} from './camera-args.ts';
import { cameraOpenError, classifyCameraFailure } from './camera-errors.ts';
import { linuxVideoNodes } from './camera-devices.ts';
import { connectionOptions, ffmpegLiveSource } from './live-connection.ts';
import { evenSizeProblems } from './shaping.ts';

const cameraOptions = {
  device: optional(
    t.string({
      doc: 'The camera: Linux a device path (default /dev/video0); macOS an index or name (default 0); Windows its name (`framewire devices` lists them)',
      minLength: 1,
    }),
  ),
  width: optional(
    t.integer({ doc: 'Ask the camera for this width (with height)', min: 16, max: 8192 }),
  ),
  height: optional(
    t.integer({ doc: 'Ask the camera for this height (with width)', min: 16, max: 8192 }),
  ),
  fps: optional(
    t.number({ doc: 'Ask the camera for this frame rate', exclusiveMin: 0, max: 1000 }),
  ),
  inputFormat: t.enum(INPUT_FORMATS, {
    doc: 'What the camera sends: mjpeg (most USB cameras at high sizes), yuyv422 (raw), h264, or auto (its default)',
    default: 'auto',
  }),
  ...connectionOptions,
  ...liveSourceOptions,
};

/**
 * The `camera` source for one platform (`process.platform`); tests pass
 * another to see what a Mac or Windows machine would run.
 */
export function cameraSourceFor(platform: NodeJS.Platform) {
  const api = captureApi(platform);
  return defineSource({
    type: 'camera',
    doc: 'Webcam: v4l2 on Linux, avfoundation on macOS, DirectShow on Windows; a lost camera is reopened',
    options: cameraOptions,
    check(config) {
      const problems: OptionProblem[] = [];
      if (!api) return [{ message: `cameras are not supported on ${platform}` }];
      problems.push(...evenSizeProblems(config));
      if ((config.width === undefined) !== (config.height === undefined))
        problems.push({
          key: config.width === undefined ? 'height' : 'width',
          message:
            'a camera is asked for a size as a whole: give both width and height, or neither',
        });
      const problem = requestProblem(api, config);
      if (problem) problems.push(problem);
      return problems;
    },
    create(config, ctx) {
      if (!api) throw new FramewireError('SOURCE_OPEN', `cameras are not supported on ${platform}`);
      const device = config.device ?? defaultDevice(api)!;
      const label = deviceLabel(api, device);
      const describe = `camera ${label}`;
      const inputArgs = cameraInputArgs(api, config);
      return ffmpegLiveSource(config, ctx, {
        // A missing, busy or forbidden device is a mistake to report now; later losses retry.
        retryFirstOpen: false,
        describe,
        reader: { inputArgs, format: 'yuv420p', sourceId: `camera:${label}` },
        mapOpenError: (err) => mapCameraOpenError(api, label, describe, err),
      });
    },
  });
}

/** The camera source of this machine's platform. */
export const cameraSource = cameraSourceFor(process.platform);

/**
 * The reader's generic "cannot read" becomes the camera's own advice; on Linux
 * a missing device also says which devices there are.
 */
async function mapCameraOpenError(
  api: CaptureApi,
  label: string,
  describe: string,
  err: unknown,
): Promise<unknown> {
  if (!(err instanceof FramewireError) || /cannot start ffmpeg/.test(err.message)) return err;
  const prefix = `cannot read ${describe}: `;
  const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  const error = cameraOpenError(api, label, detail);
  if (api !== 'v4l2' || classifyCameraFailure(detail) !== 'missing') return error;
  const nodes = await linuxVideoNodes();
  const present =
    nodes.length === 0
      ? 'this machine has no /dev/video* device'
      : `devices here: ${nodes.map((n) => `${n.device} (${n.name})`).join(', ')}`;
  return new FramewireError('SOURCE_OPEN', `${error.message} (${present})`, {
    hint: error.hint ?? '',
  });
}
