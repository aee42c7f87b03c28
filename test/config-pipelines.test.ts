/**
 * Every example in pipelines/ validates against the registered components, as
 * shipped. Variables the user must set (`${INPUT}`) are the only problems allowed.
 */
import { readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registries } from '../src/components-all.ts';
import { loadPipeline } from '../src/config/load.ts';
import { ConfigError } from '../src/core/errors.ts';

const dir = new URL('../pipelines/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));

test('there are example pipelines', () => {
  assert.ok(files.length > 0);
});

for (const name of files) {
  test(`pipelines/${name} is valid`, async () => {
    try {
      await loadPipeline(new URL(name, dir).pathname, { registries, env: {} });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const problems = err.message.split('\n').filter((l) => /:\d+:\d+: /.test(l));
      const real = problems.filter((l) => !/environment variable \w+ is not set$/.test(l));
      assert.equal(real, [], err.message);
    }
  });
}

test.run();
