import type { ComponentRegistries } from '../core/component.ts';
import type { SinkDefinition, SourceDefinition, StageDefinition } from '../core/component.ts';
import { type Fields, optional, t } from '../core/schema.ts';
import { sinkFields } from './sink-options.ts';
import { stageFields } from './stage-options.ts';

/**
 * The top level of a pipeline file. `name` and `maxInFlight` are ordinary
 * fields; `source`, `stages` and `sinks` hold components, described by `SECTIONS`.
 */
export const pipelineFields = {
  name: optional(
    t.string({ minLength: 1, doc: 'name shown in logs and stats; defaults to the file name' }),
  ),
  maxInFlight: t.integer({
    min: 1,
    max: 64,
    default: 4,
    doc: 'frames inside the pipeline at once; bounds memory',
  }),
} satisfies Fields;

export type ComponentKind = 'source' | 'stage' | 'sink';
export type AnyDefinition = SourceDefinition | StageDefinition | SinkDefinition;

/** The read side of a component registry, whatever its entry type. */
export interface DefinitionLookup {
  find(name: string): AnyDefinition | undefined;
  names(): string[];
}

export interface Section {
  readonly key: 'source' | 'stages' | 'sinks';
  readonly kind: ComponentKind;
  /** A list of components (stages, sinks) or exactly one (source). */
  readonly list: boolean;
  readonly minItems: number;
  readonly doc: string;
  readonly registry: (r: ComponentRegistries) => DefinitionLookup;
}

export const SECTIONS: readonly Section[] = [
  {
    key: 'source',
    kind: 'source',
    list: false,
    minItems: 1,
    doc: 'where frames come from (exactly one)',
    registry: (r) => r.sources,
  },
  {
    key: 'stages',
    kind: 'stage',
    list: true,
    minItems: 0,
    doc: 'processing steps, applied to every frame in order',
    registry: (r) => r.stages,
  },
  {
    key: 'sinks',
    kind: 'sink',
    list: true,
    minItems: 1,
    doc: 'where results go (one or more); each gets every frame',
    registry: (r) => r.sinks,
  },
];

/** The options a component accepts under its `type:`; sinks and stages add their common options. */
export function optionFields(kind: ComponentKind, def: AnyDefinition): Fields {
  if (kind === 'sink' && 'lossless' in def) return sinkFields(def);
  if (kind === 'stage') return stageFields(def as StageDefinition);
  return def.options;
}

export const TOP_LEVEL_KEYS: readonly string[] = [
  ...Object.keys(pipelineFields),
  ...SECTIONS.map((s) => s.key),
];
