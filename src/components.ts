/**
 * The registries of every source, stage and sink framewire knows. Adding a
 * component is adding its file and one line here.
 */
import type { SinkDefinition, SourceDefinition, StageDefinition } from './core/component.ts';
import { Registry } from './core/registry.ts';

// Registries hold definitions of any option shape; each definition's own
// `create` stays precisely typed, and the config layer validates options
// against the same definition before `create` ever sees them.
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous option types
type AnyOptions = any;
export type AnySourceDefinition = SourceDefinition<AnyOptions>;
export type AnyStageDefinition = StageDefinition<AnyOptions>;
export type AnySinkDefinition = SinkDefinition<AnyOptions>;

export const sources = new Registry<AnySourceDefinition>('source');
export const stages = new Registry<AnyStageDefinition>('stage');
export const sinks = new Registry<AnySinkDefinition>('sink');

export interface ComponentRegistries {
  readonly sources: Registry<AnySourceDefinition>;
  readonly stages: Registry<AnyStageDefinition>;
  readonly sinks: Registry<AnySinkDefinition>;
}

export const registries: ComponentRegistries = { sources, stages, sinks };
