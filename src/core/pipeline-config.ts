/**
 * The validated shape of a pipeline file: what the config layer produces and
 * the assembler starts from. Declared in core so that the assembler needs
 * nothing from config (which parses YAML and knows positions).
 */

/** One source, stage or sink entry, its options validated and defaults applied. */
export interface ComponentConfig {
  type: string;
  /** YAML path, e.g. "stages[1]" */
  path: string;
  /** validated options, defaults applied, without `type` */
  options: Record<string, unknown>;
}

/** A pipeline file, validated as a whole, defaults applied: what the runner starts from. */
export interface PipelineConfig {
  file: string;
  name: string;
  maxInFlight: number;
  /** The top-level `metrics:` key: serve `/metrics`, `/healthz`, `/readyz` here while the pipeline runs. */
  metrics?: MetricsEndpointConfig;
  source: ComponentConfig;
  stages: ComponentConfig[];
  sinks: ComponentConfig[];
}

/** Where the operators' endpoints listen (the top-level `metrics:` key). */
export interface MetricsEndpointConfig {
  /** 0 picks a free port. */
  port: number;
  host: string;
}
