import type { Detections } from '../core/detections.ts';
import type { TrackInfo } from '../tracking/track.ts';
import { type Anchor, anchorPoint } from './anchor.ts';
import { LineCounter, type LineSpec } from './line-counter.ts';
import { type ZoneCount, ZoneCounter, type ZoneSpec } from './zone-counter.ts';

/** `frame.meta.counts`: running totals per line and zone, as of this frame. */
export interface Counts {
  lines: Record<string, { in: number; out: number }>;
  zones: Record<string, ZoneCount>;
}

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

  constructor(
    config: { lines: LineSpec[]; zones: ZoneSpec[]; hysteresis: number },
    readonly anchor: Anchor,
  ) {
    this.lines = config.lines.map((l) => new LineCounter(l, config.hysteresis));
    this.zones = config.zones.map((z) => new ZoneCounter(z, config.hysteresis));
  }

  update(
    detections: Detections | undefined,
    tracks: TrackInfo[] | undefined,
    ptsUs: number,
  ): Counts {
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
    const counts: Counts = { lines: {}, zones: {} };
    for (const line of this.lines) counts.lines[line.spec.name] = { in: line.in, out: line.out };
    for (const zone of this.zones) counts.zones[zone.spec.name] = zone.count(ptsUs);
    return counts;
  }
}
