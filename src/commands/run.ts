import { basename, extname } from 'node:path';
import { registries } from '../components-all.ts';
import type { ComponentRegistries } from '../core/component.ts';
import { loadPipeline } from '../config/load.ts';
import { type AssembledPipeline, assemblePipeline, PipelineStopped } from '../core/assemble.ts';
import { systemClock } from '../core/clock.ts';
import { FramewireError, redactUrl } from '../core/errors.ts';
import { silentLogger, stderrLogger, verboseLogger } from '../core/log.ts';
import type { PipelineRun, RunResult } from '../core/runner.ts';
import { EXIT, type Command } from './command.ts';
import { healthStats, statsError, writeJsonStats } from './json-stats.ts';
import { openRunMetricsEndpoint } from './metrics-endpoint.ts';
import { parseArgs } from './parse-args.ts';
import { reportError } from './report-error.ts';
import { progressLine, summaryTable } from './stats-format.ts';
import { StopSignals } from './stop-signals.ts';

const HELP = `Usage: framewire run FILE [--set key.path=value ...] [--json-stats FILE] [--quiet] [--verbose]

Runs a pipeline until its source ends or you press Ctrl-C (a second Ctrl-C
exits at once). Output files are finalized on Ctrl-C and SIGTERM.

Options:
  --set key.path=value  override a value of the pipeline file (repeatable);
                        numbers index lists: --set sinks.0.path=out.mp4
  --json-stats FILE     write the per-stage metrics as JSON at the end, also
                        after a failure (then with the error)
  --quiet               no progress line and no summary table
  --verbose             also show onnxruntime's own log (warnings about model files)

Example:
  framewire run pipelines/demo.yaml --set source.duration=2`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run a pipeline file until its source ends or Ctrl-C',
  help: HELP,
  run: (argv) => runPipelineFile(argv, registries),
};

/** `framewire run`, with the components a pipeline may name (tests pass their own). */
export async function runPipelineFile(
  argv: string[],
  registries: ComponentRegistries,
): Promise<number> {
  const args = parseArgs(argv, {
    repeatable: ['set'],
    values: ['json-stats'],
    flags: ['quiet', 'verbose'],
  });
  const file = args.positional[0];
  if (!file || args.positional.length > 1) {
    throw new FramewireError('USAGE', 'run takes exactly one pipeline file', {
      hint: 'framewire run pipelines/demo.yaml',
    });
  }
  const quiet = args.flags.has('quiet');
  const statsPath = args.values.get('json-stats');
  // The name load gives an unnamed pipeline, so a config error's stats carry it too.
  let name = basename(file, extname(file));
  let run: PipelineRun | undefined;
  let result: RunResult;
  // Before assembly: a live source may wait for its camera for a long time.
  const signals = new StopSignals(quiet);
  try {
    const config = await loadPipeline(file, { sets: args.repeated.get('set') ?? [], registries });
    name = config.name;
    const base = args.flags.has('verbose') ? verboseLogger : stderrLogger;
    const log = quiet ? { ...base, info: silentLogger.info } : base;
    const metrics = config.metrics ? await openRunMetricsEndpoint(config.metrics, log) : undefined;
    try {
      const assembled = await assemblePipeline(config, {
        registries,
        clock: systemClock,
        log,
        baseDir: process.cwd(),
        signal: signals.signal,
      });
      run = assembled.run;
      metrics?.attach(run.metrics);
      signals.attach(run);
      result = await runWithProgress(assembled, quiet);
    } finally {
      await metrics?.close();
    }
  } catch (err) {
    if (err instanceof PipelineStopped) {
      // Ctrl-C while the source was still connecting: nothing ran, nothing failed.
      process.stderr.write(`framewire: ${err.message}\n`);
      if (statsPath) {
        writeJsonStats(statsPath, {
          v: 1,
          pipeline: name,
          reason: 'stopped',
          meters: [],
          health: {},
        });
      }
      return EXIT.ok;
    }
    // The README promises --json-stats after every failure, also one before the
    // pipeline ran (a config error, an unreadable input): scripts read the reason
    // there, and a stale file from an earlier run must not pass for this one.
    if (statsPath) {
      const meters = run?.snapshot() ?? [];
      const cpu = run?.cpuSummary();
      try {
        writeJsonStats(statsPath, {
          v: 1,
          pipeline: name,
          reason: 'failed',
          error: statsError(err),
          meters,
          health: healthStats(run?.health() ?? [], meters),
          ...(cpu ? { cpu } : {}),
        });
      } catch (statsErr) {
        reportError(statsErr);
      }
    }
    throw err;
  } finally {
    signals.dispose();
  }
  if (!quiet) {
    process.stderr.write(`${redactUrl(summaryTable(result.meters, result.health, result.cpu))}\n`);
  }
  if (statsPath) {
    writeJsonStats(statsPath, {
      v: 1,
      pipeline: name,
      reason: result.reason,
      meters: result.meters,
      health: healthStats(result.health, result.meters),
      ...(result.cpu ? { cpu: result.cpu } : {}),
    });
  }
  return EXIT.ok;
}

/** Runs an assembled pipeline with the progress line (Ctrl-C is StopSignals'). */
async function runWithProgress(
  { run, stream }: AssembledPipeline,
  quiet: boolean,
): Promise<RunResult> {
  const tty = !quiet && process.stderr.isTTY;
  const startedAt = systemClock.now();
  const progress = tty
    ? setInterval(() => {
        const line = progressLine(run.snapshot(), stream.frames, systemClock.now() - startedAt);
        process.stderr.write(`\r\x1b[2K${redactUrl(line)}`);
      }, 500)
    : undefined;
  try {
    return await run.run();
  } finally {
    if (progress) {
      clearInterval(progress);
      process.stderr.write('\r\x1b[2K');
    }
  }
}
