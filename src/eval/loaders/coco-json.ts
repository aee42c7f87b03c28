/**
 * COCO JSON: the `instances_*.json` annotation files and the detection results
 * format (`[{image_id, category_id, bbox, score}]`). Boxes are `[x, y, w, h]` in the
 * file and `[x1, y1, x2, y2]` here. Category ids stay COCO's (1..90 for COCO
 * itself); `area` is kept because COCO's size split uses the mask area. With
 * `masks`, each `segmentation` (polygons or RLE) becomes the object's mask.
 */
import { FramewireError } from '../../core/errors.ts';
import { runsBox } from '../mask-runs.ts';
import type { AnnotationSet, Box, GroundTruth, Prediction } from '../types.ts';
import { segmentationToRuns } from './coco-segmentation.ts';

export interface CocoParseOptions {
  /** Read every `segmentation` into a mask (for `segm` evaluation); it must be there. */
  masks?: boolean;
}

interface CocoFile {
  images?: { id: number | string; file_name?: string; width?: number; height?: number }[];
  annotations?: {
    image_id: number | string;
    category_id: number;
    bbox: number[];
    area?: number;
    iscrowd?: number | boolean;
    ignore?: number | boolean;
    segmentation?: unknown;
  }[];
  categories?: { id: number; name: string }[];
}

function fail(message: string, hint?: string): never {
  throw new FramewireError('USAGE', `COCO annotations: ${message}`, {
    fatal: true,
    ...(hint ? { hint } : {}),
  });
}

function xywh(bbox: unknown, where: string): Box {
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number')) {
    fail(`${where}.bbox must be [x, y, width, height]`);
  }
  const [x, y, w, h] = bbox as number[];
  return [x!, y!, x! + w!, y! + h!];
}

function parse(input: string | object): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch (err) {
    fail(`not valid JSON (${(err as Error).message})`);
  }
}

/** Parses an annotation file's text (or its parsed object). */
export function parseCocoAnnotations(
  input: string | object,
  opts: CocoParseOptions = {},
): AnnotationSet {
  const data = parse(input) as CocoFile;
  if (!data || typeof data !== 'object' || !Array.isArray(data.images)) {
    fail('expected an object with "images", "annotations" and "categories"');
  }
  const sizes = new Map<number | string, { height: number; width: number }>();
  for (const im of data.images) {
    if (typeof im.width === 'number' && typeof im.height === 'number') {
      sizes.set(im.id, { height: im.height, width: im.width });
    }
  }
  const annotations: GroundTruth[] = (data.annotations ?? []).map((a, i) => {
    const g: GroundTruth = {
      imageId: a.image_id,
      classId: a.category_id,
      box: xywh(a.bbox, `annotations[${i}]`),
    };
    if (a.iscrowd) g.iscrowd = true;
    if (a.ignore) g.ignore = true;
    if (typeof a.area === 'number') g.area = a.area;
    if (opts.masks) {
      if (a.segmentation === undefined) {
        fail(
          `annotations[${i}] has no "segmentation"`,
          'mask evaluation needs polygons or RLE on every object; --iou-type bbox scores boxes',
        );
      }
      g.mask = segmentationToRuns(a.segmentation, sizes.get(a.image_id), `annotations[${i}]`);
    }
    return g;
  });
  return {
    images: data.images.map((im) => ({
      id: im.id,
      file: im.file_name ?? String(im.id),
      ...(im.width !== undefined ? { width: im.width } : {}),
      ...(im.height !== undefined ? { height: im.height } : {}),
    })),
    annotations,
    categories: (data.categories ?? []).map((c) => ({ id: c.id, name: c.name })),
  };
}

/**
 * Parses a COCO results file: `[{image_id, category_id, bbox: [x,y,w,h], score}]`;
 * with `masks`, each result's `segmentation` RLE is its mask (`bbox` may then be
 * left out, as COCO allows).
 */
export function parseCocoResults(
  input: string | object,
  opts: CocoParseOptions = {},
): Prediction[] {
  const data = parse(input);
  if (!Array.isArray(data)) fail('results must be a JSON array');
  return (data as CocoResult[]).map((r, i) => {
    const where = `results[${i}]`;
    if (!r || typeof r !== 'object') fail(`${where} is not an object`);
    if (typeof r.score !== 'number') fail(`${where}.score must be a number`);
    if (!opts.masks) {
      return {
        imageId: r.image_id,
        classId: r.category_id,
        box: xywh(r.bbox, where),
        score: r.score,
      };
    }
    if (r.segmentation === undefined) {
      fail(
        `${where} has no "segmentation"`,
        'mask evaluation needs results with an RLE "segmentation"',
      );
    }
    const mask = segmentationToRuns(r.segmentation, undefined, where);
    const box = r.bbox === undefined ? runsBox(mask) : xywh(r.bbox, where);
    return { imageId: r.image_id, classId: r.category_id, box, score: r.score, mask };
  });
}

interface CocoResult {
  image_id: number | string;
  category_id: number;
  bbox?: number[];
  score: number;
  segmentation?: unknown;
}
