import { registries as builtIn } from '../../src/components-all.ts';
import type { ComponentRegistries } from '../../src/core/component.ts';
import type {
  SinkDefinition,
  SourceDefinition,
  StageDefinition,
} from '../../src/core/component.ts';
import { Registry } from '../../src/core/registry.ts';

/**
 * The built-in components plus test-only sources, stages and sinks (probes,
 * deliberately slow ones). An extra with a built-in's name replaces it (a
 * wrapped built-in that hands its instances to the test).
 */
export function withTestComponents(extra: {
  sources?: SourceDefinition[];
  stages?: StageDefinition[];
  sinks?: SinkDefinition[];
}): ComponentRegistries {
  return {
    sources: merged('source', builtIn.sources.entries(), extra.sources),
    stages: merged('stage', builtIn.stages.entries(), extra.stages),
    sinks: merged('sink', builtIn.sinks.entries(), extra.sinks),
  };
}

function merged<T extends { readonly type: string }>(
  kind: string,
  builtIns: [string, T][],
  extra: readonly T[] = [],
): Registry<T> {
  const registry = new Registry<T>(kind);
  const replaced = new Set(extra.map((d) => d.type));
  for (const [name, def] of builtIns) if (!replaced.has(name)) registry.add(name, def);
  for (const def of extra) registry.add(def.type, def);
  return registry;
}
