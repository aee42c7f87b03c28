// The layering of DESIGN.md ("Layout and layering"), checked by `npm run lint`:
//
//   cli -> commands -> components-all -> sources | stages | sinks
//       -> models | tracking | counting | overlay | eval | codec | serve -> config -> core
//
// Paths are relative to the directory depcruise runs in (the repository root, or
// a fixture tree in test/layering.test.ts). Type-only imports count: a type
// import ties a layer to another just as a value import does.

/** Domain libraries: pure where possible, never aware of components. */
const DOMAIN = '^src/(models|tracking|counting|overlay|eval|codec|serve)/';
/** Everything at or above the registry: the command line and the component files. */
const COMPONENTS =
  '^src/(sources|stages|sinks|commands)/|^src/components[^/]*[.]ts$|^src/cli[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-imports-only-core',
      comment: 'src/core is the bottom layer: it imports nothing of framewire outside src/core.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'config-imports-only-core',
      comment: 'src/config sits on core alone: it imports only src/config and src/core.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(config|core)/' },
    },
    {
      name: 'domain-imports-no-component',
      comment:
        'Domain libraries (models, tracking, counting, overlay, eval, codec, serve) never import a ' +
        'source, stage, sink, command, the registries or the CLI: components import them.',
      severity: 'error',
      from: { path: DOMAIN },
      to: { path: COMPONENTS },
    },
    {
      name: 'source-imports-no-stage-or-sink',
      comment: 'Components meet only through the runner: a source imports no stage and no sink.',
      severity: 'error',
      from: { path: '^src/sources/' },
      to: { path: '^src/(stages|sinks)/' },
    },
    {
      name: 'stage-imports-no-source-or-sink',
      comment: 'Components meet only through the runner: a stage imports no source and no sink.',
      severity: 'error',
      from: { path: '^src/stages/' },
      to: { path: '^src/(sources|sinks)/' },
    },
    {
      name: 'sink-imports-no-source-or-stage',
      comment: 'Components meet only through the runner: a sink imports no source and no stage.',
      severity: 'error',
      from: { path: '^src/sinks/' },
      to: { path: '^src/(sources|stages)/' },
    },
    {
      name: 'nothing-below-commands-imports-up',
      comment:
        'Only src/cli.ts and src/commands import the commands, and nothing below the commands ' +
        'imports src/components-all.ts or src/cli.ts: the registry is passed down, not imported up.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/commands/|^src/cli[.]ts$' },
      to: { path: '^src/commands/|^src/components-all[.]ts$|^src/cli[.]ts$' },
    },
    {
      name: 'only-cli-imports-command-list',
      comment: 'src/commands/index.ts, the list of every command, is imported by src/cli.ts alone.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli[.]ts$' },
      to: { path: '^src/commands/index[.]ts$' },
    },
    {
      name: 'no-circular',
      comment:
        'Dependencies point one way: no module reaches itself through its imports. ' +
        'A loop closed only by type imports (Frame names TrackInfo, tracksOf takes a Frame) ' +
        'is erased at compile time and cannot change load order, so it is allowed.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-unresolvable-import',
      comment:
        'Every import resolves (a relative .ts import to its file, a package to node_modules): ' +
        'an import the checker cannot follow would escape every rule above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports (`import type`) are dependencies too, see above.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
