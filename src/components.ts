/**
 * The registries of every source, stage and sink framewire knows. Adding a
 * component is adding its file and one line here.
 */
import type { SinkDefinition, SourceDefinition, StageDefinition } from './core/component.ts';
import { Registry } from './core/registry.ts';

export const sources = new Registry<SourceDefinition>('source');
export const stages = new Registry<StageDefinition>('stage');
export const sinks = new Registry<SinkDefinition>('sink');

export interface ComponentRegistries {
  readonly sources: Registry<SourceDefinition>;
  readonly stages: Registry<StageDefinition>;
  readonly sinks: Registry<SinkDefinition>;
}

export const registries: ComponentRegistries = { sources, stages, sinks };
