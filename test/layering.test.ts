/**
 * The layering rule of DESIGN.md, as `npm run lint` checks it: dependency-cruiser
 * with the repository's own .dependency-cruiser.cjs, run on two small fixture
 * trees. `clean` follows every rule; `bad` is the same backbone plus exactly one
 * forbidden import per rule (each file says which), so the exact list of
 * violations is known by hand.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/layering');

interface Cruised {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the depcruise CLI in a fixture tree, as `npm run lint` runs it in the repository. */
function depcruise(tree: string, outputType: 'json' | 'err-long'): Promise<Cruised> {
  return new Promise((resolve) => {
    const proc = spawn(
      join(root, 'node_modules/.bin/depcruise'),
      ['src', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', outputType],
      { cwd: join(fixtures, tree), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d));
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

function violations(r: Cruised): string[] {
  const report = JSON.parse(r.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

test('the clean tree (cli -> commands -> components-all -> components -> domain -> config -> core) passes', async () => {
  const r = await depcruise('clean', 'json');
  assert.is(r.code, 0, r.stderr);
  assert.equal(violations(r), []);
  // Every import was followed: a tree whose imports did not resolve would pass trivially.
  const report = JSON.parse(r.stdout) as {
    summary: { totalCruised: number; totalDependenciesCruised: number };
  };
  assert.is(report.summary.totalCruised, 11);
  assert.is(report.summary.totalDependenciesCruised, 14);
});

// One row per rule: the bad import planted for it in test/fixtures/layering/bad.
const expected = [
  // A type-only import counts: core/clock.ts imports a type from config.
  'core-imports-only-core: src/core/clock.ts -> src/config/settings.ts',
  // config may import core only, not a domain library.
  'config-imports-only-core: src/config/load.ts -> src/models/labels.ts',
  // A domain library imports a stage.
  'domain-imports-no-component: src/models/detector.ts -> src/stages/resize.ts',
  'source-imports-no-stage-or-sink: src/sources/file.ts -> src/stages/resize.ts',
  'stage-imports-no-source-or-sink: src/stages/decode.ts -> src/sources/h264.ts',
  'sink-imports-no-source-or-stage: src/sinks/jsonl.ts -> src/stages/resize.ts',
  // A sink (below the commands) imports a command.
  'nothing-below-commands-imports-up: src/sinks/stray.ts -> src/commands/run.ts',
  // A command other than the CLI imports the command list.
  'only-cli-imports-command-list: src/commands/help.ts -> src/commands/index.ts',
  // tracking/kalman.ts -> tracking/tracker.ts -> tracking/kalman.ts.
  'no-circular: src/tracking/kalman.ts -> src/tracking/tracker.ts',
  // An import of a file that does not exist.
  'no-unresolvable-import: src/counting/zone.ts -> ./polygon.ts',
].sort();

test('the bad tree: exactly one violation per rule, each with its rule name, file and target', async () => {
  const r = await depcruise('bad', 'json');
  assert.equal(violations(r), expected);
});

test('what `npm run lint` prints names the rule, the importing file and the target on one line', async () => {
  const r = await depcruise('bad', 'err-long');
  // The exit code is the number of errors, so the lint script fails.
  assert.is(r.code, expected.length, r.stderr);
  assert.match(
    r.stdout,
    'error core-imports-only-core: src/core/clock.ts → src/config/settings.ts\n',
  );
  assert.match(
    r.stdout,
    'error domain-imports-no-component: src/models/detector.ts → src/stages/resize.ts\n',
  );
  assert.match(r.stdout, `x ${expected.length} dependency violations`);
});

test.run();
