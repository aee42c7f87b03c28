/**
 * Bundles the browser dashboard (src/dashboard) with esbuild into one
 * directory: index.html, app.js, app.css. Everything is local: the page loads
 * nothing from elsewhere, so it works offline.
 *
 *   node --import tsx scripts/build-dashboard.ts [OUT_DIR]   (default dist/dashboard)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'src/dashboard');

/** The files the bundle consists of; the static file server serves exactly these. */
export const DASHBOARD_FILES = ['index.html', 'app.js', 'app.css'] as const;

export async function buildDashboard(outDir = join(root, 'dist/dashboard')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(srcDir, 'app.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'app.css'])
    copyFileSync(join(srcDir, file), join(outDir, file));
  return outDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildDashboard(process.argv[2] ? resolve(process.argv[2]) : undefined);
  process.stdout.write(`dashboard built into ${out}\n`);
}
