import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { registries } from '../components-all.ts';
import { loadPipeline } from '../config/load.ts';
import { assemblePipeline } from '../core/assemble.ts';
import { systemClock } from '../core/clock.ts';
import { FramewireError, redactDeep, redactUrl } from '../core/errors.ts';
import { silentLogger, stderrLogger, verboseLogger } from '../core/log.ts';
import { EXIT, type Command } from './command.ts';
import { parseArgs } from './parse-args.ts';
import { progressLine, summaryTable } from './stats-format.ts';

const HELP = `Usage: framewire run FILE [--set key.path=value ...] [--json-stats FILE] [--quiet] [--verbose]

Runs a pipeline until its source ends or you press Ctrl-C (a second Ctrl-C
exits at once). Output files are finalized on Ctrl-C and SIGTERM.

Options:
  --set key.path=value  override a value of the pipeline file (repeatable);
                        numbers index lists: --set sinks.0.path=out.mp4
  --json-stats FILE     write the per-stage metrics as JSON at the end
  --quiet               no progress line and no summary table
  --verbose             also show onnxruntime's own log (warnings about model files)

Example:
  framewire run pipelines/demo.yaml --set source.duration=2`;

export const runCommand: Command = {
  name: 'run',
  summary: 'run a pipeline file until its source ends or Ctrl-C',
  help: HELP,
  async run(argv) {
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
    const config = await loadPipeline(file, { sets: args.repeated.get('set') ?? [], registries });
    const base = args.flags.has('verbose') ? verboseLogger : stderrLogger;
    const log = quiet ? { ...base, info: silentLogger.info } : base;
    const statsPath = args.values.get('json-stats');
    let assembled: Awaited<ReturnType<typeof assemblePipeline>>;
    try {
      assembled = await assemblePipeline(config, {
        registries,
        clock: systemClock,
        log,
        baseDir: process.cwd(),
      });
    } catch (err) {
      // A source or sink that cannot open is a runtime failure too: the stats file says so.
      writeStats(statsPath, config.name, [], 'failed', err);
      throw err;
    }
    const { run, stream } = assembled;

    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        process.stderr.write(`\nframewire: second ${signal}, exiting now\n`);
        process.exit(130);
      }
      if (!quiet)
        process.stderr.write(
          `\nframewire: ${signal} received, finishing (press Ctrl-C again to exit now)\n`,
        );
      run.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const tty = !quiet && process.stderr.isTTY;
    const startedAt = systemClock.now();
    const progress = tty
      ? setInterval(() => {
          const line = progressLine(run.snapshot(), stream.frames, systemClock.now() - startedAt);
          process.stderr.write(`\r\x1b[2K${redactUrl(line)}`);
        }, 500)
      : undefined;
    try {
      const result = await run.run();
      if (progress) process.stderr.write('\r\x1b[2K');
      if (!quiet) process.stderr.write(`${redactUrl(summaryTable(result.meters))}\n`);
      writeStats(statsPath, config.name, result.meters, result.reason);
      return EXIT.ok;
    } catch (err) {
      writeStats(statsPath, config.name, run.snapshot(), 'failed', err);
      throw err;
    } finally {
      if (progress) clearInterval(progress);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

/**
 * The `--json-stats` file. After a failure it also says what failed (`error`:
 * code, component, message). Every string in it is redacted: component names and
 * messages can quote a source URL.
 */
function writeStats(
  path: string | undefined,
  name: string,
  meters: unknown,
  reason: string,
  err?: unknown,
): void {
  if (!path) return;
  const error =
    err === undefined
      ? undefined
      : err instanceof FramewireError
        ? { code: err.code, component: err.component, message: err.message }
        : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  const stats = { v: 1, pipeline: name, reason, meters, ...(error ? { error } : {}) };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(redactDeep(stats), null, 2)}\n`);
}
