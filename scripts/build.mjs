#!/usr/bin/env node
// Bundles Bonsai's TypeScript into dist/bonsai.mjs with esbuild: one file loads faster than
// hundreds of modules through a TypeScript loader, which keeps `bonsai start` quick.
// node_modules stay external (better-sqlite3 is native); models are read from src/generated at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildBonsai({ quiet = false } = {}) {
  await build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(root, 'dist/bonsai.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'info',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildBonsai();
}
