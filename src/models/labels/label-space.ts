import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FramewireError } from '../../core/errors.ts';
import { COCO80_LABELS } from './coco80.ts';
import { COCO91_LABELS } from './coco91.ts';
import { VOC21_LABELS } from './voc21.ts';

/**
 * A label space: class names indexed by the class id the model emits. This is
 * the one table that turns a model's class id into a label; nothing remaps ids,
 * so a detection's `classId` is always the model's own id and, equally, its
 * index here. A hole (an id with no class, such as coco91's gaps) prints as
 * the bare id.
 */
export type LabelSpace = readonly string[];

/** The label spaces a descriptor can name instead of listing classes. */
export const NAMED_LABEL_SPACES: Readonly<Record<string, LabelSpace>> = Object.freeze({
  /** The contiguous 0..79 index: YOLO (all versions), the embedded CenterNet. */
  coco80: COCO80_LABELS,
  /** COCO category ids 1..90 with gaps: torchvision, TF Object Detection API, DETR. */
  coco91: COCO91_LABELS,
  /** PASCAL VOC segmentation: 0 background, 1 aeroplane … 15 person … 20 tvmonitor. */
  voc21: VOC21_LABELS,
});

/**
 * Decoders whose families emit COCO category ids when trained on COCO, so a
 * model of theirs that names no labels gets `coco91` instead of `coco80`.
 */
const CATEGORY_ID_DECODERS = new Set(['torchvision', 'ssd-tf']);

/** The named space a model with no declared labels and no metadata names gets. */
export function defaultLabelSpaceName(decoder: string): 'coco80' | 'coco91' {
  return CATEGORY_ID_DECODERS.has(decoder) ? 'coco91' : 'coco80';
}

/** Resolved labels and where they came from (for `framewire detect` and messages). */
export interface ResolvedLabels {
  readonly labels: LabelSpace;
  readonly from: string;
  /** Neither the descriptor nor the metadata said: the decoder's default applies. */
  readonly defaulted: boolean;
}

const HINT =
  '`labels` takes `coco80` (ids 0–79, YOLO), `coco91` (COCO category ids 1–90, torchvision / TF), `voc21` (PASCAL VOC segmentation, 0 = background), a list of names, or a file with one name per line';

/**
 * Labels from the descriptor (a named space, a list, a file relative to the
 * descriptor), else the model's metadata, else `coco80` marked as defaulted.
 */
export async function resolveLabels(
  declared: string | string[] | undefined,
  fromMeta: readonly string[] | undefined,
  descriptorFile: string | undefined,
): Promise<ResolvedLabels> {
  if (Array.isArray(declared)) return { labels: declared, from: 'descriptor', defaulted: false };
  if (typeof declared === 'string') {
    const named = NAMED_LABEL_SPACES[declared];
    if (named && Object.hasOwn(NAMED_LABEL_SPACES, declared)) {
      return { labels: named, from: declared, defaulted: false };
    }
    return { ...(await labelsFile(declared, descriptorFile)), defaulted: false };
  }
  if (fromMeta) return { labels: fromMeta, from: 'model metadata', defaulted: false };
  return { labels: COCO80_LABELS, from: 'coco80 (default)', defaulted: true };
}

/** The default labels for a decoder, replacing a defaulted `coco80`. */
export function decoderDefaultLabels(decoder: string): ResolvedLabels {
  const name = defaultLabelSpaceName(decoder);
  return {
    labels: NAMED_LABEL_SPACES[name]!,
    from: name === 'coco80' ? 'coco80 (default)' : `${name} (default for ${decoder})`,
    defaulted: true,
  };
}

/** One name per line: the n-th non-blank line names class id n - 1. */
async function labelsFile(
  declared: string,
  descriptorFile: string | undefined,
): Promise<{ labels: LabelSpace; from: string }> {
  const path = resolve(descriptorFile ? dirname(descriptorFile) : '.', declared);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    const looksNamed = /^[a-z]+\d+$/i.test(declared);
    throw new FramewireError(
      'MODEL_MISSING',
      looksNamed
        ? `labels: "${declared}" is neither a known label space (${Object.keys(NAMED_LABEL_SPACES).join(', ')}) nor a file (${path})`
        : `labels file not found: ${path}`,
      { hint: HINT },
    );
  }
  const labels = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return { labels, from: path };
}
