#!/usr/bin/env node
// The `bonsai` command. Runs the bundled dist/bonsai.mjs, building it first when it is missing or
// older than the sources (a fresh clone needs no separate build step).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'bonsai.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(join(root, 'src'))) {
  const { buildBonsai } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  await buildBonsai({ quiet: true });
}
await import(pathToFileURL(bundle).href);
