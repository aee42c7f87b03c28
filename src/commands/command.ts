/** One `framewire` sub-command: its help text and what it does. */
export interface Command {
  readonly name: string;
  /** One line for `framewire --help`. */
  readonly summary: string;
  /** Full text for `framewire NAME --help`: usage line, options, examples. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** Exit codes, as documented in the README. */
export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;
