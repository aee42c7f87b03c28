/**
 * Runs fixture tensors through a real onnxruntime session, then through a decoder
 * and the NMS the detector runs after it (`decodeDetections`), and returns plain
 * rows that tests compare with expected values.
 */
import * as assert from 'uvu/assert';
import { chooseDecoder, decodeDetections, decoders } from '../../src/models/decoders/index.ts';
import type { DecodeOptions, RawDetections } from '../../src/models/decoders/types.ts';
import { type FixedOutput, runConstantModel } from './onnx-build.ts';

export const defaultOptions: DecodeOptions = {
  inputWidth: 640,
  inputHeight: 640,
  confidence: 0.25,
  iou: 0.45,
  maxDetections: 300,
  classAgnostic: false,
};

export interface Row {
  box: [number, number, number, number];
  score: number;
  classId: number;
}

export function toRows(d: RawDetections): Row[] {
  return Array.from(d.scores, (score, i) => ({
    box: Array.from(d.boxes.subarray(i * 4, i * 4 + 4)) as Row['box'],
    score,
    classId: d.classIds[i]!,
  }));
}

/**
 * Decodes `outputs` with the decoder that `chooseDecoder` picks (or `override`),
 * asserting it is `expectDecoder`, as the detector does (NMS included).
 */
export async function decodeFixture(
  outputs: readonly FixedOutput[],
  expectDecoder: string,
  opts: Partial<DecodeOptions> = {},
  meta: Record<string, string> = {},
  override?: string,
): Promise<Row[]> {
  const run = await runConstantModel(outputs, { input: [1, 3, 8, 8] });
  const decoder = chooseDecoder(run.signature, meta, override);
  assert.is(decoder.name, expectDecoder);
  assert.is(decoders.get(expectDecoder), decoder);
  return toRows(decodeDetections(decoder, run.tensors, { ...defaultOptions, ...opts }));
}

/** Rows equal to `expected` within 1e-4 (float32 round trips). */
export function assertRows(actual: Row[], expected: Row[]): void {
  const msg = `\n actual ${JSON.stringify(actual)}\n expected ${JSON.stringify(expected)}`;
  assert.is(actual.length, expected.length, `count${msg}`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    assert.is(a.classId, e.classId, `classId of row ${i}${msg}`);
    assert.ok(Math.abs(a.score - e.score) < 1e-4, `score of row ${i}${msg}`);
    a.box.forEach((v, j) => {
      assert.ok(Math.abs(v - e.box[j]!) < 1e-3, `box of row ${i}${msg}`);
    });
  });
}
