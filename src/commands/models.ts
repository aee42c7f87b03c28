import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { stderrLogger } from '../core/log.ts';
import { userCacheDir } from '../models/cache.ts';
import { cachedEmbeddedModel, EMBEDDED_MODEL, prepareEmbeddedModel } from '../models/embedded.ts';
import { cachedSelfieModel, prepareSelfieModel, SELFIE_MODEL } from '../models/embedded-selfie.ts';
import { type Command, EXIT } from './command.ts';

const help = `Usage: framewire models <prepare|list>

  prepare   Convert the embedded default detector and person segmenter to ONNX
            (once) and print their paths.
  list      Show the embedded models and the model descriptors in models/.

The converted models are cached in $FRAMEWIRE_CACHE_DIR, else $XDG_CACHE_HOME/framewire,
else ~/.cache/framewire.

Examples:
  framewire models prepare
  FRAMEWIRE_CACHE_DIR=/opt/framewire-cache framewire models prepare`;

export const modelsCommand: Command = {
  name: 'models',
  summary: 'prepare the embedded detector and segmenter, list available models',
  help,
  async run(args) {
    const [sub, ...rest] = args;
    if (rest.length > 0 || (sub !== 'prepare' && sub !== 'list')) {
      process.stderr.write(`framewire models: expected "prepare" or "list"\n\n${help}\n`);
      return EXIT.usage;
    }
    if (sub === 'prepare') {
      process.stdout.write(`${await prepareEmbeddedModel({ log: stderrLogger })}\n`);
      process.stdout.write(`${await prepareSelfieModel({ log: stderrLogger })}\n`);
      return EXIT.ok;
    }
    process.stdout.write(`${await listing()}\n`);
    return EXIT.ok;
  },
};

async function listing(): Promise<string> {
  const cached = await cachedEmbeddedModel();
  const m = EMBEDDED_MODEL;
  const lines = [
    `${m.id}  (embedded default)  ${m.family}, ${m.labels.length} COCO classes, input ${m.input.shape.join('x')} ${m.input.colour}`,
    `  ${cached ?? `not prepared yet; run \`framewire models prepare\` (cache: ${userCacheDir()})`}`,
    `${SELFIE_MODEL.id}  (embedded segmenter)  ${SELFIE_MODEL.labels.join('/')}, input ${SELFIE_MODEL.input.shape.join('x')} rgb`,
    `  ${(await cachedSelfieModel()) ?? `not prepared yet; run \`framewire models prepare\` (cache: ${userCacheDir()})`}`,
  ];
  for (const d of await descriptors()) lines.push(`${d.name}  ${d.summary}`, `  ${d.path}`);
  return lines.join('\n');
}

/** The `models/` directory shipped with the package (src/ or dist/src/ both sit below it). */
function packageModelsDir(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'models');
    if (dirname(dir) === dir) return undefined;
  }
}

/** Descriptor YAMLs, described by their `family` and `file` fields when present. */
async function descriptors(): Promise<{ name: string; path: string; summary: string }[]> {
  const dir = packageModelsDir();
  const files = dir && existsSync(dir) ? await readdir(dir) : [];
  const yamls = files.filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    yamls.map(async (f) => {
      const path = join(dir!, f);
      let summary: string;
      try {
        const doc = parse(await readFile(path, 'utf8')) as Record<string, unknown> | null;
        summary = [doc?.family, doc?.file ?? doc?.path]
          .filter((v) => typeof v === 'string')
          .join(', ');
      } catch (err) {
        summary = `(unreadable: ${err instanceof Error ? err.message.split('\n')[0] : err})`;
      }
      return { name: f.replace(/\.ya?ml$/, ''), path, summary: summary || 'descriptor' };
    }),
  );
}
