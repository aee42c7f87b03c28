/**
 * YOLO label files: one `.txt` per image, one object per line,
 * `class cx cy w h` normalized to 0..1 (Ultralytics segment labels, `class x1 y1
 * x2 y2 …` polygons, become their bounding box). Converting to pixels needs each
 * image's size, which the caller supplies with `sizeOf(imagePath)`. An image
 * without a label file has no objects, as YOLO datasets define it.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { FramewireError } from '../../core/errors.ts';
import type { AnnotationSet, GroundTruth, ImageId } from '../types.ts';

export interface ImageSize {
  width: number;
  height: number;
}

/** Parses one label file's text into pixel boxes. */
export function parseYoloLabels(
  text: string,
  size: ImageSize,
  imageId: ImageId,
  where = String(imageId),
): GroundTruth[] {
  const out: GroundTruth[] = [];
  text.split(/\r?\n/).forEach((line, n) => {
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) return;
    const v = fields.map(Number);
    if (v.some((x) => !Number.isFinite(x)) || fields.length < 5 || fields.length % 2 === 0) {
      throw new FramewireError(
        'USAGE',
        `${where}:${n + 1}: expected "class cx cy w h" (or "class x y x y …"), got "${line.trim()}"`,
      );
    }
    const classId = v[0]!;
    let x1: number;
    let y1: number;
    let x2: number;
    let y2: number;
    if (v.length === 5) {
      const [, cx, cy, w, h] = v as [number, number, number, number, number];
      [x1, y1, x2, y2] = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
    } else {
      // A polygon: its bounding box.
      const xs = v.filter((_, i) => i > 0 && i % 2 === 1);
      const ys = v.filter((_, i) => i > 0 && i % 2 === 0);
      [x1, y1, x2, y2] = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    }
    out.push({
      imageId,
      classId,
      box: [x1 * size.width, y1 * size.height, x2 * size.width, y2 * size.height],
    });
  });
  return out;
}

/** `…/images/train/a.jpg` → `…/labels/train/a.txt`, the Ultralytics layout. */
export function defaultLabelPath(imagePath: string): string {
  const i = imagePath.lastIndexOf('/images/');
  const swapped = i >= 0 ? `${imagePath.slice(0, i)}/labels/${imagePath.slice(i + 8)}` : imagePath;
  return swapped.slice(0, swapped.length - extname(swapped).length) + '.txt';
}

export interface YoloDatasetOptions {
  /** Image paths; each image's id is its path. */
  images: readonly string[];
  sizeOf(imagePath: string): ImageSize | Promise<ImageSize>;
  /** Class names by id (from the dataset YAML's `names`). */
  names?: readonly string[];
  labelPathOf?(imagePath: string): string;
}

export async function loadYoloDataset(opts: YoloDatasetOptions): Promise<AnnotationSet> {
  const labelPathOf = opts.labelPathOf ?? defaultLabelPath;
  const images: AnnotationSet['images'] = [];
  const annotations: GroundTruth[] = [];
  for (const image of opts.images) {
    const size = await opts.sizeOf(image);
    images.push({ id: image, file: image, width: size.width, height: size.height });
    const labelPath = labelPathOf(image);
    let text: string;
    try {
      text = await readFile(labelPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    annotations.push(...parseYoloLabels(text, size, image, basename(labelPath)));
  }
  const ids = new Set(annotations.map((a) => a.classId));
  for (let i = 0; i < (opts.names?.length ?? 0); i++) ids.add(i);
  const categories = [...ids]
    .sort((a, b) => a - b)
    .map((id) => ({ id, name: opts.names?.[id] ?? String(id) }));
  return { images, annotations, categories };
}
