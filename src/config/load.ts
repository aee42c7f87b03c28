import type { ComponentConfig, PipelineConfig } from '../core/pipeline-config.ts';
import { basename, extname } from 'node:path';
import type { ComponentRegistries } from '../core/component.ts';
import { ConfigError } from '../core/errors.ts';
import { got } from './describe.ts';
import { checkPortConflicts } from './port-conflicts.ts';
import { type Issue, issuesError, throwIfIssues } from './issues.ts';
import { applyOverrides } from './overrides.ts';
import { pipelineFields, SECTIONS, type Section, TOP_LEVEL_KEYS } from './pipeline-fields.ts';
import { listenPortIssues } from './listen-ports.ts';
import { readComponent } from './read-component.ts';
import { readField, unknownKey } from './read-fields.ts';
import type { MapNode, TreeNode } from './tree.ts';
import { configText, readConfigBytes, yamlTree } from './yaml-file.ts';
import { indexPath } from './yaml-path.ts';

export type { ComponentConfig, PipelineConfig } from '../core/pipeline-config.ts';

export interface LoadOptions {
  /** `--set key.path=value` arguments, applied before validation. */
  sets?: string[];
  /** Where `${VAR}` values come from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  registries: ComponentRegistries;
}

/** Reads and validates a pipeline file; every problem in it is one ConfigError. */
export async function loadPipeline(file: string, opts: LoadOptions): Promise<PipelineConfig> {
  let bytes: Buffer;
  try {
    bytes = await readConfigBytes(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (err as Error).message;
    throw new ConfigError(`cannot read pipeline file ${file}: ${why}`);
  }
  return parsePipeline(configText(bytes, file, 'pipeline file'), file, opts);
}

/** `loadPipeline` on text already read; `file` is used in messages and for the default name. */
export function parsePipeline(text: string, file: string, opts: LoadOptions): PipelineConfig {
  const issues: Issue[] = [];
  const env = opts.env ?? process.env;
  const root = yamlTree(text, file, { env, issues, what: 'pipeline file' });
  if (root === null) {
    throw issuesError(file, [
      { where: { pos: { line: 1, col: 1 } }, message: 'the pipeline file is empty' },
    ]);
  }
  if (root.kind !== 'map') {
    issues.push({
      where: root.where,
      message: `the pipeline file must be a mapping of name, source, stages and sinks, got ${got(root)}`,
    });
    throw issuesError(file, issues);
  }
  applyOverrides(root, opts.sets ?? [], issues);
  const config = readPipeline(root, file, opts.registries, issues);
  checkPortConflicts(root, config.metrics, config.sinks ?? [], issues);
  throwIfIssues(file, issues);
  return config as PipelineConfig;
}

function readPipeline(
  root: MapNode,
  file: string,
  registries: ComponentRegistries,
  issues: Issue[],
): Partial<PipelineConfig> {
  for (const e of root.entries) {
    if (!TOP_LEVEL_KEYS.includes(e.key))
      issues.push(unknownKey(e.key, e.keyWhere, e.key, [...TOP_LEVEL_KEYS]));
  }
  const value = (key: string) => root.entries.find((e) => e.key === key)?.value;
  const name = readField(value('name'), pipelineFields.name, 'name', root.where, issues);
  const maxInFlight = readField(
    value('maxInFlight'),
    pipelineFields.maxInFlight,
    'maxInFlight',
    root.where,
    issues,
  );
  const metrics = readField(
    value('metrics'),
    pipelineFields.metrics,
    'metrics',
    root.where,
    issues,
  ) as PipelineConfig['metrics'];
  const [source, stages, sinks] = SECTIONS.map((s) =>
    readSection(s, value(s.key), root, registries, issues),
  );
  listenPortIssues(sinks ?? [], value('sinks'), registries, issues);
  return {
    file,
    name: (name as string | undefined) ?? basename(file, extname(file)),
    maxInFlight: maxInFlight as number,
    ...(metrics !== undefined ? { metrics } : {}),
    source: source?.[0],
    stages: stages ?? [],
    sinks: sinks ?? [],
  };
}

/** `source` (one component) or `stages`/`sinks` (lists); an empty `stages:` means none. */
function readSection(
  section: Section,
  node: TreeNode | undefined,
  root: MapNode,
  registries: ComponentRegistries,
  issues: Issue[],
): ComponentConfig[] {
  const absent = node === undefined || (node.kind === 'scalar' && node.value === null);
  const what = section.list ? `at least one ${section.kind}` : `a ${section.kind}`;
  const allowed = `${section.kind} types: ${section.registry(registries).names().join(', ')}`;
  if (absent && section.minItems > 0) {
    issues.push({
      where: node?.where ?? root.where,
      path: section.key,
      message: `missing; a pipeline needs ${what}`,
      hints: [allowed],
    });
    return [];
  }
  if (node === undefined || absent) return [];
  if (!section.list) {
    const one = readComponent(node, section, section.key, registries, issues);
    return one ? [one] : [];
  }
  if (node.kind !== 'list') {
    const hint =
      node.kind === 'map' ? ['write each item on its own line, starting with "- "'] : [allowed];
    issues.push({
      where: node.where,
      path: section.key,
      message: `expected a list, got ${got(node)}`,
      hints: hint,
    });
    return [];
  }
  if (node.items.length < section.minItems) {
    issues.push({
      where: node.where,
      path: section.key,
      message: `needs ${what}, got an empty list`,
      hints: [allowed],
    });
    return [];
  }
  return node.items.flatMap((item, i) => {
    const one = readComponent(item, section, indexPath(section.key, i), registries, issues);
    return one ? [one] : [];
  });
}
