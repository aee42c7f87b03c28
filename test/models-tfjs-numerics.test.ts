/**
 * The converted embedded CenterNet against the TF.js original, on one
 * deterministic pseudo-random 512×512 frame. TF.js runs on its pure-JS CPU
 * backend (slow: the one inference takes tens of seconds); onnxruntime on CPU.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EMBEDDED_MODEL, embeddedSourcePath } from '../src/models/embedded.ts';
import { convertTfjsGraph } from '../src/models/tfjs/convert.ts';
import { readTfjsGraph } from '../src/models/tfjs/graph.ts';
import { maxAbsDiff, pseudoRandom, quietTfjs, runOrt, runTfjs } from './models-tfjs-helpers.ts';

quietTfjs();

test('heatmap within 1e-6 and wh within 1e-2 px of TF.js on a 512×512 frame', async () => {
  const jsonPath = embeddedSourcePath();
  const json = JSON.parse(await readFile(jsonPath, 'utf8'));
  const bin = await readFile(join(dirname(jsonPath), 'centernet.bin'));
  const { input, outputs } = EMBEDDED_MODEL;
  const names = [outputs.heatmap, outputs.wh];
  const shape = [...input.shape];
  // Integer pixel values 0..255, as a decoded RGB frame would give.
  const frame = pseudoRandom(512 * 512 * 3, 2026, 0, 256).map(Math.floor);

  const converted = convertTfjsGraph(await readTfjsGraph(jsonPath), { outputs: names });
  const [heat, wh] = await runOrt(converted.onnx, input.name, frame, shape, names);
  const [tfHeat, tfWh] = await runTfjs(json, bin, frame, shape, names);
  assert.ok(heat && wh && tfHeat && tfWh);
  assert.is(heat.length, 128 * 128 * 80);
  assert.is(wh.length, 128 * 128 * 4);

  const heatDiff = maxAbsDiff(heat, tfHeat);
  const whDiff = maxAbsDiff(wh, tfWh);
  const whMax = tfWh.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  console.log(
    `  max |Δ| heatmap ${heatDiff.toExponential(2)}, wh ${whDiff.toExponential(2)} px ` +
      `(|wh| ≤ ${whMax.toFixed(1)})`,
  );
  // Not a degenerate comparison: the heads produce varied, non-zero values.
  assert.ok(tfHeat.some((v) => v > 0.05) && whMax > 10, 'outputs carry signal');
  // Measured: 2.7e-7 on the heatmap, 6.1e-4 px on wh (the README states these bounds).
  assert.ok(heatDiff < 1e-6, `heatmap max abs diff ${heatDiff}`);
  assert.ok(whDiff < 1e-2, `wh max abs diff ${whDiff}`);
});

test.run();
