import { registries } from '../components-all.ts';
import { pipelineJsonSchema } from '../config/json-schema.ts';
import { FramewireError } from '../core/errors.ts';
import { type Command, EXIT } from './command.ts';
import { reportError } from './report-error.ts';

const HELP = `Usage: framewire schema

Prints the JSON Schema (draft-07) of pipeline files to stdout, generated from
the same declarations framewire validates with. Point your editor at it for
completion and hover docs, e.g. with the YAML language server:

  framewire schema > pipeline.schema.json
  # first line of a pipeline file:
  # yaml-language-server: $schema=./pipeline.schema.json

Values written as \${VAR} are checked by \`framewire validate\`, not by the schema.`;

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print the JSON Schema of pipeline files (for editors)',
  help: HELP,
  async run(args) {
    if (args.length > 0) {
      return reportError(
        new FramewireError('USAGE', `schema takes no arguments, got "${args.join(' ')}"`, {
          hint: 'framewire schema > pipeline.schema.json',
        }),
      );
    }
    process.stdout.write(`${JSON.stringify(pipelineJsonSchema(registries), null, 2)}\n`);
    return EXIT.ok;
  },
};
