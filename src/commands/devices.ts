import { FramewireError } from '../core/errors.ts';
import { type CaptureApi, captureApi } from '../sources/camera-args.ts';
import { type CameraDevice, listCameras } from '../sources/camera-devices.ts';
import { type Command, EXIT } from './command.ts';
import { parseArgs } from './parse-args.ts';
import { reportError } from './report-error.ts';

const HELP = `Usage: framewire devices [--json]

Lists the cameras a \`camera\` source can open, with the value its \`device:\`
option takes:
  Linux    /dev/video* with their names, and the formats and sizes each offers
  macOS    avfoundation devices by index and name
  Windows  DirectShow devices by name

With no camera it says so and exits 0.

Options:
  --json   print {"api": ..., "devices": [...]} instead of text

Examples:
  framewire devices
  framewire devices --json`;

export const devicesCommand: Command = {
  name: 'devices',
  summary: 'list the cameras a camera source can open',
  help: HELP,
  async run(args) {
    let json: boolean;
    try {
      const parsed = parseArgs(args, { flags: ['json'] });
      if (parsed.positional.length > 0)
        throw new FramewireError(
          'USAGE',
          `devices takes no argument, got "${parsed.positional[0]}"`,
          {
            hint: 'framewire devices [--json]',
          },
        );
      json = parsed.flags.has('json');
    } catch (err) {
      return reportError(err);
    }
    const api = captureApi(process.platform);
    if (!api) {
      if (json) process.stdout.write(`${JSON.stringify({ api: null, devices: [] })}\n`);
      else process.stdout.write(`Cameras are not supported on ${process.platform}.\n`);
      return EXIT.ok;
    }
    const devices = await listCameras(api);
    process.stdout.write(
      json ? `${JSON.stringify({ api, devices })}\n` : `${describeDevices(api, devices)}\n`,
    );
    return EXIT.ok;
  },
};

const NONE: Record<CaptureApi, string> = {
  v4l2: 'No camera found: there is no /dev/video* device. Plug a camera in (`dmesg` shows whether the kernel saw it); in a container, pass the device through (docker run --device /dev/video0).',
  avfoundation:
    'No camera found by avfoundation. Check that the camera is connected and that your terminal may use it (System Settings > Privacy & Security > Camera).',
  dshow:
    'No camera found by DirectShow. Check that the camera is connected and enabled (Device Manager, Settings > Privacy > Camera).',
};

/** The listing for people: one block per camera, formats indented below it. */
export function describeDevices(api: CaptureApi, devices: readonly CameraDevice[]): string {
  if (devices.length === 0) return NONE[api];
  const lines = [`Cameras (${api}); use the first column as the camera source's device:`];
  const width = Math.max(...devices.map((d) => d.device.length));
  for (const d of devices) {
    const note = d.capture === false ? '  (not a capture device: metadata or output node)' : '';
    lines.push(`  ${d.device.padEnd(width)}  ${d.name}${note}`);
    for (const f of d.formats ?? []) {
      const sizes = f.sizes.length > 0 ? `  ${f.sizes.join(' ')}` : '';
      lines.push(`      ${f.format.padEnd(8)} ${f.description}${sizes}`);
    }
  }
  return lines.join('\n');
}
