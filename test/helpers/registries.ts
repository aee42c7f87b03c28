import { registries as builtIn } from '../../src/components-all.ts';
import type { ComponentRegistries } from '../../src/core/component.ts';
import type {
  SinkDefinition,
  SourceDefinition,
  StageDefinition,
} from '../../src/core/component.ts';
import { Registry } from '../../src/core/registry.ts';

/** The built-in components plus test-only sources, stages and sinks (probes, deliberately slow ones). */
export function withTestComponents(extra: {
  sources?: SourceDefinition[];
  stages?: StageDefinition[];
  sinks?: SinkDefinition[];
}): ComponentRegistries {
  const sources = new Registry<SourceDefinition>('source');
  for (const [name, def] of builtIn.sources.entries()) sources.add(name, def);
  for (const def of extra.sources ?? []) sources.add(def.type, def);
  const stages = new Registry<StageDefinition>('stage');
  for (const [name, def] of builtIn.stages.entries()) stages.add(name, def);
  for (const def of extra.stages ?? []) stages.add(def.type, def);
  const sinks = new Registry<SinkDefinition>('sink');
  for (const [name, def] of builtIn.sinks.entries()) sinks.add(name, def);
  for (const def of extra.sinks ?? []) sinks.add(def.type, def);
  return { sources, stages, sinks };
}
