/**
 * COCO JSON: the `instances_*.json` annotation files and the detection results
 * format (`[{image_id, category_id, bbox, score}]`). Boxes are `[x, y, w, h]` in the
 * file and `[x1, y1, x2, y2]` here. Category ids stay COCO's (1..90 for COCO
 * itself); `area` is kept because COCO's size split uses the mask area.
 */
import { FramewireError } from '../../core/errors.ts';
import type { AnnotationSet, Box, GroundTruth, Prediction } from '../types.ts';

interface CocoFile {
  images?: { id: number | string; file_name?: string; width?: number; height?: number }[];
  annotations?: {
    image_id: number | string;
    category_id: number;
    bbox: number[];
    area?: number;
    iscrowd?: number | boolean;
    ignore?: number | boolean;
  }[];
  categories?: { id: number; name: string }[];
}

function fail(message: string): never {
  throw new FramewireError('USAGE', `COCO annotations: ${message}`, { fatal: true });
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
export function parseCocoAnnotations(input: string | object): AnnotationSet {
  const data = parse(input) as CocoFile;
  if (!data || typeof data !== 'object' || !Array.isArray(data.images)) {
    fail('expected an object with "images", "annotations" and "categories"');
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

/** Parses a COCO results file: `[{image_id, category_id, bbox: [x,y,w,h], score}]`. */
export function parseCocoResults(input: string | object): Prediction[] {
  const data = parse(input);
  if (!Array.isArray(data)) fail('results must be a JSON array');
  return (
    data as { image_id: number | string; category_id: number; bbox: number[]; score: number }[]
  ).map((r, i) => ({
    imageId: r.image_id,
    classId: r.category_id,
    box: xywh(r.bbox, `results[${i}]`),
    score: r.score,
  }));
}
