import { map } from 'rxjs';
import { optional, t } from '../core/schema.ts';
import { defineStage } from '../core/component.ts';
import type { Frame } from '../core/frame.ts';

/** An `[x, y]` point in source-frame pixels. */
const point = (doc: string) =>
  t.list(t.number({ doc: 'Pixels in the source frame' }), { doc, minItems: 2, maxItems: 2 });

/**
 * Annotates frames in place: a class-coloured semantic map, boxes, labels
 * (`person 0.87 #12`), instance masks (with contours),
 * track trails, counting lines and zones with their counts, and an optional
 * HUD. Colours are stable per class or per track id; sizes follow the
 * resolution. Draws straight into `frame.data` (yuv420p, rgb24 or rgba).
 */
export const overlayStage = defineStage({
  type: 'overlay',
  doc: 'Draw boxes, labels, track trails, masks, semantic maps, counting lines/zones and a HUD onto the frames',
  options: {
    boxes: t.boolean({ doc: 'Draw detection boxes', default: true }),
    labels: t.boolean({
      doc: 'Draw a label above each box (class, score, track id)',
      default: true,
    }),
    scores: t.boolean({ doc: 'Include the score in labels', default: true }),
    colorBy: t.enum(['auto', 'class', 'track'], {
      doc: 'Colour boxes by class or by track id; auto uses track ids when a tracker ran',
      default: 'auto',
    }),
    thickness: optional(
      t.integer({
        doc: 'Box and line width in pixels; default: from the resolution',
        min: 1,
        max: 64,
      }),
    ),
    fontScale: t.number({
      doc: 'Multiplier on the label size (2.5% of the frame height by default)',
      min: 0.25,
      max: 8,
      default: 1,
    }),
    trails: t.integer({
      doc: 'Past centres drawn as a trail behind each tracked object; 0 turns trails off',
      min: 0,
      max: 1000,
      default: 30,
    }),
    masks: t.boolean({ doc: 'Draw instance masks when detections carry them', default: true }),
    maskOpacity: t.number({ doc: 'Opacity of instance masks', min: 0, max: 1, default: 0.4 }),
    maskContours: t.boolean({
      doc: 'Outline each instance mask in its colour (1 px up to 720p, 2 px above)',
      default: false,
    }),
    segmentation: t.boolean({
      doc: 'Tint each pixel in its class colour when the frame carries a semantic map (segment stage)',
      default: true,
    }),
    segmentationOpacity: t.number({
      doc: 'Opacity of the semantic tint',
      min: 0,
      max: 1,
      default: 0.4,
    }),
    segmentationClasses: optional(
      t.list(t.string({ doc: 'A class label of the segmentation model', minLength: 1 }), {
        doc: 'Classes to tint; default: every class but background',
        minItems: 1,
      }),
    ),
    hud: t.boolean({
      doc: 'Show FPS, capture time and counts in the top-left corner',
      default: false,
    }),
    lines: optional(
      t.list(
        t.object(
          {
            name: t.string({
              doc: 'Name, as in the count stage (its counts are shown)',
              minLength: 1,
            }),
            from: point('Start of the line'),
            to: point('End of the line'),
          },
          { doc: 'A counting line' },
        ),
        { doc: 'Counting lines to draw; default: those of the count stage, if it publishes them' },
      ),
    ),
    zones: optional(
      t.list(
        t.object(
          {
            name: t.string({
              doc: 'Name, as in the count stage (its counts are shown)',
              minLength: 1,
            }),
            polygon: t.list(point('A vertex'), { doc: 'Vertices of the zone', minItems: 3 }),
          },
          { doc: 'A counting zone' },
        ),
        { doc: 'Zones to outline; default: those of the count stage, if it publishes them' },
      ),
    ),
  },
  async create(config, ctx) {
    // Loaded here, not at start-up: the text engine (@napi-rs/canvas) is only
    // needed by pipelines that draw.
    const { Annotator } = await import('../overlay/annotator.ts');
    const annotator = new Annotator(config, ctx.clock);
    return map((frame: Frame) => {
      annotator.annotate(frame);
      return frame;
    });
  },
});
