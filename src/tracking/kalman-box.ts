/**
 * Constant-velocity Kalman filter over a box, in the 8-state form SORT and
 * ByteTrack use: centre x, centre y, aspect a = w/h, height h, and their
 * velocities. Noise is proportional to the box height (a box far away moves
 * fewer pixels), with ByteTrack's weights: 1/20 of the height for positions,
 * 1/160 for velocities.
 *
 * Time is measured in nominal frames and may be fractional or larger than one:
 * `predict(dt)` moves the state `dt` frames ahead (a gap of dropped frames is one
 * call with dt = 4, not four calls), and the process noise grows with dt.
 */

const POSITION_WEIGHT = 1 / 20;
const VELOCITY_WEIGHT = 1 / 160;
const N = 8;

// Scratch buffers shared by every filter: updates run one at a time on one
// thread, and a tracker with 100 objects would otherwise allocate 400 arrays per frame.
const FP = new Float64Array(N * N);
const S = new Float64Array(16);
const S_INV = new Float64Array(16);
const K = new Float64Array(N * 4);
const NEXT = new Float64Array(N * N);
const PIVOT = new Float64Array(16);

export class KalmanBox {
  /** State mean: [cx, cy, a, h, vcx, vcy, va, vh]. */
  readonly mean = new Float64Array(N);
  /** State covariance, row-major 8×8. */
  readonly cov = new Float64Array(N * N);

  /** Starts at a measured box `[x1, y1, x2, y2]`, velocities unknown (large variance). */
  constructor(box: ArrayLike<number>) {
    const z = measure(box);
    this.mean.set(z);
    const h = z[3]!;
    const std = [
      2 * POSITION_WEIGHT * h,
      2 * POSITION_WEIGHT * h,
      1e-2,
      2 * POSITION_WEIGHT * h,
      10 * VELOCITY_WEIGHT * h,
      10 * VELOCITY_WEIGHT * h,
      1e-5,
      10 * VELOCITY_WEIGHT * h,
    ];
    for (let i = 0; i < N; i++) this.cov[i * N + i] = std[i]! ** 2;
  }

  /** Moves the state `dt` nominal frames ahead: x += v·dt, P = F P Fᵀ + Q·dt. */
  predict(dt: number): void {
    if (dt <= 0) return;
    const m = this.mean;
    for (let i = 0; i < 4; i++) m[i] = m[i]! + dt * m[i + 4]!;
    // F = [[I, dt·I], [0, I]] applied on both sides of P, by blocks.
    const P = this.cov;
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        FP[r * N + c] = r < 4 ? P[r * N + c]! + dt * P[(r + 4) * N + c]! : P[r * N + c]!;
      }
    }
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        P[r * N + c] = c < 4 ? FP[r * N + c]! + dt * FP[r * N + c + 4]! : FP[r * N + c]!;
      }
    }
    // Process noise per frame, accumulated over the gap (a random walk grows linearly).
    const h = m[3]!;
    const std = [
      POSITION_WEIGHT * h,
      POSITION_WEIGHT * h,
      1e-2,
      POSITION_WEIGHT * h,
      VELOCITY_WEIGHT * h,
      VELOCITY_WEIGHT * h,
      1e-5,
      VELOCITY_WEIGHT * h,
    ];
    for (let i = 0; i < N; i++) P[i * N + i] = P[i * N + i]! + dt * std[i]! ** 2;
  }

  /** Corrects the state with a measured box `[x1, y1, x2, y2]`. */
  update(box: ArrayLike<number>): void {
    const z = measure(box);
    const m = this.mean;
    const P = this.cov;
    const h = m[3]!;
    const r = [POSITION_WEIGHT * h, POSITION_WEIGHT * h, 1e-1, POSITION_WEIGHT * h];
    // The measurement is the first four state entries (H = [I 0]), so the
    // innovation covariance S is P's top-left block plus R, and P Hᵀ is P's
    // first four columns.
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) S[i * 4 + j] = P[i * N + j]!;
      S[i * 4 + i] = S[i * 4 + i]! + r[i]! ** 2;
    }
    const Sinv = invert4(S, S_INV);
    // K = P Hᵀ S⁻¹, 8×4.
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += P[i * N + k]! * Sinv[k * 4 + j]!;
        K[i * 4 + j] = s;
      }
    }
    const innovation = [z[0]! - m[0]!, z[1]! - m[1]!, z[2]! - m[2]!, z[3]! - m[3]!];
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += K[i * 4 + k]! * innovation[k]!;
      m[i] = m[i]! + s;
    }
    // P ← P − K H P, where H P is P's first four rows.
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += K[i * 4 + k]! * P[k * N + j]!;
        NEXT[i * N + j] = P[i * N + j]! - s;
      }
    }
    P.set(NEXT);
  }

  /** Forgets the height velocity: a lost box should not keep growing or shrinking. */
  freezeHeight(): void {
    this.mean[7] = 0;
  }

  /** The current state as a box `[x1, y1, x2, y2]`. */
  box(): [number, number, number, number] {
    const [cx, cy, a, h] = this.mean;
    const w = a! * h!;
    return [cx! - w / 2, cy! - h! / 2, cx! + w / 2, cy! + h! / 2];
  }
}

/** `[x1, y1, x2, y2]` → `[cx, cy, w/h, h]`; a zero height is kept positive so a = w/h is finite. */
function measure(box: ArrayLike<number>): number[] {
  const w = box[2]! - box[0]!;
  const h = Math.max(box[3]! - box[1]!, 1e-3);
  return [box[0]! + w / 2, box[1]! + h / 2, w / h, h];
}

/** Inverse of a symmetric positive-definite 4×4 matrix into `inv`, by Gauss-Jordan with partial pivoting. */
function invert4(S: Float64Array, inv: Float64Array): Float64Array {
  const a = PIVOT;
  a.set(S);
  inv.fill(0);
  for (let i = 0; i < 4; i++) inv[i * 4 + i] = 1;
  for (let c = 0; c < 4; c++) {
    let pivot = c;
    for (let r = c + 1; r < 4; r++)
      if (Math.abs(a[r * 4 + c]!) > Math.abs(a[pivot * 4 + c]!)) pivot = r;
    if (pivot !== c) {
      for (let k = 0; k < 4; k++) {
        [a[c * 4 + k], a[pivot * 4 + k]] = [a[pivot * 4 + k]!, a[c * 4 + k]!];
        [inv[c * 4 + k], inv[pivot * 4 + k]] = [inv[pivot * 4 + k]!, inv[c * 4 + k]!];
      }
    }
    const d = a[c * 4 + c]!;
    for (let k = 0; k < 4; k++) {
      a[c * 4 + k] = a[c * 4 + k]! / d;
      inv[c * 4 + k] = inv[c * 4 + k]! / d;
    }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r * 4 + c]!;
      if (f === 0) continue;
      for (let k = 0; k < 4; k++) {
        a[r * 4 + k] = a[r * 4 + k]! - f * a[c * 4 + k]!;
        inv[r * 4 + k] = inv[r * 4 + k]! - f * inv[c * 4 + k]!;
      }
    }
  }
  return inv;
}
