import type { Command } from './command.ts';
import { schemaCommand } from './schema.ts';
import { validateCommand } from './validate.ts';
import { runCommand } from './run.ts';
import { modelsCommand } from './models.ts';
import { detectCommand } from './detect.ts';
import { segmentCommand } from './segment.ts';
import { evalCommand } from './eval.ts';
import { exportCommand } from './export.ts';
import { devicesCommand } from './devices.ts';

/** Every sub-command, in the order `--help` lists them. */
export const commands: Command[] = [
  runCommand,
  validateCommand,
  schemaCommand,
  modelsCommand,
  detectCommand,
  segmentCommand,
  evalCommand,
  exportCommand,
  devicesCommand,
];
