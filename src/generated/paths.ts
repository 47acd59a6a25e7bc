/**
 * Where Bonsai's own files are at run time. Code runs from src/ under tsx and from a bundled
 * dist/ file, so paths cannot be fixed relative to one module: the repository (or installed
 * package) root is the nearest folder above this module that holds a package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** Walks up from `start` to the first folder holding a package.json. */
export function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
}

/** The Bonsai root; BONSAI_ROOT overrides the search (e.g. for a relocated bundle). */
export function bonsaiRoot(): string {
  cachedRoot ??= process.env.BONSAI_ROOT ?? findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  return cachedRoot;
}

/** The folder holding src/generated/<service>/ for every vendored service. */
export function generatedDir(): string {
  return join(bonsaiRoot(), 'src', 'generated');
}
