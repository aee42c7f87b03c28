import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FramewireError } from '../core/errors.ts';
import { type Logger, stderrLogger } from '../core/log.ts';
import { isCachedModelValid, userCacheDir, writeCachedModel } from './cache.ts';
import type { SpecOverrides } from './model-spec.ts';
import { convertTflite } from './tflite/convert.ts';
import { parseTflite } from './tflite/model.ts';

/**
 * The embedded person segmenter: MediaPipe's general selfie segmentation model
 * (256×256, Apache-2.0) as `@mediapipe/selfie_segmentation` ships it, a
 * float16 TFLite file, converted to ONNX on first use and cached. Nothing is
 * downloaded.
 */

/** Bump when the TFLite converter's output changes, so cached models are rebuilt. */
export const SELFIE_CONVERTER_VERSION = 1;

export const SELFIE_MODEL = Object.freeze({
  id: 'mediapipe-selfie',
  file: 'mediapipe-selfie-256.onnx',
  source: '@mediapipe/selfie_segmentation selfie_segmentation.tflite (Apache-2.0)',
  input: {
    name: 'input_1',
    /** NHWC, fixed size. */
    shape: [1, 256, 256, 3] as const,
  },
  /** [1,256,256,1]: the person probability, already through the model's own sigmoid. */
  output: 'activation_10',
  labels: ['background', 'person'] as const,
});

/**
 * How MediaPipe feeds it (selfie_segmentation_gpu.pbtxt, ImageToTensorCalculator):
 * the whole frame stretched to 256×256 (`keep_aspect_ratio: false`), RGB
 * scaled to [0, 1]; the output is used as is (`activation: NONE`).
 */
export const SELFIE_SPEC: SpecOverrides = {
  file: 'the embedded selfie segmenter',
  size: [SELFIE_MODEL.input.shape[1], SELFIE_MODEL.input.shape[2]],
  layout: 'NHWC',
  dtype: 'float32',
  scale: 1 / 255,
  colorOrder: 'RGB',
  resize: 'stretch',
  labels: [...SELFIE_MODEL.labels],
};

export const SELFIE_CONVERSION_MESSAGE =
  'preparing the default person segmenter (one-time conversion to ONNX)…';

export interface SelfiePrepareOptions {
  /** Default: `userCacheDir()`. */
  cacheDir?: string;
  log?: Logger;
  /** The `.tflite` file; default: the one in `@mediapipe/selfie_segmentation`. For tests. */
  sourceTflite?: string;
}

/** Path of the bundled TFLite model, next to the package's main script. */
export function selfieSourcePath(): string {
  let main: string;
  try {
    main = createRequire(import.meta.url).resolve('@mediapipe/selfie_segmentation');
  } catch (err) {
    throw missing('the package @mediapipe/selfie_segmentation is not installed', err);
  }
  return join(dirname(main), 'selfie_segmentation.tflite');
}

/** The cached model's path if present and valid, without converting; for `models list`. */
export async function cachedSelfieModel(
  options: SelfiePrepareOptions = {},
): Promise<string | undefined> {
  const target = join(options.cacheDir ?? userCacheDir(), SELFIE_MODEL.file);
  const { key } = await readSource(options.sourceTflite ?? selfieSourcePath());
  return (await isCachedModelValid(target, key)) ? target : undefined;
}

/**
 * The path of the cached ONNX model, converting it first when the cache is
 * missing, stale (other source or converter version) or corrupt.
 */
export async function prepareSelfieModel(options: SelfiePrepareOptions = {}): Promise<string> {
  const dir = options.cacheDir ?? userCacheDir();
  const target = join(dir, SELFIE_MODEL.file);
  const { bytes, key } = await readSource(options.sourceTflite ?? selfieSourcePath());
  if (await isCachedModelValid(target, key)) return target;

  (options.log ?? stderrLogger).info(SELFIE_CONVERSION_MESSAGE);
  const { onnx } = convertTflite(
    parseTflite(bytes),
    `${SELFIE_MODEL.source}, converted by framewire (TFLite converter v${SELFIE_CONVERTER_VERSION})`,
  );
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

async function readSource(path: string): Promise<{ bytes: Buffer; key: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw missing(`the embedded segmenter's model is missing: ${path}`, err);
  }
  const key = createHash('sha256')
    .update(`framewire-tflite-converter-v${SELFIE_CONVERTER_VERSION}\n`)
    .update(bytes)
    .digest('hex');
  return { bytes, key };
}

function missing(message: string, cause: unknown): FramewireError {
  return new FramewireError('MODEL_MISSING', message, {
    cause,
    hint: 'reinstall framewire (the model comes with the @mediapipe/selfie_segmentation package)',
  });
}
