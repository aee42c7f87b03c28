/**
 * How ffmpeg opens a webcam on each platform: the capture API, how the device
 * is named, and the input options that ask the device for a size, rate and
 * pixel format. Pure, so the arguments are checked per platform on any machine.
 */

/** The capture APIs framewire drives, one per platform. */
export type CaptureApi = 'v4l2' | 'avfoundation' | 'dshow';

/** What the camera is asked to deliver (`auto`: whatever the device picks). */
export const INPUT_FORMATS = ['auto', 'mjpeg', 'yuyv422', 'h264'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export interface CameraRequest {
  /** Linux: a device path; macOS: an index or name; Windows: a name (`video=` optional). */
  readonly device?: string | undefined;
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly fps?: number | undefined;
  readonly inputFormat: InputFormat;
}

/** The capture API of a platform (`process.platform`), or undefined where none is supported. */
export function captureApi(platform: NodeJS.Platform): CaptureApi | undefined {
  if (platform === 'linux') return 'v4l2';
  if (platform === 'darwin') return 'avfoundation';
  if (platform === 'win32') return 'dshow';
  return undefined;
}

/**
 * The device used when none is given. Windows has no stable default: DirectShow
 * names devices by their product name, which `framewire devices` prints.
 */
export function defaultDevice(api: CaptureApi): string | undefined {
  if (api === 'v4l2') return '/dev/video0';
  if (api === 'avfoundation') return '0';
  return undefined;
}

/**
 * avfoundation's own default rate is 29.97, which most built-in Mac cameras
 * refuse ("Selected framerate is not supported"); 30 is what they offer.
 */
const AVFOUNDATION_DEFAULT_FPS = 30;

/** The device as ffmpeg's `-i` wants it. */
export function deviceInput(api: CaptureApi, device: string): string {
  // dshow also takes `audio=`; framewire captures video only.
  if (api === 'dshow') return device.startsWith('video=') ? device : `video=${device}`;
  return device;
}

/** The name people know the device by, for messages (`video=` stripped on Windows). */
export function deviceLabel(api: CaptureApi, device: string): string {
  return api === 'dshow' ? device.replace(/^video=/, '') : device;
}

/** Why a request cannot work on this API, or undefined. Checked at validation. */
export function requestProblem(
  api: CaptureApi,
  request: CameraRequest,
): { key: string; message: string } | undefined {
  if (api === 'avfoundation' && (request.inputFormat === 'mjpeg' || request.inputFormat === 'h264'))
    return {
      key: 'inputFormat',
      message: `avfoundation (macOS) delivers uncompressed pixels only; use inputFormat auto or yuyv422, not ${request.inputFormat}`,
    };
  if (api === 'dshow' && request.device === undefined)
    return {
      key: 'device',
      message:
        'on Windows the camera must be named (device: "Integrated Camera"); `framewire devices` lists the names',
    };
  return undefined;
}

/** ffmpeg's arguments up to and including `-i DEVICE` for one camera. */
export function cameraInputArgs(api: CaptureApi, request: CameraRequest): string[] {
  const device = request.device ?? defaultDevice(api);
  if (device === undefined) throw new Error(`camera: no device given for ${api}`);
  const size =
    request.width !== undefined && request.height !== undefined
      ? ['-video_size', `${request.width}x${request.height}`]
      : [];
  const fps = request.fps ?? (api === 'avfoundation' ? AVFOUNDATION_DEFAULT_FPS : undefined);
  const rate = fps !== undefined ? ['-framerate', String(fps)] : [];
  return [
    '-f',
    api,
    ...formatArgs(api, request.inputFormat),
    ...size,
    ...rate,
    '-i',
    deviceInput(api, device),
  ];
}

/** The option that asks the device for a pixel format or a compressed stream. */
function formatArgs(api: CaptureApi, format: InputFormat): string[] {
  if (format === 'auto') return [];
  switch (api) {
    case 'v4l2':
      // v4l2's input_format takes pixel formats and codec names alike.
      return ['-input_format', format];
    case 'avfoundation':
      // requestProblem refuses compressed formats here.
      return ['-pixel_format', format];
    case 'dshow':
      // DirectShow asks for compressed streams by codec, raw ones by pixel format.
      return format === 'yuyv422' ? ['-pixel_format', format] : ['-vcodec', format];
  }
}
