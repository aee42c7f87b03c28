// `npm run docs`: regenerates the pipeline reference in README.md (between the
// `<!-- reference:start -->` and `<!-- reference:end -->` markers) from the
// option declarations of every registered component. The rest of README.md is
// left alone; test/config-reference.test.ts fails while the reference is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { registries } from '../src/components-all.ts';
import {
  REFERENCE_END,
  REFERENCE_START,
  replaceReferenceSection,
} from '../src/config/readme-section.ts';
import { pipelineReference } from '../src/config/reference.ts';

const readmePath = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmePath, 'utf8');
const updated = replaceReferenceSection(readme, pipelineReference(registries));
if (updated === undefined) {
  process.stderr.write(
    `README.md has no ${REFERENCE_START} … ${REFERENCE_END} markers; add them where the reference belongs\n`,
  );
  process.exit(1);
}
if (updated === readme) {
  process.stdout.write('README.md reference is up to date\n');
} else {
  writeFileSync(readmePath, updated);
  process.stdout.write('README.md reference updated\n');
}
