import { map } from 'rxjs';
import { t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import type { Frame } from '../core/frame.ts';
import { Counter } from '../counting/counter.ts';

/** An `[x, y]` point in source-frame pixels. */
const point = (doc: string) =>
  t.list(t.number({ doc: 'Pixels in the source frame' }), { doc, minItems: 2, maxItems: 2 });

/**
 * Line crossings and zone occupancy of tracked objects, after a `track` stage.
 * Only confirmed tracks count (tentative detections carry no id). Running
 * totals go to `frame.meta.counts` (`{ lines: { name: { in, out } }, zones:
 * { name: { occupancy, entered, exited, inside } } }`, also in the JSON
 * output), with the geometry counted against (`counts.geometry`) so the
 * overlay draws the same lines without repeating them.
 */
export const countStage = defineStage({
  type: 'count',
  doc: 'Count tracks crossing lines (in/out) and occupying zones (occupancy, entered, exited, dwell)',
  options: {
    lines: t.list(
      t.object(
        {
          name: t.string({ doc: 'Name the counts are reported under', minLength: 1 }),
          from: point('Start of the line'),
          to: point('End of the line'),
        },
        {
          doc: 'A counting line; crossing from its left to its right (walking from → to, on screen) is in',
        },
      ),
      { doc: 'Counting lines, in source-frame pixels', default: [] },
    ),
    zones: t.list(
      t.object(
        {
          name: t.string({ doc: 'Name the counts are reported under', minLength: 1 }),
          polygon: t.list(point('A vertex'), { doc: 'Vertices of the zone', minItems: 3 }),
        },
        { doc: 'A counting zone' },
      ),
      { doc: 'Counting zones (polygons), in source-frame pixels', default: [] },
    ),
    anchor: t.enum(['bottom-center', 'center'], {
      doc: 'The point of each box tested against lines and zones',
      default: 'bottom-center',
    }),
    hysteresis: t.number({
      doc: 'Pixels past a line (or a zone border) a track must move before it counts as across',
      min: 0,
      default: 8,
    }),
  },
  create(config, ctx) {
    const counter = new Counter(config, config.anchor);
    let warned = false;
    return map((frame: Frame) => {
      const detections = frame.meta.detections;
      if (!warned && detections && detections.length > 0 && !detections.trackIds) {
        // Without ids nothing can ever count: say so once instead of reporting zeros silently.
        warned = true;
        ctx.log.warn(`${ctx.name}: detections carry no track ids; put a track stage before count`);
      }
      frame.meta.counts = counter.update(detections, frame.meta.tracks, frame.pts);
      return frame;
    });
  },
});
