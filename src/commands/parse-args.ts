import { FramewireError } from '../core/errors.ts';

export interface ParsedArgs {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
  repeated: Map<string, string[]>;
}

/**
 * Minimal `--name value` / `--name=value` parser: every command declares which
 * options it takes, and anything else is a usage error naming the option.
 */
export function parseArgs(
  argv: readonly string[],
  spec: { flags?: string[]; values?: string[]; repeatable?: string[] },
): ParsedArgs {
  const out: ParsedArgs = {
    positional: [],
    flags: new Set(),
    values: new Map(),
    repeated: new Map(),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (spec.flags?.includes(name)) {
      if (inline !== undefined) throw usage(`--${name} takes no value`);
      out.flags.add(name);
      continue;
    }
    const takesValue = spec.values?.includes(name) || spec.repeatable?.includes(name);
    if (!takesValue) {
      const known = [...(spec.flags ?? []), ...(spec.values ?? []), ...(spec.repeatable ?? [])];
      throw usage(
        `unknown option --${name}`,
        known.length ? `options: ${known.map((k) => `--${k}`).join(', ')}` : undefined,
      );
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw usage(`--${name} needs a value`);
    if (spec.repeatable?.includes(name))
      out.repeated.set(name, [...(out.repeated.get(name) ?? []), value]);
    else out.values.set(name, value);
  }
  return out;
}

function usage(message: string, hint?: string): FramewireError {
  return new FramewireError('USAGE', message, hint ? { hint } : {});
}
