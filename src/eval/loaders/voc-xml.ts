/**
 * Pascal VOC annotation XML: one file per image with `<size>` and `<object>`s
 * (`name`, `bndbox` xmin/ymin/xmax/ymax, `difficult`). VOC coordinates are 1-based
 * inclusive pixel indices; they become continuous pixel edges here
 * (`x1 = xmin - 1`, `x2 = xmax`), so a 1-pixel object has width 1. `difficult`
 * objects are ignored regions: detecting them neither helps nor hurts, as in the
 * VOC devkit.
 */
import { readFile } from 'node:fs/promises';
import { FramewireError } from '../../core/errors.ts';
import { VOC21_LABELS } from '../../models/labels/voc21.ts';
import type { AnnotationSet, Box, GroundTruth, ImageId } from '../types.ts';
import { childText, parseXml, type XmlElement } from './xml.ts';

/** The 20 VOC classes in the conventional order (ids 0..19): the segmentation space without its background. */
export const VOC_CLASSES: readonly string[] = VOC21_LABELS.slice(1);

export interface VocObject {
  name: string;
  box: Box;
  difficult: boolean;
}

export interface VocAnnotation {
  file: string;
  width: number | undefined;
  height: number | undefined;
  objects: VocObject[];
}

export function parseVocXml(text: string, where = 'VOC annotation'): VocAnnotation {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    throw new FramewireError('USAGE', `${where}: ${(err as Error).message}`);
  }
  if (root.name !== 'annotation') {
    throw new FramewireError(
      'USAGE',
      `${where}: root element is <${root.name}>, expected <annotation>`,
    );
  }
  const size = root.children.find((c) => c.name === 'size');
  const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
  const objects = root.children
    .filter((c) => c.name === 'object')
    .map((o, i): VocObject => {
      const bb = o.children.find((c) => c.name === 'bndbox');
      const coords = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) => num(childText(bb, k)));
      if (coords.some((v) => v === undefined || !Number.isFinite(v))) {
        throw new FramewireError('USAGE', `${where}: object ${i + 1} has no valid <bndbox>`);
      }
      const [xmin, ymin, xmax, ymax] = coords as number[];
      return {
        name: childText(o, 'name') ?? '',
        box: [xmin! - 1, ymin! - 1, xmax!, ymax!],
        difficult: childText(o, 'difficult') === '1',
      };
    });
  return {
    file: childText(root, 'filename') ?? '',
    width: num(childText(size, 'width')),
    height: num(childText(size, 'height')),
    objects,
  };
}

export interface VocDatasetOptions {
  /** Annotation XML paths. */
  files: readonly string[];
  /** Class names in id order; default: the 20 VOC classes if every name is one, else sorted names. */
  classNames?: readonly string[];
}

/** Loads VOC XML files; an image's id is its `<filename>` (or the XML path if empty). */
export async function loadVocDataset(opts: VocDatasetOptions): Promise<AnnotationSet> {
  const parsed = await Promise.all(
    opts.files.map(async (f) => ({ path: f, ann: parseVocXml(await readFile(f, 'utf8'), f) })),
  );
  const seen = new Set(parsed.flatMap((p) => p.ann.objects.map((o) => o.name)));
  const names =
    opts.classNames ??
    ([...seen].every((n) => VOC_CLASSES.includes(n)) ? VOC_CLASSES : [...seen].sort());
  const annotations: GroundTruth[] = [];
  const images = parsed.map(({ path, ann }) => {
    const id: ImageId = ann.file || path;
    for (const o of ann.objects) {
      const classId = names.indexOf(o.name);
      if (classId < 0) {
        throw new FramewireError(
          'USAGE',
          `${path}: class "${o.name}" is not one of ${names.join(', ')}`,
        );
      }
      annotations.push({
        imageId: id,
        classId,
        box: o.box,
        ...(o.difficult ? { ignore: true } : {}),
      });
    }
    return {
      id,
      file: ann.file || path,
      ...(ann.width !== undefined ? { width: ann.width } : {}),
      ...(ann.height !== undefined ? { height: ann.height } : {}),
    };
  });
  return { images, annotations, categories: names.map((name, id) => ({ id, name })) };
}
