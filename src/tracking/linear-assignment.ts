/**
 * Optimal assignment (the linear sum assignment problem) by shortest augmenting
 * paths with dual potentials — the Hungarian method in its O(n²·m) form, the same
 * family as Jonker-Volgenant. Used by the trackers (IoU association) and by the
 * MOT evaluation (CLEAR-MOT correspondences, IDF1 identity matching).
 *
 * Costs are a row-major `rows × cols` matrix. `Infinity` (or NaN) marks a pair
 * that must never be assigned. Among all assignments the solver first maximises
 * the number of allowed pairs, then minimises their total cost — what
 * scipy/py-motmetrics get by replacing forbidden edges with a large constant.
 */

/** The assignment: for each row the column it got, or -1. */
export interface Assignment {
  readonly rowToCol: Int32Array;
  readonly colToRow: Int32Array;
  /** Total cost of the assigned (allowed) pairs. */
  readonly cost: number;
}

export function linearAssignment(cost: ArrayLike<number>, rows: number, cols: number): Assignment {
  if (cost.length !== rows * cols) {
    throw new RangeError(`linearAssignment: ${cost.length} costs for a ${rows}×${cols} matrix`);
  }
  const rowToCol = new Int32Array(rows).fill(-1);
  const colToRow = new Int32Array(cols).fill(-1);
  if (rows === 0 || cols === 0) return { rowToCol, colToRow, cost: 0 };

  // Rows and columns linked by allowed pairs form independent sub-problems (in
  // tracking, mostly one track and one detection each): solving them apart
  // gives the same optimum and turns a dense O(n³) into many tiny ones.
  let total = 0;
  for (const part of components(cost, rows, cols)) {
    if (part.rows.length === 1 && part.cols.length === 1) {
      // The common case: one track, one detection, nothing else in reach.
      const r = part.rows[0]!;
      const c = part.cols[0]!;
      rowToCol[r] = c;
      colToRow[c] = r;
      total += cost[r * cols + c]!;
      continue;
    }
    total += solvePart(cost, cols, part.rows, part.cols, rowToCol, colToRow);
  }
  return { rowToCol, colToRow, cost: total };
}

/** Connected components of the bipartite graph of allowed (finite) pairs; isolated rows/columns are left out. */
function components(
  cost: ArrayLike<number>,
  rows: number,
  cols: number,
): { rows: number[]; cols: number[] }[] {
  // Union-find over rows (0..rows-1) and columns (rows..rows+cols-1).
  const parent = new Int32Array(rows + cols);
  for (let k = 0; k < parent.length; k++) parent[k] = k;
  const find = (k: number): number => {
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]!]!;
      k = parent[k]!;
    }
    return k;
  };
  const linked = new Uint8Array(rows + cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(cost[i * cols + j]!)) continue;
      linked[i] = 1;
      linked[rows + j] = 1;
      const a = find(i);
      const b = find(rows + j);
      if (a !== b) parent[a] = b;
    }
  }
  const byRoot = new Map<number, { rows: number[]; cols: number[] }>();
  for (let k = 0; k < rows + cols; k++) {
    if (!linked[k]) continue;
    const root = find(k);
    let part = byRoot.get(root);
    if (!part) {
      part = { rows: [], cols: [] };
      byRoot.set(root, part);
    }
    if (k < rows) part.rows.push(k);
    else part.cols.push(k - rows);
  }
  return [...byRoot.values()];
}

/** Solves the sub-matrix `rowIds × colIds` of `cost` into the shared result arrays; returns its cost. */
function solvePart(
  cost: ArrayLike<number>,
  cols: number,
  rowIds: readonly number[],
  colIds: readonly number[],
  rowToCol: Int32Array,
  colToRow: Int32Array,
): number {
  // The solver below needs rows ≤ cols; a tall part is solved transposed.
  const transposed = rowIds.length > colIds.length;
  const n = transposed ? colIds.length : rowIds.length;
  const m = transposed ? rowIds.length : colIds.length;
  const at = (i: number, j: number) =>
    transposed ? cost[rowIds[j]! * cols + colIds[i]!]! : cost[rowIds[i]! * cols + colIds[j]!]!;

  // A forbidden pair costs more than any set of allowed pairs can, so it is only
  // used when no assignment of that row avoids it; it is dropped afterwards.
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = at(i, j);
      if (Number.isFinite(c)) maxAbs = Math.max(maxAbs, Math.abs(c));
    }
  }
  const forbidden = (2 * n + 1) * (maxAbs + 1);
  const a = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = at(i, j);
      a[i * m + j] = Number.isFinite(c) ? c : forbidden;
    }
  }

  const match = solveRectangular(a, n, m);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const j = match[i]!;
    if (a[i * m + j]! >= forbidden) continue;
    total += a[i * m + j]!;
    const r = rowIds[transposed ? j : i]!;
    const c = colIds[transposed ? i : j]!;
    rowToCol[r] = c;
    colToRow[c] = r;
  }
  return total;
}

/**
 * Every row of an `n × m` matrix (n ≤ m) gets a distinct column at minimum total
 * cost. Rows are added one at a time; each addition grows a shortest-path tree
 * over columns with reduced costs `a[i][j] - u[i] - v[j]` (never negative, so a
 * Dijkstra-like scan is exact) until it reaches a free column, then flips the path.
 * Ties resolve to the lowest column index, so results are deterministic.
 */
function solveRectangular(a: Float64Array, n: number, m: number): Int32Array {
  // 1-based over columns; column 0 is a virtual start, p[j] the row holding column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Number.POSITIVE_INFINITY);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const reduced = a[(i0 - 1) * m + (j - 1)]! - u[i0]! - v[j]!;
        if (reduced < minv[j]!) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // Flip the augmenting path back to the virtual start.
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const rowToCol = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) rowToCol[p[j]! - 1] = j - 1;
  return rowToCol;
}

/**
 * Assignment restricted to pairs costing at most `maxCost` (inclusive): the
 * trackers' gate (`1 - IoU ≤ 1 - matchIou`). Pairs above it are forbidden
 * before solving, so a gated-out pair can never displace an allowed one.
 */
export function gatedAssignment(
  cost: ArrayLike<number>,
  rows: number,
  cols: number,
  maxCost: number,
): Assignment {
  const gated = new Float64Array(cost.length);
  for (let k = 0; k < gated.length; k++) {
    const c = cost[k]!;
    gated[k] = c <= maxCost ? c : Number.POSITIVE_INFINITY;
  }
  return linearAssignment(gated, rows, cols);
}
