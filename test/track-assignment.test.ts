import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seededRandom } from './helpers/random.ts';
import { gatedAssignment, linearAssignment } from '../src/tracking/linear-assignment.ts';

const X = Number.POSITIVE_INFINITY;

/** Every assignment by brute force: the optimum the solver must reach (cardinality first, then cost). */
function bruteForce(cost: number[], rows: number, cols: number): { pairs: number; cost: number } {
  let best = { pairs: -1, cost: X };
  const usedCols = new Set<number>();
  const walk = (r: number, pairs: number, total: number) => {
    if (r === rows) {
      if (pairs > best.pairs || (pairs === best.pairs && total < best.cost - 1e-12))
        best = { pairs, cost: total };
      return;
    }
    walk(r + 1, pairs, total); // row r left unassigned
    for (let c = 0; c < cols; c++) {
      const v = cost[r * cols + c]!;
      if (usedCols.has(c) || !Number.isFinite(v)) continue;
      usedCols.add(c);
      walk(r + 1, pairs + 1, total + v);
      usedCols.delete(c);
    }
  };
  walk(0, 0, 0);
  return best;
}

const cases: {
  name: string;
  cost: number[];
  rows: number;
  cols: number;
  rowToCol: number[];
  total: number;
}[] = [
  // The textbook 3×3: the greedy pick (row 0 → col 1, cost 1) is not optimal.
  {
    name: 'square 3×3',
    cost: [4, 1, 3, 2, 0, 5, 3, 2, 2],
    rows: 3,
    cols: 3,
    rowToCol: [1, 0, 2],
    total: 5,
  },
  // Wide: two rows, three columns; column 1 stays free.
  { name: 'wide 2×3', cost: [1, 2, 3, 3, 2, 1], rows: 2, cols: 3, rowToCol: [0, 2], total: 2 },
  // Tall: solved transposed; row 1 stays unassigned.
  { name: 'tall 3×2', cost: [1, 3, 9, 9, 3, 1], rows: 3, cols: 2, rowToCol: [0, -1, 1], total: 2 },
  // All ties: every permutation costs the same; the lowest columns win, deterministically.
  { name: 'ties', cost: [1, 1, 1, 1], rows: 2, cols: 2, rowToCol: [0, 1], total: 2 },
  // A forbidden pair (Infinity) is never used even when it would be cheapest overall.
  { name: 'forbidden', cost: [X, 0, 5, 6], rows: 2, cols: 2, rowToCol: [1, 0], total: 5 },
  // More allowed pairs beat a lower total: 2 pairs costing 10 over 1 pair costing 0.
  { name: 'cardinality first', cost: [0, 5, 5, X], rows: 2, cols: 2, rowToCol: [1, 0], total: 10 },
  // A row with nothing allowed stays unassigned.
  { name: 'row all forbidden', cost: [X, X, 1, 2], rows: 2, cols: 2, rowToCol: [-1, 0], total: 1 },
  // NaN is forbidden too (py-motmetrics marks do-not-pair with NaN).
  { name: 'NaN forbidden', cost: [Number.NaN, 1], rows: 1, cols: 2, rowToCol: [1], total: 1 },
  // Negative costs are fine (potentials handle any sign).
  { name: 'negative', cost: [-1, -5, -3, -2], rows: 2, cols: 2, rowToCol: [1, 0], total: -8 },
  // Empty matrices.
  { name: 'empty rows', cost: [], rows: 0, cols: 3, rowToCol: [], total: 0 },
  { name: 'empty cols', cost: [], rows: 2, cols: 0, rowToCol: [-1, -1], total: 0 },
];

for (const c of cases) {
  test(`linearAssignment: ${c.name}`, () => {
    const a = linearAssignment(c.cost, c.rows, c.cols);
    assert.equal([...a.rowToCol], c.rowToCol);
    assert.ok(Math.abs(a.cost - c.total) < 1e-9, `cost ${a.cost} ≠ ${c.total}`);
    // colToRow is the inverse of rowToCol.
    a.rowToCol.forEach((col, row) => {
      if (col >= 0) assert.is(a.colToRow[col], row);
    });
  });
}

test('linearAssignment: optimal on random matrices (brute force), with forbidden pairs', () => {
  const rand = seededRandom(7);
  for (let trial = 0; trial < 300; trial++) {
    const rows = 1 + Math.floor(rand() * 5);
    const cols = 1 + Math.floor(rand() * 5);
    const cost = Array.from({ length: rows * cols }, () =>
      rand() < 0.25 ? X : Math.round(rand() * 20) / 2,
    );
    const best = bruteForce(cost, rows, cols);
    const a = linearAssignment(cost, rows, cols);
    const pairs = [...a.rowToCol].filter((c) => c >= 0).length;
    assert.is(pairs, best.pairs, `trial ${trial}: pairs`);
    assert.ok(Math.abs(a.cost - best.cost) < 1e-9, `trial ${trial}: ${a.cost} vs ${best.cost}`);
  }
});

test('gatedAssignment: pairs above the gate are never matched (inclusive bound)', () => {
  // 1 - IoU costs; gate 0.7 (IoU ≥ 0.3). 0.7 itself is allowed, 0.71 is not.
  const a = gatedAssignment([0.7, 0.71, 0.9, 0.2], 2, 2, 0.7);
  assert.equal([...a.rowToCol], [0, 1]);
  const b = gatedAssignment([0.71, 0.9, 0.9, 0.2], 2, 2, 0.7);
  assert.equal([...b.rowToCol], [-1, 1]);
});

test('linearAssignment: rejects a cost array of the wrong size', () => {
  assert.throws(() => linearAssignment([1, 2, 3], 2, 2), /3 costs for a 2×2/);
});

test.run();
