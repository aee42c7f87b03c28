import type {
  CountGeometry,
  CountsSnapshot,
  LineCount,
  LineSpec,
  ZoneCount,
  ZoneSpec,
} from '../core/counts.ts';
import type { Detections } from '../core/detections.ts';
import type { TrackInfo } from '../core/tracks.ts';
import { type Anchor, anchorPoint } from './anchor.ts';
import { LineCounter } from './line-counter.ts';
import { ZoneCounter } from './zone-counter.ts';

/**
 * All lines and zones of one count stage. Per frame, every detection of a
 * confirmed track (trackId ≥ 0; tentative ones are -1 and never count) is
 * tested at its anchor point. A track stays known while it is either detected
 * or listed in `frame.meta.tracks` (lost but not yet deleted), so an occluded
 * occupant keeps its place and a line side survives an occlusion; once the
 * tracker drops it, its state goes (and a zone occupant is counted as exited).
 */
export class Counter {
  readonly lines: LineCounter[];
  readonly zones: ZoneCounter[];
  /** What every snapshot counts against: one object for the whole run. */
  readonly geometry: CountGeometry;

  constructor(
    config: { lines: readonly LineSpec[]; zones: readonly ZoneSpec[]; hysteresis: number },
    readonly anchor: Anchor,
  ) {
    this.lines = config.lines.map((l) => new LineCounter(l, config.hysteresis));
    this.zones = config.zones.map((z) => new ZoneCounter(z, config.hysteresis));
    this.geometry = { lines: config.lines, zones: config.zones };
  }

  /** Observes one frame's tracked detections; the totals as of this frame. */
  update(
    detections: Detections | undefined,
    tracks: readonly TrackInfo[] | undefined,
    ptsUs: number,
  ): CountsSnapshot {
    const present = new Set<number>();
    if (tracks) for (const t of tracks) present.add(t.id);
    const ids = detections?.trackIds;
    if (detections && ids) {
      for (let i = 0; i < detections.length; i++) {
        const id = ids[i]!;
        if (id < 0) continue;
        present.add(id);
        const [x, y] = anchorPoint(detections.boxes, i, this.anchor);
        for (const line of this.lines) line.observe(id, x, y);
        for (const zone of this.zones) zone.observe(id, x, y, ptsUs);
      }
    }
    for (const c of [...this.lines, ...this.zones]) {
      for (const id of [...c.ids()]) if (!present.has(id)) c.forget(id);
    }
    const lines: Record<string, LineCount> = {};
    const zones: Record<string, ZoneCount> = {};
    for (const line of this.lines) lines[line.spec.name] = { in: line.in, out: line.out };
    for (const zone of this.zones) zones[zone.spec.name] = zone.count(ptsUs);
    return { lines, zones, geometry: this.geometry };
  }
}
