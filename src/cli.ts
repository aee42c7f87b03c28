#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { commands } from './commands/index.ts';
import { EXIT } from './commands/command.ts';
import { reportError } from './commands/report-error.ts';

const args = process.argv.slice(2);
const version = (): string =>
  JSON.parse(
    readFileSync(
      new URL('../package.json', import.meta.url).pathname.replace('/dist/', '/'),
      'utf8',
    ),
  ).version;

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'framewire — real-time video analytics pipelines',
    '',
    'Usage: framewire <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `framewire <command> --help` for a command's options.",
    'Exit codes: 0 success, 1 runtime failure, 2 usage or config error.',
  ].join('\n');
}

async function main(): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${mainHelp()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`framewire: unknown command "${name}"\n\n${mainHelp()}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  return command.run(rest);
}

let settled = false;
// An await that can never finish empties the event loop and Node would exit 0:
// a lost result is a failure, never a success.
process.once('beforeExit', () => {
  if (settled) return;
  process.stderr.write('framewire: internal error (please report): stopped before finishing\n');
  process.exitCode = 1;
});
main().then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (err: unknown) => {
    settled = true;
    process.exitCode = reportError(err);
  },
);
