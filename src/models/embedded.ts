import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FramewireError } from '../core/errors.ts';
import { type Logger, stderrLogger } from '../core/log.ts';
import { isCachedModelValid, userCacheDir, writeCachedModel } from './cache.ts';
import { COCO80_LABELS } from './labels/coco80.ts';
import { convertTfjsGraph } from './tfjs/convert.ts';
import { readTfjsGraph } from './tfjs/graph.ts';

/**
 * The embedded default detector: the COCO-80 MobileNetV3 CenterNet shipped by
 * `@vladmandic/human` as a TF.js graph (MIT), converted to ONNX on first use
 * and cached. Nothing is downloaded.
 */

/** Bump when the converter's output changes, so cached models are rebuilt. */
export const CONVERTER_VERSION = 1;

/** What a decoder needs to know about the converted model. */
export const EMBEDDED_MODEL = Object.freeze({
  id: 'centernet-coco80',
  file: 'centernet-coco80.onnx',
  family: 'centernet',
  source: '@vladmandic/human models/centernet.json (MIT)',
  input: {
    name: 'tower_0/images',
    /** NHWC, fixed size. */
    shape: [1, 512, 512, 3] as const,
    layout: 'nhwc',
    colour: 'rgb',
    /** Raw pixel values, as @vladmandic/human feeds it: no mean/std normalization outside. */
    range: [0, 255] as const,
    resize: 'letterbox',
  },
  outputs: {
    /** [1,128,128,80] per-class centre heatmap, already sigmoid. */
    heatmap: 'tower_0/keypoints',
    /**
     * [1,128,128,4] distances from the cell's centre point (x·4, y·4) to the box
     * edges, in input pixels: box = [cx − d0, cy − d1, cx + d2, cy + d3]
     * (the graph's own head, cut off here, decodes it that way after a 3×3
     * max-pool peak filter and top-100).
     */
    wh: 'tower_0/wh',
  },
  /** Input pixels per heatmap cell. */
  stride: 4,
  labels: COCO80_LABELS,
});

export interface PrepareOptions {
  /** Default: `userCacheDir()`. */
  cacheDir?: string;
  /** Where the one-line conversion notice goes; default stderr. */
  log?: Logger;
  /** The TF.js `model.json`; default: the one in `@vladmandic/human`. For tests. */
  sourceJson?: string;
}

export const CONVERSION_MESSAGE = 'preparing the default detector (one-time conversion to ONNX)…';

/** Path of the bundled TF.js model (its package exports no data paths, so go via its main). */
export function embeddedSourcePath(): string {
  const main = createRequire(import.meta.url).resolve('@vladmandic/human');
  return join(dirname(main), '..', 'models', 'centernet.json');
}

/** The cached model's path if it is present and valid, without converting; for `models list`. */
export async function cachedEmbeddedModel(
  options: PrepareOptions = {},
): Promise<string | undefined> {
  const target = join(options.cacheDir ?? userCacheDir(), EMBEDDED_MODEL.file);
  const key = await sourceKey(options.sourceJson ?? embeddedSourcePath());
  return (await isCachedModelValid(target, key)) ? target : undefined;
}

/**
 * Returns the path of the cached ONNX model, converting it first when the cache
 * is missing, stale (other source or converter version) or corrupt.
 */
export async function prepareEmbeddedModel(options: PrepareOptions = {}): Promise<string> {
  const dir = options.cacheDir ?? userCacheDir();
  const target = join(dir, EMBEDDED_MODEL.file);
  const source = options.sourceJson ?? embeddedSourcePath();
  const key = await sourceKey(source);
  if (await isCachedModelValid(target, key)) return target;

  (options.log ?? stderrLogger).info(CONVERSION_MESSAGE);
  const graph = await readTfjsGraph(source);
  const { onnx } = convertTfjsGraph(graph, {
    outputs: [EMBEDDED_MODEL.outputs.heatmap, EMBEDDED_MODEL.outputs.wh],
    doc: `${EMBEDDED_MODEL.source}, converted by framewire (converter v${CONVERTER_VERSION})`,
  });
  try {
    await writeCachedModel(target, onnx, key);
  } catch (err) {
    throw new FramewireError('MODEL_MISSING', `cannot write the model cache in ${dir}`, {
      cause: err,
      hint: 'set FRAMEWIRE_CACHE_DIR to a writable directory',
    });
  }
  return target;
}

async function sourceKey(jsonPath: string): Promise<string> {
  let json: Buffer;
  try {
    json = await readFile(jsonPath);
  } catch (err) {
    throw new FramewireError('MODEL_MISSING', `the embedded model source is missing: ${jsonPath}`, {
      cause: err,
      hint: 'reinstall framewire (the model comes with the @vladmandic/human package)',
    });
  }
  const hash = createHash('sha256').update(`framewire-converter-v${CONVERTER_VERSION}\n`);
  hash.update(json);
  const manifest = (JSON.parse(json.toString('utf8')).weightsManifest ?? []) as {
    paths: string[];
  }[];
  for (const path of manifest.flatMap((g) => g.paths)) {
    hash.update(await readFile(join(dirname(jsonPath), path)));
  }
  return hash.digest('hex');
}
