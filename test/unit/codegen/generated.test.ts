import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwsError } from '../../../src/core/errors.ts';
import { loadServiceModel } from '../../../src/generated/load-model.ts';
import { bonsaiRoot, findPackageRoot } from '../../../src/generated/paths.ts';
import { NoSuchEntityException } from '../../../src/generated/iam/errors.ts';
import { InternalServerError, ConditionalCheckFailedException } from '../../../src/generated/dynamodb/errors.ts';
import { InvalidParameterValueException } from '../../../src/generated/cloudwatch/errors.ts';
import { NoSuchKey } from '../../../src/generated/s3/errors.ts';
import type { CreateUserRequest } from '../../../src/generated/iam/types.ts';
import { loadPatchedModel } from '../../../scripts/codegen.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('the repo root is found by walking up to package.json', () => {
  assert.equal(bonsaiRoot(), repoRoot);
  assert.equal(findPackageRoot(join(repoRoot, 'src', 'generated', 'iam')), repoRoot);
});

test('loadServiceModel returns the patched model, cached', () => {
  const iam = loadServiceModel('iam');
  assert.equal(loadServiceModel('iam'), iam);
  assert.equal(iam.metadata.protocol, 'query');
  assert.deepEqual(iam, loadPatchedModel(repoRoot, 'iam'));
  assert.equal(loadServiceModel('dynamodb').shapes.ScalarAttributeType!.enum!.join(','), 'B,N,S');
});

test('a model split into parts (EC2) loads whole', () => {
  const ec2 = loadServiceModel('ec2');
  assert.equal(Object.keys(ec2.operations).length, Object.keys(loadPatchedModel(repoRoot, 'ec2').operations).length);
  assert.deepEqual(ec2, loadPatchedModel(repoRoot, 'ec2'));
  assert.ok(ec2.shapes.TerminateInstancesRequest);
});

test('generated error classes carry the wire code, status, fault and shape name', () => {
  const noSuchEntity = new NoSuchEntityException('The user with name bob cannot be found.');
  assert.ok(noSuchEntity instanceof AwsError);
  assert.equal(noSuchEntity.code, 'NoSuchEntity');
  assert.equal(noSuchEntity.status, 404);
  assert.equal(noSuchEntity.fault, 'client');
  assert.equal(noSuchEntity.name, 'NoSuchEntityException');
  assert.equal(noSuchEntity.message, 'The user with name bob cannot be found.');
  assert.equal(NoSuchEntityException.code, 'NoSuchEntity');

  const internal = new InternalServerError('boom');
  assert.deepEqual([internal.code, internal.status, internal.fault], ['InternalServerError', 500, 'server']);

  const conditional = new ConditionalCheckFailedException('The conditional request failed', { Item: { pk: { S: 'a' } } });
  assert.deepEqual([conditional.code, conditional.status], ['ConditionalCheckFailedException', 400]);
  assert.deepEqual(conditional.fields, { Item: { pk: { S: 'a' } } });

  // CloudWatch is query-compatible: the code is the query one, the name the json shape name.
  const invalid = new InvalidParameterValueException('bad');
  assert.deepEqual([invalid.code, invalid.name, invalid.status], ['InvalidParameterValue', 'InvalidParameterValueException', 400]);

  // S3's NoSuchKey carries the <Key> element the patch adds.
  const noSuchKey = new NoSuchKey('The specified key does not exist.', { Key: 'a/b.txt' });
  assert.deepEqual([noSuchKey.code, noSuchKey.status, noSuchKey.fields], ['NoSuchKey', 404, { Key: 'a/b.txt' }]);
});

test('generated types describe inputs (compile-time check, with a runtime echo)', () => {
  const input: CreateUserRequest = { UserName: 'alice', Tags: [{ Key: 'k', Value: 'v' }] };
  // @ts-expect-error UserName is required
  const missing: CreateUserRequest = { Path: '/' };
  assert.equal(input.UserName, 'alice');
  assert.equal(missing.Path, '/');
});

test('every generated file typechecks', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-tsc-'));
  try {
    const config = join(dir, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(repoRoot, 'tsconfig.json'),
        compilerOptions: { typeRoots: [join(repoRoot, 'node_modules', '@types')] },
        include: [join(repoRoot, 'src', 'generated', '**', '*.ts')],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], {
      encoding: 'utf8',
      cwd: repoRoot,
    });
    // Files other helpers are still writing may not compile yet; only src/generated is judged here.
    const ours = tsc.stdout.split('\n').filter((line) => line.startsWith('src/generated/'));
    assert.deepEqual(ours, []);
    assert.ok(tsc.status === 0 || tsc.stdout.length > 0, tsc.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
