import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadServiceModel } from '../../../src/generated/load-model.ts';
import { generatedDir } from '../../../src/generated/paths.ts';
import { compileModelPattern, translateJavaPattern } from '../../../src/validation/patterns.ts';

function matches(pattern: string, value: string): boolean | undefined {
  return compileModelPattern(pattern)?.test(value);
}

test('patterns match the whole value, as Java matches() does', () => {
  assert.equal(matches('[\\w+=,.@-]+', 'alice'), true);
  assert.equal(matches('[\\w+=,.@-]+', 'bad name!'), false);
  assert.equal(matches('[0-9]+', 'x12'), false);
  assert.equal(matches('a|b', 'ab'), false);
});

test('unicode categories need and get the unicode flag', () => {
  assert.equal(matches('[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+', 'héllo'), true);
  assert.equal(matches('[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+', 'a b'), false);
});

test('Java-only syntax is translated', () => {
  assert.deepEqual(translateJavaPattern('\\p{Print}+'), { source: '[ -~]+', flags: '' });
  assert.equal(matches('\\p{Print}+', 'abc'), true);
  assert.equal(matches('\\p{Print}+', 'a\u0001'), false);
  assert.deepEqual(translateJavaPattern('(?i)all|[0-9]{12}'), { source: 'all|[0-9]{12}', flags: 'i' });
  assert.equal(matches('(?i)all|[0-9]{12}', 'ALL'), true);
  assert.equal(translateJavaPattern('\\Aab\\z')?.source, '^ab$');
  assert.equal(translateJavaPattern('a*+b')?.source, 'a*b');
  assert.equal(translateJavaPattern('(?>ab)')?.source, '(?:ab)');
  assert.equal(translateJavaPattern('\\Q.*\\E')?.source, '\\.\\*');
  // Identity escapes unicode mode rejects outside a class; kept inside one.
  assert.equal(translateJavaPattern('\\-\\_[\\-]')?.source, '-_[\\-]');
  assert.equal(matches('\\-x', '-x'), true);
});

test('untranslatable patterns are skipped, never thrown', () => {
  assert.equal(translateJavaPattern('[a-z&&[^b]]'), undefined);
  assert.equal(compileModelPattern('[a-z&&[^b]]'), undefined);
  assert.equal(compileModelPattern('(unclosed'), undefined);
  assert.equal(compileModelPattern('[a-z'), undefined);
});

test('every pattern in the vendored models compiles', () => {
  const failures: string[] = [];
  let count = 0;
  for (const service of readdirSync(generatedDir(), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const [name, shape] of Object.entries(loadServiceModel(service).shapes)) {
      if (shape.pattern === undefined) continue;
      count++;
      if (!compileModelPattern(shape.pattern)) failures.push(`${service}.${name}: ${shape.pattern}`);
    }
  }
  assert.ok(count > 300, `only ${count} patterns found`);
  assert.deepEqual(failures, []);
});
