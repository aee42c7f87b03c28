import { FramewireError } from '../core/errors.ts';
import { FfmpegProcess } from '../core/ffmpeg-process.ts';

/** A ground-truth mask: one class id per pixel, row-major. */
export interface ClassMask {
  readonly width: number;
  readonly height: number;
  readonly classes: Uint8Array;
}

/**
 * Reads a mask PNG whose pixel values are class ids: a palette PNG (PASCAL
 * VOC's SegmentationClass, the palette index is the class) or 8-bit
 * greyscale. ffmpeg passes either through unconverted (`rawvideo` keeps the
 * input's format), so the ids are exact; a palette output is followed by its
 * 1024-byte palette, which is dropped. Colour masks are refused: their colours
 * would need a table to become ids.
 */
export async function readClassMask(path: string): Promise<ClassMask> {
  let inOutput = false;
  let format: { pix: string; width: number; height: number } | undefined;
  const chunks: Buffer[] = [];
  const child = new FfmpegProcess({
    args: ['-i', path, '-frames:v', '1', '-f', 'rawvideo', 'pipe:1'],
    stdout: true,
    errorCode: 'SOURCE_OPEN',
    task: `cannot read the mask ${path}`,
    onStderrLine: (line) => {
      if (line.startsWith('Output #0')) inOutput = true;
      const m =
        inOutput && !format ? /Video: rawvideo[^,]*, (\w+)[^,]*, (\d+)x(\d+)/.exec(line) : null;
      if (m) format = { pix: m[1]!, width: Number(m[2]), height: Number(m[3]) };
    },
  });
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) chunks.push(chunk);
  const exit = await child.exited;
  if (exit.code !== 0 || !format) {
    throw new FramewireError('SOURCE_OPEN', `cannot read the mask ${path}`, {
      hint: 'masks are PNG files named like their images (VOC palette PNGs or 8-bit greyscale class ids)',
    });
  }
  if (format.pix !== 'pal8' && format.pix !== 'gray') {
    throw new FramewireError(
      'SOURCE_OPEN',
      `the mask ${path} is ${format.pix}; masks hold class ids as palette indices or 8-bit grey values`,
      {
        hint: 'save masks as palette (VOC SegmentationClass) or greyscale PNGs whose values are the class ids',
      },
    );
  }
  const data = Buffer.concat(chunks);
  const pixels = format.width * format.height;
  return {
    width: format.width,
    height: format.height,
    classes: new Uint8Array(data.subarray(0, pixels)),
  };
}
