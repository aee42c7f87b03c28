import { registries } from '../components-all.ts';
import { loadPipeline, type PipelineConfig } from '../config/load.ts';
import { FramewireError } from '../core/errors.ts';
import { type Command, EXIT } from './command.ts';
import { parseArgs } from './parse-args.ts';
import { reportError } from './report-error.ts';

const HELP = `Usage: framewire validate FILE... [--set key.path=value ...]

Checks pipeline files without starting anything: YAML syntax, component types,
every option's type and range, \${VAR} interpolation. Prints one line per valid
file; every problem of an invalid file is reported with its line and column.

Options:
  --set key.path=value   override a value before validation, as \`run\` would
                         (numeric segments index lists: --set sinks.0.path=out.mp4)

Exit codes: 0 all files valid, 2 a file is invalid or the arguments are wrong.

Examples:
  framewire validate pipelines/demo.yaml
  framewire validate pipelines/*.yaml
  INPUT=clip.mp4 framewire validate pipelines/transcode.yaml --set sinks.0.queue=4`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check pipeline files (types, options, ranges) without running them',
  help: HELP,
  async run(args) {
    let files: string[];
    let sets: string[];
    try {
      ({ files, sets } = parseValidateArgs(args));
    } catch (err) {
      return reportError(err);
    }
    let code: number = EXIT.ok;
    for (const file of files) {
      try {
        const config = await loadPipeline(file, { sets, registries });
        process.stdout.write(`${file}: ok (${summary(config)})\n`);
      } catch (err) {
        code = Math.max(code, reportError(err));
      }
    }
    return code;
  },
};

function parseValidateArgs(argv: string[]): { files: string[]; sets: string[] } {
  const args = parseArgs(argv, { repeatable: ['set'] });
  if (args.positional.length === 0) {
    throw new FramewireError('USAGE', 'validate needs a pipeline file', {
      hint: 'framewire validate FILE... [--set key.path=value ...]',
    });
  }
  return { files: args.positional, sets: args.repeated.get('set') ?? [] };
}

/** `source testsrc, 2 stages, 2 sinks` */
function summary(config: PipelineConfig): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `source ${config.source.type}, ${n(config.stages.length, 'stage')}, ${n(config.sinks.length, 'sink')}`;
}
