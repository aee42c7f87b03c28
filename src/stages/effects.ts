import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { map } from 'rxjs';
import { defineStage, type OptionProblem } from '../core/component.ts';
import { FramewireError } from '../core/errors.ts';
import type { Frame } from '../core/frame.ts';
import { optional, t } from '../core/schema.ts';
import { BackgroundImage } from '../overlay/background-image.ts';
import { rgbColour } from '../overlay/colour.ts';
import { EffectTargets, UnknownClassError } from '../overlay/effect-targets.ts';
import { EffectPainter, type EffectSpec } from '../overlay/effects.ts';

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/**
 * Privacy masking and virtual backgrounds: blurs, pixelates or replaces the
 * pixels of chosen classes (the `segment` stage's map, instance masks of
 * `detect`) or of everything else. Works on the pixels only inside the
 * selection's bounding rectangle. A frame with nothing to select by passes on
 * untouched and is counted as EFFECT_SKIPPED.
 */
export const effectsStage = defineStage({
  type: 'effects',
  doc: 'Blur, pixelate or replace the pixels of chosen classes (privacy masking) or of the background (virtual background)',
  options: {
    effect: t.enum(['blur', 'pixelate', 'replace'], {
      doc: 'What to do to the selected pixels',
      default: 'blur',
    }),
    target: t.enum(['classes', 'background'], {
      doc: 'classes: the pixels of `classes`; background: every other pixel',
      default: 'classes',
    }),
    classes: t.list(
      t.string({ doc: 'A class label of the segmentation or detection model', minLength: 1 }),
      {
        doc: 'Labels whose pixels are selected: semantic-map classes and instance-mask detections',
        minItems: 1,
        default: ['person'],
      },
    ),
    boxes: t.boolean({
      doc: 'Also select the whole box of a chosen detection that carries no mask (a detector without masks)',
      default: false,
    }),
    strength: t.integer({
      doc: 'blur: radius in pixels; each pixel becomes the mean of the (2·strength+1)² square around it',
      min: 1,
      max: 256,
      default: 16,
    }),
    blockSize: t.integer({ doc: 'pixelate: block side in pixels', min: 2, max: 512, default: 16 }),
    color: t.string({ doc: 'replace: the colour, #rrggbb', default: '#000000' }),
    image: optional(
      t.string({
        doc: 'replace: a picture (PNG, JPEG) stretched to the frame, instead of the colour',
        format: 'a file path',
        minLength: 1,
      }),
    ),
  },
  check(config) {
    const problems: OptionProblem[] = [];
    if (!HEX_COLOUR.test(config.color)) {
      problems.push({
        key: 'color',
        message: `color must be #rrggbb (like #00ff00), got '${config.color}'`,
      });
    }
    if (config.image !== undefined) {
      if (config.effect !== 'replace') {
        problems.push({
          key: 'image',
          message: `image is only used by effect: replace (effect is ${config.effect})`,
        });
      }
      // Relative paths resolve against the working directory, as every pipeline path does.
      const path = resolve(config.image);
      if (!existsSync(path) || !statSync(path).isFile()) {
        problems.push({ key: 'image', message: `image file not found: ${path}` });
      }
    }
    return problems;
  },
  create(config, ctx) {
    const hex = config.color;
    const colour = rgbColour(
      Number.parseInt(hex.slice(1, 3), 16),
      Number.parseInt(hex.slice(3, 5), 16),
      Number.parseInt(hex.slice(5, 7), 16),
    );
    const image =
      config.image === undefined
        ? undefined
        : new BackgroundImage(resolve(ctx.baseDir, config.image));
    const spec: EffectSpec =
      config.effect === 'blur'
        ? { kind: 'blur', radius: config.strength }
        : config.effect === 'pixelate'
          ? { kind: 'pixelate', blockSize: config.blockSize }
          : {
              kind: 'replace',
              colour,
              ...(image ? { image: (f: Frame) => image.pixelsFor(f) } : {}),
            };
    const painter = new EffectPainter(spec);
    const targets = new EffectTargets(config.classes, config.target === 'background', config.boxes);
    let warned = false;
    return map((frame: Frame) => {
      let selected: boolean;
      try {
        selected = targets.select(frame);
      } catch (err) {
        if (!(err instanceof UnknownClassError)) throw err;
        throw new FramewireError('CONFIG_INVALID', `${err.message} in classes`, {
          component: ctx.name,
          hint: `the models in this pipeline know: ${err.known.join(', ')}`,
        });
      }
      if (!selected) {
        ctx.count('EFFECT_SKIPPED');
        if (!warned) {
          warned = true;
          ctx.log.warn(
            `${ctx.name}: frame ${frame.seq} has no segmentation map or instance masks; it and any like it pass on untouched (counted as EFFECT_SKIPPED)`,
          );
        }
        return frame;
      }
      painter.apply(frame, targets.region);
      return frame;
    });
  },
});
